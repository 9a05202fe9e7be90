"""`hygiene db upgrade` seals the TOTP seeds that releases before sealing stored in clear
(issue 13, item 5): afterwards the column holds no seed and the user's codes still work."""

from collections.abc import Callable
from typing import Any

import pyotp
from sqlalchemy import text
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.users import service as users
from hygiene.users import totp as second_factor
from tests.conftest import NOW
from tests.users.test_service import GOOD, KEY, make_user

EMAIL = "it@huyen.example"


def stored_seed(session: Session) -> str:
    session.expire_all()
    value = session.execute(
        text("SELECT totp_secret FROM console_user WHERE email = :e"), {"e": EMAIL}
    ).scalar_one()
    session.rollback()
    return str(value)


def plant_plaintext_seed(session: Session) -> str:
    """What the old release wrote: pyotp's base32 seed, as it is."""
    make_user(session, EMAIL)
    seed = pyotp.random_base32()
    session.execute(
        text("UPDATE console_user SET totp_secret = :s WHERE email = :e"), {"s": seed, "e": EMAIL}
    )
    session.commit()
    return seed


def test_db_upgrade_seals_a_plaintext_seed_and_totp_still_verifies(
    session: Session, run_cli: Callable[..., Any]
) -> None:
    seed = plant_plaintext_seed(session)

    result = run_cli("db", "upgrade")
    stored = stored_seed(session)
    user = users.authenticate(
        session, email=EMAIL, password=GOOD, totp=pyotp.TOTP(seed).at(NOW), now=NOW, secret=KEY
    )

    assert result.exit_code == 0, result.output
    assert "Đã niêm phong 1 khóa TOTP" in result.output
    assert seed not in stored
    assert second_factor.unseal(stored, secret=KEY) == seed
    assert user.email == EMAIL
    assert [e["action"] for e in audit.export_rows(session)][-1] == "users.totp_sealed"


def test_a_second_upgrade_leaves_sealed_seeds_alone(
    session: Session, run_cli: Callable[..., Any]
) -> None:
    plant_plaintext_seed(session)
    run_cli("db", "upgrade")
    sealed = stored_seed(session)

    again = run_cli("db", "upgrade")

    assert again.exit_code == 0, again.output
    assert "TOTP" not in again.output
    assert stored_seed(session) == sealed


def test_a_plaintext_seed_is_refused_at_sign_in_until_the_upgrade(session: Session) -> None:
    """Why the upgrade must seal: the sign-in reads only sealed seeds."""
    seed = plant_plaintext_seed(session)

    try:
        users.authenticate(
            session, email=EMAIL, password=GOOD, totp=pyotp.TOTP(seed).at(NOW), now=NOW,
            secret=KEY,
        )  # fmt: skip
        signed_in = True
    except users.SignInFailed:
        signed_in = False

    assert signed_in is False
