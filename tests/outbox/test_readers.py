"""A notice whose subject is gone fails alone: its reader's LookupError fails that one message,
and the rest of the batch is rendered and sent."""

import asyncio

from sqlalchemy import Engine
from sqlmodel import Session, select

from hygiene.channels.memory import MemoryChannel
from hygiene.db import row_id
from hygiene.incidents import service as incidents
from hygiene.incidents.models import IncidentReport
from hygiene.outbox.models import Message
from tests import factories as f
from tests.conftest import NOW
from tests.outbox.conftest import MakeDeliverer


def _report(session: Session, key: bytes, unit: int, employee: str) -> int:
    who = f.ident(f.official(session, unit, employee, email=f"{employee.lower()}@xa.example"))
    row = incidents.report(
        session, official_id=who, actor=f"official:{employee}", channel="zalo",
        occurred_on=None, description="Bị dọa tung ảnh ghép", today=NOW.date(), now=NOW, key=key,
    )  # fmt: skip
    session.commit()
    return row_id(row.id)


def test_a_receipt_for_a_deleted_report_fails_and_the_other_is_sent(
    engine: Engine, audit_key: bytes, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    with Session(engine) as session:
        unit = f.ident(f.unit(session, "UBND xã Bình An"))
        kept = _report(session, audit_key, unit, "CB001")
        gone = _report(session, audit_key, unit, "CB002")
        session.delete(session.get(IncidentReport, gone))
        session.commit()

    asyncio.run(make_deliverer().drain())

    with Session(engine) as session:
        rows = {m.idempotency_key: m for m in session.exec(select(Message)).all()}
    assert rows[f"incident:{kept}:receipt"].status == "sent"
    failed = rows[f"incident:{gone}:receipt"]
    assert failed.status == "failed"
    assert f"incident {gone} is gone" in (failed.last_error or "")
    assert [m.to for m in email.sent] == ["cb001@xa.example"]
