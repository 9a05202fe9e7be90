"""Planning is idempotent, merges stale stages and records one audit summary per run."""

from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from hygiene.audit.models import AuditEvent
from hygiene.campaigns import service as campaigns
from hygiene.db import session_scope
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f

AT = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội, the due day of `rotated`


def _district(engine: Engine) -> None:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
        for n in range(3):
            who = f.ident(f.official(session, unit, f"CB00{n}"))
            f.account(session, who, rotated=date(2026, 1, 1))
            f.account(session, who, kind="messaging", system="Zalo", login="0912", rotated=None)


def _plan(engine: Engine, settings: Settings, key: bytes, campaign: str = "rotation") -> int:
    with session_scope(engine) as session:
        return campaigns.plan(
            session=session,
            settings=settings,
            now=AT,
            campaign=campaign,
            audit_key=key,
            actor="test",
        ).planned


def _count(engine: Engine, model: type[Message] | type[AuditEvent]) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_it_plans_one_message_per_official(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    assert _plan(engine, settings, audit_key) == 3


def test_it_plans_nothing_the_second_time_at_the_same_instant(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    _plan(engine, settings, audit_key)
    assert _plan(engine, settings, audit_key) == 0
    assert _count(engine, Message) == 3


def test_it_lists_every_account_at_a_stage_in_the_message(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    _plan(engine, settings, audit_key)
    with Session(engine) as session:
        payloads = session.execute(select(col(Message.payload))).scalars().all()
    assert all(len(p.split(",")) == 2 for p in payloads)


def test_it_names_the_worst_stage_in_the_key(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    _plan(engine, settings, audit_key)
    with Session(engine) as session:
        keys = session.execute(select(col(Message.idempotency_key))).scalars().all()
    # the never-rotated Zalo account (inventoried 01/01) is far beyond the escalation limit
    assert all(k.endswith(":2026-04-01:escalate") for k in keys)


def test_it_appends_one_audit_summary_per_planning_run(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    _plan(engine, settings, audit_key)
    with Session(engine) as session:
        events = session.execute(select(AuditEvent)).scalars().all()
    assert [(e.action, e.subject) for e in events] == [("messages.planned", "campaign:rotation")]


def test_it_plans_no_digest_when_nothing_was_published(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    assert _plan(engine, settings, audit_key, "digest") == 0


def test_it_warns_every_active_official_about_browser_passwords_once_a_month(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    _district(engine)
    assert _plan(engine, settings, audit_key, "browser") == 3
    assert _plan(engine, settings, audit_key, "browser") == 0
    with Session(engine) as session:
        keys = session.execute(select(col(Message.idempotency_key))).scalars().all()
    assert all(k.endswith(":2026-04") for k in keys)
