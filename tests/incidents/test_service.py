"""Storing a threat report: validated, audited without its description."""

from typing import Any

import pytest
from sqlmodel import Session, select

from hygiene.audit.models import AuditEvent
from hygiene.errors import InvalidInput
from hygiene.incidents import service as incidents
from hygiene.incidents.models import IncidentReport
from tests.conftest import NOW


def report(session: Session, key: bytes, **changes: Any) -> IncidentReport:
    values: dict[str, Any] = {
        "official_id": None,
        "actor": "official:CB001",
        "channel": "zalo",
        "occurred_on": None,
        "description": "Bị dọa tung ảnh ghép",
        "today": NOW.date(),
        "now": NOW,
        "key": key,
    }
    return incidents.report(session, **{**values, **changes})


def test_it_stores_the_report_and_audits_it(session: Session, audit_key: bytes) -> None:
    row = report(session, audit_key)

    event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.subject) == ("incident.reported", f"incident:{row.id}")
    assert "ảnh ghép" not in event.data


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"channel": "fax"}, "incident.bad_channel"),
        ({"description": "   "}, "incident.empty"),
        ({"description": "x" * 4001}, "incident.too_long"),
    ],
)
def test_it_refuses_bad_input(
    session: Session, audit_key: bytes, changes: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        report(session, audit_key, **changes)

    assert refused.value.code == code
