"""The escalations a delivery batch reads (the "your unit head was informed" line) come from the
partial index ix_message_escalation, not from a scan of the outbox: without statistics (no
ANALYZE, autovacuum off on the test cluster) and with a large outbox of other messages."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.db import table
from hygiene.outbox import lookup
from hygiene.outbox.models import Message
from tests import factories as f

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ON = date(2026, 3, 2)
OTHERS = 20_000


def _fill(session: Session) -> int:
    unit = f.ident(f.unit(session))
    rows = [
        {
            "idempotency_key": f"{campaign}:{n}",
            "campaign": campaign,
            "kind": "rotation_due" if campaign == "rotation" else "escalation",
            "subject_unit_id": unit,
            "payload": "",
            "planned_on": ON - timedelta(days=n % 30),
            "planned_at": AT,
            "next_attempt_at": AT,
            "updated_at": AT,
        }
        for campaign, count in (("rotation", OTHERS), ("escalation", 30))
        for n in range(count)
    ]
    session.connection().execute(table(Message).insert(), rows)
    return unit


def _plan(engine: Engine, session: Session, unit: int) -> str:
    """The plan of the statement as delivery sends it: with bound parameters."""
    statement = lookup.escalations([unit], ON - timedelta(days=7), ON)
    compiled = statement.compile(
        dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if compiled.positiontup:
        params = tuple(params[name] for name in compiled.positiontup)
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    rows = session.connection().exec_driver_sql(explain + str(compiled), params)
    return "\n".join(str(row[-1]) for row in rows)


def test_recent_escalations_are_read_through_their_index(engine: Engine) -> None:
    with Session(engine) as session:
        unit = _fill(session)

        plan = _plan(engine, session, unit)
        found = session.connection().execute(lookup.escalations([unit], ON - timedelta(7), ON))

        assert "ix_message_escalation" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert "SCAN message" not in plan, plan
        assert len(found.all()) == 8  # the escalations of the week, none of the others
        session.rollback()
