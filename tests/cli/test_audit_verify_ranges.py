"""`hygiene audit verify` over 3 ranges walked by worker processes says what one walk says: the
same messages and exit code, for an intact log, a changed or deleted row, a cut tail and a
checkpoint with another hash."""

import os
from datetime import timedelta
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine
from sqlmodel import Session, select

from hygiene.audit import ranges, verifier
from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent
from tests.audit.test_chain import tamper
from tests.audit.workers import spy_on_workers
from tests.conftest import NOW


def _fill(session: Session, key: bytes) -> dict[int, str]:
    for i in range(12):
        audit.append(
            session, key=key, now=NOW + timedelta(seconds=i), actor="cli:an",
            action="official.update", subject=f"official:CB{i + 1}", data={"tên": "Hương"},
        )  # fmt: skip
    hashes = {event.seq: event.hash for event in session.exec(select(AuditEvent))}
    session.commit()  # no transaction left open: the CLI opens its own
    return hashes


def _verify_both(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[Result, Result, list[ranges.Part | None]]:
    """(3 ranges, one walk, the workers' parts) for `audit verify ARGS`."""
    with monkeypatch.context() as patch:
        patch.setattr(verifier, "PARALLEL_MIN", 1)
        patch.setattr(os, "cpu_count", lambda: 3)
        parts = spy_on_workers(patch)
        parallel = run_cli("audit", "verify", *args)
    single = run_cli("audit", "verify", *args)
    return parallel, single, parts


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        (None, "Chuỗi nhật ký toàn vẹn: 12 sự kiện"),
        ("UPDATE audit_event SET subject = 'x' WHERE seq = 5", "#5"),  # first row of range 2
        ("UPDATE audit_event SET data = '{}' WHERE seq = 11", "#11"),
        ("DELETE FROM audit_event WHERE seq = 9", "#9"),  # a gap at a boundary
    ],
)
def test_it_reports_the_chain_as_one_walk_does(
    run_cli: Any,
    session: Session,
    engine: Engine,
    audit_key: bytes,
    monkeypatch: pytest.MonkeyPatch,
    statement: str | None,
    said: str,
) -> None:
    _fill(session, audit_key)
    if statement:
        tamper(engine, statement)

    parallel, single, parts = _verify_both(run_cli, monkeypatch)

    assert parallel.exit_code == (3 if statement else 0), parallel.output
    assert said in parallel.output
    assert (parallel.stdout, parallel.stderr) == (single.stdout, single.stderr)
    assert len(parts) == 2
    assert None not in parts


def test_a_cut_tail_and_a_changed_checkpoint_are_reported_as_one_walk_does(
    run_cli: Any,
    session: Session,
    engine: Engine,
    audit_key: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hashes = _fill(session, audit_key)
    tamper(engine, "DELETE FROM audit_event WHERE seq >= 10")
    claims = ("--checkpoint", f"12:{hashes[12]}", "--checkpoint", f"8:{'a' * 64}")

    parallel, single, parts = _verify_both(run_cli, monkeypatch, *claims)

    assert parallel.exit_code == 3
    assert "12" in parallel.stderr
    assert "a" * 64 in parallel.stderr
    assert (parallel.stdout, parallel.stderr) == (single.stdout, single.stderr)
    assert None not in parts


def test_the_verify_workers_setting_limits_the_processes_of_audit_verify(
    run_cli: Any, session: Session, audit_key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(session, audit_key)
    monkeypatch.setattr(verifier, "PARALLEL_MIN", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    parts = spy_on_workers(monkeypatch)

    limited = run_cli("audit", "verify", env={"HYGIENE_SECURITY__VERIFY_WORKERS": "2"})
    one = run_cli("audit", "verify", env={"HYGIENE_SECURITY__VERIFY_WORKERS": "1"})

    assert (limited.exit_code, one.exit_code) == (0, 0), limited.output + one.output
    assert "12 sự kiện" in limited.output
    assert len(parts) == 1  # 2 processes: this one and one worker; then 1: no worker


def test_a_verify_workers_setting_below_one_is_refused(run_cli: Any) -> None:
    result = run_cli("audit", "verify", env={"HYGIENE_SECURITY__VERIFY_WORKERS": "0"})

    assert result.exit_code != 0
    assert "verify_workers" in result.output
