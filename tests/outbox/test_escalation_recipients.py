"""Escalations reach a person: the named unit head, or the security officers when a unit has none;
and an overdue reminder says someone was informed only when that escalation was planned."""

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.campaigns import service as campaigns
from hygiene.channels.memory import MemoryChannel
from hygiene.db import session_scope
from hygiene.errors import InvalidInput
from hygiene.inventory import heads
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser
from tests import factories as f
from tests.outbox.conftest import MakeDeliverer

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 02/03/2026, 09:00 in Hà Nội
LATE = date(2025, 10, 1)  # due 30/12/2025: past escalate_after_days on 02/03/2026


def _plan(engine: Engine, settings: Settings, key: bytes, campaign: str) -> list[str]:
    with session_scope(engine) as session:
        return campaigns.plan(
            session=session, settings=settings, now=AT, campaign=campaign, audit_key=key,
            actor="test",
        ).keys  # fmt: skip


def _security(session: Session, email: str, roles: str = "security") -> int:
    user = ConsoleUser(email=email, roles=roles, display_name="Trần Văn Bảo", created_at=AT)
    session.add(user)
    session.flush()
    assert user.id is not None
    return user.id


def _district(engine: Engine, key: bytes, *, head: bool) -> dict[str, int]:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session, "UBND xã Bình An"))
        ids = {n: f.ident(f.official(session, unit, n)) for n in ("TRUONG", "LATE")}
        f.account(session, ids["LATE"], rotated=LATE)
        ids["sec"] = _security(session, "an.ninh@xa.example")
        ids["admin"] = _security(session, "it@xa.example", roles="admin")
        if head:
            heads.set_head(
                session, unit="UBND xã Bình An", employee_id="TRUONG", key=key, now=AT,
                actor="test",
            )  # fmt: skip
    return ids


def _recipients(engine: Engine) -> list[tuple[int | None, int | None, str]]:
    with Session(engine) as session:
        query = select(col(Message.official_id), col(Message.user_id), col(Message.payload)).where(
            col(Message.campaign) == "escalation"
        )
        return [tuple(row) for row in session.execute(query)]


def test_it_escalates_to_the_unit_head_that_was_named(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    ids = _district(engine, audit_key, head=True)
    _plan(engine, settings, audit_key, "escalation")
    assert _recipients(engine) == [(ids["TRUONG"], None, str(ids["LATE"]))]


def test_a_unit_with_no_head_escalates_to_each_security_officer(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    ids = _district(engine, audit_key, head=False)
    keys = _plan(engine, settings, audit_key, "escalation")
    assert _recipients(engine) == [(None, ids["sec"], str(ids["LATE"]))]
    assert keys == [f"escalation:1:2026-W10:user:{ids['sec']}"]
    with Session(engine) as session:
        assert [h.name for h in heads.without_head(session)] == ["UBND xã Bình An"]


def test_a_head_must_belong_to_the_unit(engine: Engine, audit_key: bytes) -> None:
    with session_scope(engine) as session:
        f.unit(session, "Phòng Nội vụ")
        other = f.ident(f.unit(session, "Phòng Tư pháp"))
        f.official(session, other, "TP01")
        with pytest.raises(InvalidInput) as caught:
            heads.set_head(
                session, unit="Phòng Nội vụ", employee_id="TP01", key=audit_key, now=AT,
                actor="test",
            )  # fmt: skip
    assert "không thuộc đơn vị «Phòng Nội vụ»" in caught.value.render("vi")


@pytest.mark.parametrize("head", [True, False])
def test_an_overdue_reminder_names_who_was_informed(
    engine: Engine,
    settings: Settings,
    audit_key: bytes,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    head: bool,
) -> None:
    _district(engine, audit_key, head=head)
    _plan(engine, settings, audit_key, "rotation")
    _plan(engine, settings, audit_key, "escalation")
    asyncio.run(make_deliverer().drain())
    reminder = next(m for m in email.sent if m.to == "late@xa.example")
    told = next(m for m in email.sent if "quá hạn" in m.subject and m.to != "late@xa.example")
    if head:
        assert "lãnh đạo đơn vị đã được thông báo" in reminder.text
        assert told.to == "truong@xa.example"
    else:
        assert "bộ phận an toàn thông tin đã được thông báo" in reminder.text
        assert told.to == "an.ninh@xa.example"
        assert "Kính gửi đồng chí Trần Văn Bảo" in told.text
        assert "chưa có lãnh đạo đơn vị" in told.text


def test_an_overdue_reminder_claims_nothing_when_no_escalation_was_planned(
    engine: Engine,
    settings: Settings,
    audit_key: bytes,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
) -> None:
    _district(engine, audit_key, head=True)
    _plan(engine, settings, audit_key, "rotation")
    asyncio.run(make_deliverer().drain())
    reminder = next(m for m in email.sent if m.to == "late@xa.example")
    assert "quá hạn từ ngày 30/12/2025" in reminder.text
    assert "đã được thông báo" not in reminder.text
