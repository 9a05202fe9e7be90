from hygiene.messages.masking import mask_login


def test_it_masks_an_email_login_and_hides_the_domain() -> None:
    assert mask_login("nguyen.huong@xa.example") == "ng***@…"


def test_it_keeps_the_ends_of_a_phone_number() -> None:
    assert mask_login("0912345678") == "09***78"


def test_it_masks_a_short_login() -> None:
    assert mask_login("duc") == "d***"
