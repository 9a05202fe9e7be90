"""The API's background verification over 3 ranges walked by worker processes names the first
changed row, as one walk does."""

import os
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from hygiene.audit import service as audit
from hygiene.audit import verifier
from hygiene.audit.models import AuditEvent
from tests.audit.test_chain import tamper
from tests.audit.workers import spy_on_workers
from tests.conftest import NOW
from tests.web.api.test_api import _poll
from tests.web.staff import bearer


def test_the_background_verification_in_ranges_names_the_first_changed_row(
    client: TestClient,
    session: Session,
    engine: Engine,
    audit_key: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    auth = bearer(session, "security")
    for i in range(12):
        audit.append(session, key=audit_key, now=NOW + timedelta(seconds=i), actor="cli:an",
                     action="official.update", subject=f"official:CB{i}")  # fmt: skip
    session.commit()
    last = session.exec(select(func.max(AuditEvent.seq))).one()
    session.commit()
    tamper(engine, f"UPDATE audit_event SET actor = 'x' WHERE seq IN ({last - 3}, {last - 1})")
    monkeypatch.setattr(verifier, "PARALLEL_MIN", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    parts = spy_on_workers(monkeypatch)

    started = client.post("/api/v1/audit/verifications", headers=auth)
    verdict = _poll(client, started.headers["location"], auth)

    assert verdict["status"] == "done"
    found = verdict["result"]
    assert (found["first_bad_seq"], found["reason"]) == (last - 3, "hash")
    assert found["verified_up_to"] == last - 4
    assert len(parts) == 2
    assert None not in parts
