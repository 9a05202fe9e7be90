from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import text
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.errors import Conflict, InvalidInput
from hygiene.users import service as users
from hygiene.users import totp as second_factor
from tests.conftest import NOW, SECRET

KEY = SECRET.encode()
GOOD = "xe đạp xanh leo dốc Pha Đin"


def make_user(session: Session, email: str = "it@huyen.example", roles: str = "admin") -> str:
    _, code = users.add_user(
        session, email=email, roles=roles, secret=KEY, now=NOW, actor="cli:root"
    )
    users.complete_setup(session, email=email, code=code, password=GOOD, secret=KEY, now=NOW)
    session.commit()
    return code


def test_a_new_user_gets_a_setup_code_that_works_once(session: Session) -> None:
    code = make_user(session)

    with pytest.raises(InvalidInput, match=r"users\.bad_setup_code"):
        users.complete_setup(
            session, email="it@huyen.example", code=code, password=GOOD + "!", secret=KEY, now=NOW
        )
    assert (
        users.authenticate(
            session, email="IT@huyen.example", password=GOOD, totp=None, now=NOW, secret=KEY
        ).email
        == "it@huyen.example"
    )


def test_only_an_argon2_hash_is_stored(session: Session) -> None:
    make_user(session)

    stored = users.by_email(session, "it@huyen.example").password_hash or ""

    assert stored.startswith("$argon2")
    assert GOOD not in stored


def test_an_expired_setup_code_is_refused(session: Session) -> None:
    _, code = users.add_user(
        session, email="a@b.example", roles="security", secret=KEY, now=NOW, actor="t"
    )

    with pytest.raises(InvalidInput):
        users.complete_setup(
            session,
            email="a@b.example",
            code=code,
            password=GOOD,
            secret=KEY,
            now=NOW + timedelta(days=8),
        )


@pytest.mark.parametrize("password", ["short", "matkhau@123456", "it@huyen.example1"])
def test_weak_console_passwords_are_refused(session: Session, password: str) -> None:
    _, code = users.add_user(
        session, email="it@huyen.example", roles="admin", secret=KEY, now=NOW, actor="t"
    )

    with pytest.raises(InvalidInput):
        users.complete_setup(
            session, email="it@huyen.example", code=code, password=password, secret=KEY, now=NOW
        )


def test_roles_are_checked_and_normalised(session: Session) -> None:
    user, _ = users.add_user(
        session, email="x@y.example", roles="security, admin", secret=KEY, now=NOW, actor="t"
    )

    assert user.roles == "admin,security"
    with pytest.raises(InvalidInput):
        users.add_user(session, email="z@y.example", roles="root", secret=KEY, now=NOW, actor="t")
    with pytest.raises(Conflict):
        users.add_user(session, email="X@y.example", roles="admin", secret=KEY, now=NOW, actor="t")


def test_repeated_failures_do_not_lock_the_account(session: Session) -> None:
    """Whoever sends wrong passwords slows only themself down (web/console/auth.py): the account
    itself is never locked, so the officer can still sign in."""
    make_user(session)
    for _ in range(20):
        with pytest.raises(users.SignInFailed):
            users.authenticate(
                session, email="it@huyen.example", password="wrong", totp=None, now=NOW, secret=KEY
            )

    user = users.authenticate(
        session, email="it@huyen.example", password=GOOD, totp=None, now=NOW, secret=KEY
    )

    assert user.email == "it@huyen.example"


def test_unknown_users_get_the_same_answer_as_wrong_passwords(session: Session) -> None:
    make_user(session)

    with pytest.raises(users.SignInFailed) as unknown:
        users.authenticate(
            session, email="nobody@x.example", password=GOOD, totp=None, now=NOW, secret=KEY
        )
    with pytest.raises(users.SignInFailed) as wrong:
        users.authenticate(
            session, email="it@huyen.example", password="nope", totp=None, now=NOW, secret=KEY
        )

    assert unknown.value.render("vi") == wrong.value.render("vi")


def test_totp_when_enabled_is_required(session: Session) -> None:
    make_user(session)
    seed = users.enable_totp(session, user=users.by_email(session, "it@huyen.example"), secret=KEY)

    with pytest.raises(users.SignInFailed):
        users.authenticate(
            session, email="it@huyen.example", password=GOOD, totp=None, now=NOW, secret=KEY
        )
    ok = users.authenticate(
        session,
        email="it@huyen.example",
        password=GOOD,
        totp=pyotp.TOTP(seed).at(NOW),
        now=NOW,
        secret=KEY,
    )

    assert ok.email == "it@huyen.example"


def test_the_totp_seed_is_stored_sealed_with_the_service_secret(session: Session) -> None:
    make_user(session)
    seed = users.enable_totp(session, user=users.by_email(session, "it@huyen.example"), secret=KEY)
    session.commit()

    stored = session.execute(text("SELECT totp_secret FROM console_user")).scalar_one()
    assert seed not in stored
    assert second_factor.unseal(stored, secret=KEY) == seed
    assert second_factor.unseal(stored, secret=b"another-secret-of-32-bytes-long!") is None


def test_a_totp_code_signs_in_only_once(session: Session) -> None:
    make_user(session)
    seed = users.enable_totp(session, user=users.by_email(session, "it@huyen.example"), secret=KEY)
    code = pyotp.TOTP(seed).at(NOW)
    users.authenticate(
        session, email="it@huyen.example", password=GOOD, totp=code, now=NOW, secret=KEY
    )

    later = NOW + timedelta(seconds=20)  # same step or the next: both inside the drift window
    with pytest.raises(users.SignInFailed):
        users.authenticate(
            session, email="it@huyen.example", password=GOOD, totp=code, now=later, secret=KEY
        )


def test_an_earlier_step_is_refused_after_a_later_one_was_used(session: Session) -> None:
    make_user(session)
    seed = users.enable_totp(session, user=users.by_email(session, "it@huyen.example"), secret=KEY)
    totp = pyotp.TOTP(seed)
    users.authenticate(
        session, email="it@huyen.example", password=GOOD, totp=totp.at(NOW), now=NOW, secret=KEY
    )

    with pytest.raises(users.SignInFailed):
        users.authenticate(
            session, email="it@huyen.example", password=GOOD,
            totp=totp.at(NOW - timedelta(seconds=30)), now=NOW, secret=KEY,
        )  # fmt: skip


def test_api_tokens_resolve_to_their_user_and_are_stored_hashed(session: Session) -> None:
    make_user(session)

    token = users.issue_token(
        session, email="it@huyen.example", name="backup", secret=KEY, now=NOW, actor="t"
    )

    user = users.user_for_token(session, token=token, secret=KEY, now=NOW)
    assert user is not None
    assert user.email == "it@huyen.example"
    assert users.user_for_token(session, token=token + "x", secret=KEY, now=NOW) is None
    assert token not in str(session.execute(text("SELECT * FROM api_token")).all())


def test_user_changes_are_audited(session: Session) -> None:
    make_user(session)
    users.issue_token(
        session, email="it@huyen.example", name="t", secret=KEY, now=NOW, actor="cli:root"
    )

    actions = [e["action"] for e in audit.export_rows(session)]

    assert actions == ["console_user.created", "console_user.password_set", "api_token.issued"]
