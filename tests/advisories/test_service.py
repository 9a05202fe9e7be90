"""Publishing advisories: audited, and refused when they carry a link."""

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.advisories import service as advisories
from hygiene.audit.models import AuditEvent
from hygiene.clock import FixedClock
from hygiene.errors import InvalidInput


def _publish(session: Session, clock: FixedClock, key: bytes, body: str) -> None:
    advisories.publish(
        session, title="Cảnh giác tống tiền", body=body, severity="high", reference="CV 12",
        requires_ack=True, now=clock.now(), actor="test", key=key,
    )  # fmt: skip


def test_it_logs_a_published_advisory(engine: Engine, clock: FixedClock, audit_key: bytes) -> None:
    with Session(engine) as session:
        _publish(session, clock, audit_key, "Không chuyển tiền, báo công an.")
        session.commit()
        actions = session.execute(select(col(AuditEvent.action))).scalars().all()
    assert actions == ["advisory.published"]


def test_it_refuses_an_advisory_with_a_link(
    engine: Engine, clock: FixedClock, audit_key: bytes
) -> None:
    with Session(engine) as session, pytest.raises(InvalidInput):
        _publish(session, clock, audit_key, "Chi tiết: www.example.vn")
