"""Acknowledging by code: effects per campaign, single use, expiry, lockout, audit."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from hygiene.acks import declarations
from hygiene.acks import service as acks
from hygiene.acks.models import Acknowledgement
from hygiene.advisories.models import Advisory
from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent
from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f
from tests.acks.builders import sent_message, wrong_code
from tests.conftest import NOW, SECRET

TODAY = date(2026, 3, 2)


def use(session: Session, settings: Settings, code: str, **extra: Any) -> acks.AckResult:
    options: dict[str, Any] = {"how": "portal", "actor": None, **extra}
    return acks.acknowledge(
        session,
        typed=code,
        now=NOW,
        secret=SECRET.encode(),
        zone=settings.zone,
        **options,
    )


@pytest.fixture
def official_id(session: Session) -> int:
    unit = f.unit(session)
    return f.ident(f.official(session, f.ident(unit), "CB001", phone="+84912345678"))


def test_it_sets_the_rotation_date_of_the_listed_accounts(
    session: Session, settings: Settings, official_id: int
) -> None:
    mail = f.account(session, official_id, rotated=date(2025, 11, 1))
    zalo = f.account(session, official_id, kind="messaging", system="Zalo", login="0912345678")
    other = f.account(session, official_id, kind="social", system="Facebook", login="huong.fb")
    _, code = sent_message(session, official_id, payload=f"{mail.id},{zalo.id}")

    result = use(session, settings, code)
    session.commit()

    rotated = {a.system: a.last_rotated_on for a in session.exec(select(Account)).all()}
    assert rotated == {"Email công vụ": TODAY, "Zalo": TODAY, "Facebook": None}
    assert result.what == "rotation"
    assert set(result.accounts) == {"Email công vụ", "Zalo"}
    assert other.last_rotated_on is None


def test_it_writes_one_acknowledgement_row_per_account(
    session: Session, settings: Settings, official_id: int
) -> None:
    a = f.account(session, official_id)
    b = f.account(session, official_id, kind="messaging", system="Zalo", login="z")
    message, code = sent_message(session, official_id, payload=f"{a.id},{b.id}")

    use(session, settings, code)
    rows = session.exec(select(Acknowledgement)).all()

    assert {(r.what, r.how, r.account_id, r.message_id) for r in rows} == {
        ("rotation", "portal", a.id, message.id),
        ("rotation", "portal", b.id, message.id),
    }
    assert all(r.actor == "official:CB001" and r.acted_on == TODAY for r in rows)


def test_it_clears_passwords_saved_in_browsers_for_a_browser_warning(
    session: Session, settings: Settings, official_id: int
) -> None:
    f.account(session, official_id, browser_saved=True)
    f.account(session, official_id, system="Zalo", login="z", browser_saved=True)
    _, code = sent_message(session, official_id, campaign="browser", kind="browser", stage="saved")

    result = use(session, settings, code)

    assert result.what == "browser"
    assert [a.browser_saved for a in session.exec(select(Account)).all()] == [False, False]
    assert session.exec(select(Acknowledgement.what)).all() == ["browser"]


def test_it_records_each_advisory_of_a_digest_as_read(
    session: Session, settings: Settings, official_id: int
) -> None:
    first = Advisory(title="Cảnh giác ảnh ghép", body="…", published_at=NOW, created_by="so")
    second = Advisory(title="Không lưu mật khẩu", body="…", published_at=NOW, created_by="so")
    session.add_all([first, second])
    session.flush()
    payload = f"{first.id},{second.id}"
    _, code = sent_message(session, official_id, campaign="digest", kind="digest", payload=payload)

    result = use(session, settings, code)
    rows = session.exec(select(Acknowledgement).order_by(col(Acknowledgement.id))).all()

    assert result.advisories == ("Cảnh giác ảnh ghép", "Không lưu mật khẩu")
    assert [(r.what, r.advisory_id) for r in rows] == [
        ("advisory", first.id),
        ("advisory", second.id),
    ]


def test_it_records_an_mfa_declaration(
    session: Session, settings: Settings, official_id: int, audit_key: bytes
) -> None:
    mail = f.account(session, official_id)

    declarations.declare(
        session,
        official_id=official_id,
        what="mfa",
        account_ids=[mail.id or 0],
        actor="official:CB001",
        now=NOW,
        zone=settings.zone,
        key=audit_key,
    )
    session.commit()

    assert session.get_one(Account, mail.id).mfa is True
    assert session.exec(select(Acknowledgement.what)).all() == ["mfa"]
    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.actor) == ("ack.declared", "official:CB001")


def test_a_declaration_cannot_touch_another_officials_account(
    session: Session, settings: Settings, official_id: int, audit_key: bytes
) -> None:
    stranger = f.official(session, f.ident(f.unit(session, "Phòng Tư pháp")), "CB002")
    theirs = f.account(session, f.ident(stranger))

    with pytest.raises(acks.AckRejected):
        declarations.declare(
            session,
            official_id=official_id,
            what="rotation",
            account_ids=[theirs.id or 0],
            actor="official:CB001",
            now=NOW,
            zone=settings.zone,
            key=audit_key,
        )


def test_every_ack_appends_an_audit_event_without_the_code(
    session: Session, settings: Settings, official_id: int, audit_key: bytes
) -> None:
    mail = f.account(session, official_id)
    message, code = sent_message(session, official_id, payload=str(mail.id))

    use(session, settings, code, how="admin", actor="cli:it", note="qua điện thoại")
    session.commit()

    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.subject, event.actor) == (
        "ack.recorded",
        f"message:{message.id}",
        "cli:it",
    )
    assert "qua điện thoại" in event.data
    assert code not in event.data
    assert code.replace("-", "") not in event.data
    assert audit.verify(session, key=audit_key).ok


def test_a_reused_code_is_rejected(session: Session, settings: Settings, official_id: int) -> None:
    _, code = sent_message(session, official_id, payload=str(f.account(session, official_id).id))
    use(session, settings, code)

    with pytest.raises(acks.AckRejected) as refused:
        use(session, settings, code)

    assert refused.value.code == "ack.used"
    assert "đã được dùng" in refused.value.render("vi")


def test_an_expired_code_is_rejected(
    session: Session, settings: Settings, official_id: int
) -> None:
    _, code = sent_message(session, official_id, expires=NOW - timedelta(seconds=1))

    with pytest.raises(acks.AckRejected) as refused:
        use(session, settings, code)

    assert refused.value.code == "ack.expired"
    assert session.exec(select(Message.acknowledged_at)).one() is None


def test_an_unknown_code_is_rejected(session: Session, settings: Settings) -> None:
    with pytest.raises(acks.AckRejected) as refused:
        use(session, settings, wrong_code(1))

    assert refused.value.code == "ack.invalid"


def test_an_sms_from_another_phone_is_rejected_like_an_unknown_code(
    session: Session, settings: Settings, official_id: int
) -> None:
    _, code = sent_message(session, official_id)

    with pytest.raises(acks.AckRejected) as refused:
        use(session, settings, code, how="sms", sender_phone="+84987654321")

    assert refused.value.code == "ack.invalid"


def guard(session: Session, settings: Settings, client: str, code: str) -> None:
    acks.guard(
        session, client=client, typed=code, secret=SECRET.encode(), now=NOW, zone=settings.zone
    )


def test_wrong_codes_lock_the_client_out(session: Session, settings: Settings) -> None:
    for index in range(acks.CLIENT_LIMIT.limit):
        guard(session, settings, "ip:10.0.0.9", wrong_code(index))

    with pytest.raises(acks.AckLocked) as locked:
        guard(session, settings, "ip:10.0.0.9", wrong_code(99))

    assert "tạm bị khóa đến 02/03/2026 10:30" in locked.value.render("vi")
    guard(session, settings, "ip:10.0.0.10", wrong_code(99))  # another client is not locked


def test_one_code_tried_from_many_clients_is_locked(session: Session, settings: Settings) -> None:
    for index in range(acks.CODE_LIMIT.limit):
        guard(session, settings, f"ip:10.0.1.{index}", wrong_code(7))

    with pytest.raises(acks.AckLocked):
        guard(session, settings, "ip:10.0.2.1", wrong_code(7))
    guard(session, settings, "ip:10.0.2.1", wrong_code(8))
