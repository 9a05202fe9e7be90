"""Revocation and recovery (issue 13, item 4): every action audited, effective at once."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.devices import service as devices
from hygiene.errors import InvalidInput, NotFound
from hygiene.users import revocation, sessions
from hygiene.users import service as users
from tests import factories
from tests.conftest import NOW
from tests.users.test_service import GOOD, KEY, make_user

EMAIL = "it@huyen.example"


def actions(session: Session) -> list[str]:
    return [e["action"] for e in audit.export_rows(session)]


def new_token(session: Session, *, days: int = 90) -> str:
    return users.issue_token(
        session, email=EMAIL, name="script", secret=KEY, now=NOW, actor="t", days=days
    )


def test_a_deactivated_user_loses_sessions_and_tokens_at_once(session: Session) -> None:
    make_user(session)
    user = users.by_email(session, EMAIL)
    cookie = sessions.start(session, kind="console", secret=KEY, now=NOW, user_id=user.id)
    token = new_token(session)

    revocation.deactivate(session, email=EMAIL, secret=KEY, now=NOW, actor="cli:root")

    assert sessions.resolve(session, token=cookie, secret=KEY, now=NOW) is None
    assert users.user_for_token(session, token=token, secret=KEY, now=NOW) is None
    with pytest.raises(users.SignInFailed):
        users.authenticate(session, email=EMAIL, password=GOOD, totp=None, now=NOW, secret=KEY)
    assert actions(session)[-1] == "console_user.deactivated"


def test_a_reactivated_user_signs_in_again(session: Session) -> None:
    make_user(session)
    revocation.deactivate(session, email=EMAIL, secret=KEY, now=NOW, actor="cli:root")
    revocation.reactivate(session, email=EMAIL, secret=KEY, now=NOW, actor="cli:root")

    users.authenticate(session, email=EMAIL, password=GOOD, totp=None, now=NOW, secret=KEY)
    assert actions(session)[-2:] == ["console_user.deactivated", "console_user.reactivated"]


def test_a_reset_ends_password_totp_and_sessions_and_gives_a_new_setup_code(
    session: Session,
) -> None:
    make_user(session)
    user = users.by_email(session, EMAIL)
    users.enable_totp(session, user=user, secret=KEY)
    cookie = sessions.start(session, kind="console", secret=KEY, now=NOW, user_id=user.id)

    _, code = revocation.reset(session, email=EMAIL, secret=KEY, now=NOW, actor="cli:root")

    assert sessions.resolve(session, token=cookie, secret=KEY, now=NOW) is None
    assert user.totp_secret is None
    with pytest.raises(users.SignInFailed):
        users.authenticate(session, email=EMAIL, password=GOOD, totp=None, now=NOW, secret=KEY)
    other = "một mật khẩu mới thật dài cho bàn phím"
    users.complete_setup(session, email=EMAIL, code=code, password=other, secret=KEY, now=NOW)
    users.authenticate(session, email=EMAIL, password=other, totp=None, now=NOW, secret=KEY)
    assert "console_user.reset" in actions(session)


def test_a_revoked_token_is_refused_on_the_next_call(session: Session) -> None:
    make_user(session)
    token = new_token(session)
    assert users.user_for_token(session, token=token, secret=KEY, now=NOW) is not None
    [row] = revocation.tokens(session, email=EMAIL)

    revocation.revoke_token(session, token_id=row.id or 0, secret=KEY, now=NOW, actor="t")

    assert users.user_for_token(session, token=token, secret=KEY, now=NOW) is None
    assert actions(session)[-1] == "api_token.revoked"


def test_a_token_expires_after_its_days_and_records_its_last_use(session: Session) -> None:
    make_user(session)
    token = new_token(session, days=90)

    later = NOW + timedelta(days=89)
    assert users.user_for_token(session, token=token, secret=KEY, now=later) is not None
    [row] = revocation.tokens(session, email=EMAIL)
    assert row.last_used_at is not None
    assert row.expires_at is not None
    assert (
        users.user_for_token(session, token=token, secret=KEY, now=NOW + timedelta(days=90)) is None
    )


def test_revoking_an_unknown_token_says_so(session: Session) -> None:
    with pytest.raises(NotFound):
        revocation.revoke_token(session, token_id=999, secret=KEY, now=NOW, actor="t")


def test_a_revoked_device_token_is_refused_and_the_device_listed_as_revoked(
    session: Session,
) -> None:
    official = factories.official(session, factories.ident(factories.unit(session)), "CB001")
    device, token = devices.add_device(
        session, employee_id=official.employee_id, name="PC-01", secret=KEY, now=NOW, actor="t"
    )

    revocation.revoke_device(session, device_id=device.id or 0, secret=KEY, now=NOW, actor="t")

    assert devices.device_for_token(session, token=token, secret=KEY) is None
    [listed] = revocation.devices(session)
    assert (listed.employee_id, listed.revoked_at) == ("CB001", NOW)
    assert actions(session)[-1] == "device.revoked"


def test_a_setup_code_from_before_a_reset_no_longer_works(session: Session) -> None:
    old = make_user(session)
    revocation.reset(session, email=EMAIL, secret=KEY, now=NOW, actor="cli:root")

    with pytest.raises(InvalidInput):
        users.complete_setup(session, email=EMAIL, code=old, password=GOOD, secret=KEY, now=NOW)


def test_setup_answers_an_unknown_email_like_a_wrong_code(session: Session) -> None:
    make_user(session)
    with pytest.raises(InvalidInput) as unknown:
        users.complete_setup(
            session, email="nobody@x.example", code="ABCD-EFGH", password=GOOD, secret=KEY, now=NOW
        )
    with pytest.raises(InvalidInput) as wrong:
        users.complete_setup(
            session, email=EMAIL, code="ABCD-EFGH", password=GOOD, secret=KEY, now=NOW
        )

    assert unknown.value.render("vi") == wrong.value.render("vi")
