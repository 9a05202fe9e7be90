"""Browser warnings, digests and escalations: who gets one, and how often."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.advisories import service as advisories
from hygiene.campaigns import service as campaigns
from hygiene.db import session_scope
from hygiene.inventory.models import Unit
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 02/03/2026, 09:00 in Hà Nội


def _plan(engine: Engine, settings: Settings, key: bytes, campaign: str, at: datetime) -> list[str]:
    with session_scope(engine) as session:
        return campaigns.plan(
            session=session, settings=settings, now=at, campaign=campaign, audit_key=key,
            actor="test",
        ).keys  # fmt: skip


def _officials(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
        ids = {
            name: f.ident(f.official(session, unit, name, active=name != "OFF"))
            for name in ("HEAD", "SAVED", "PLAIN", "LATE", "OFF")
        }
        f.account(session, ids["SAVED"], browser_saved=True, rotated=date(2026, 2, 1))
        f.account(session, ids["PLAIN"], rotated=date(2026, 2, 1))
        f.account(session, ids["LATE"], rotated=date(2025, 10, 1))  # due 30/12, escalated
        f.account(session, ids["HEAD"], rotated=date(2025, 10, 1))
        unit_row = session.get(Unit, unit)
        assert unit_row is not None
        unit_row.head_official_id = ids["HEAD"]
    return ids


def test_it_warns_a_browser_saved_official_again_after_the_short_period(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    ids = _officials(engine)
    _plan(engine, settings, audit_key, "browser", AT)
    again = _plan(engine, settings, audit_key, "browser", AT + timedelta(days=7))
    assert [k.split(":")[1] for k in again] == [str(ids["SAVED"])]


def test_it_leaves_out_inactive_officials_from_browser_warnings(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    ids = _officials(engine)
    keys = _plan(engine, settings, audit_key, "browser", AT)
    assert f"browser:{ids['OFF']}:2026-03" not in keys
    assert len(keys) == 4


def _publish(engine: Engine, key: bytes, at: datetime, title: str) -> None:
    with session_scope(engine) as session:
        advisories.publish(
            session, title=title, body="Không chuyển tiền cho kẻ tống tiền.", severity="high",
            reference=None, requires_ack=True, now=at, actor="test", key=key,
        )  # fmt: skip


def test_it_digests_the_advisories_published_since_the_last_digest(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _officials(engine)
    _publish(engine, audit_key, AT - timedelta(days=1), "Cảnh báo 1")
    _plan(engine, settings, audit_key, "digest", AT)
    _publish(engine, audit_key, AT + timedelta(days=2), "Cảnh báo 2")
    _plan(engine, settings, audit_key, "digest", AT + timedelta(days=7))
    with Session(engine) as session:
        payloads = session.execute(
            select(col(Message.planned_on), col(Message.payload)).where(
                col(Message.campaign) == "digest"
            )
        ).all()
    assert sorted(set(payloads)) == [(date(2026, 3, 2), "1"), (date(2026, 3, 9), "2")]


def test_it_sends_no_digest_when_nothing_is_new(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _officials(engine)
    _publish(engine, audit_key, AT - timedelta(days=1), "Cảnh báo 1")
    _plan(engine, settings, audit_key, "digest", AT)
    assert _plan(engine, settings, audit_key, "digest", AT + timedelta(days=7)) == []


def test_it_escalates_the_overdue_officials_of_a_unit_to_its_head(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    ids = _officials(engine)
    _plan(engine, settings, audit_key, "escalation", AT)
    with Session(engine) as session:
        rows = session.execute(select(col(Message.official_id), col(Message.payload))).all()
    assert rows == [(ids["HEAD"], str(ids["LATE"]))]


def test_it_escalates_once_a_week(engine: Engine, settings: Settings, audit_key: bytes) -> None:
    _officials(engine)
    _plan(engine, settings, audit_key, "escalation", AT)
    assert _plan(engine, settings, audit_key, "escalation", AT + timedelta(days=2)) == []


def test_an_advisory_with_an_audience_is_digested_only_for_those_units(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    from hygiene.advisories.audience_models import AdvisoryUnit
    from hygiene.advisories.models import Advisory

    ids = _officials(engine)
    with session_scope(engine) as session:
        other_unit = f.ident(f.unit(session, "UBND xã Khác"))
        outsider = f.ident(f.official(session, other_unit, "OUT"))
    _publish(engine, audit_key, AT - timedelta(days=1), "Chỉ cho xã Khác")
    with session_scope(engine) as session:
        advisory = session.execute(select(Advisory)).scalars().one()
        session.add(AdvisoryUnit(advisory_id=advisory.id or 0, unit_id=other_unit))

    keys = _plan(engine, settings, audit_key, "digest", AT)

    assert [k.split(":")[1] for k in keys] == [str(outsider)]
    assert str(ids["PLAIN"]) not in {k.split(":")[1] for k in keys}
