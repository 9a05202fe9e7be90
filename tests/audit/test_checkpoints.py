"""Checkpoints anchor the compliance log outside the database (issue 13, item 3): a cut tail, a
restored older backup and a rewrite made with the key all fail `verify --checkpoint`, and the
service refuses to plan behind the last checkpoint it sent."""

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent
from tests.conftest import PG_URL, SECRET
from tests.reliability.security_helpers import tamper, write_inventory

PAIR = re.compile(r"^(\d+:[0-9a-f]{64}) \S+Z \d+$", re.MULTILINE)


def fill(run_cli: Any, tmp_path: Path, name: str = "inventory.csv", rows: int = 3) -> None:
    imported = run_cli("import", str(write_inventory(tmp_path / name, rows=rows)))
    assert imported.exit_code == 0, imported.output


def take_checkpoint(run_cli: Any) -> str:
    result = run_cli("audit", "checkpoint")
    assert result.exit_code == 0, result.output
    found = PAIR.search(result.stdout)
    assert found, result.stdout
    return found.group(1)


def verify(run_cli: Any, *checkpoints: str) -> Any:
    return run_cli("audit", "verify", *[f"--checkpoint={c}" for c in checkpoints])


def test_a_cut_tail_passes_the_chain_check_but_not_the_checkpoint(
    run_cli: Any, engine: Engine, tmp_path: Path
) -> None:
    fill(run_cli, tmp_path)
    pair = take_checkpoint(run_cli)
    seq = int(pair.split(":")[0])

    tamper(engine, f"DELETE FROM audit_event WHERE seq >= {seq - 1}")

    assert run_cli("audit", "verify").exit_code == 0  # the chain alone cannot tell
    result = verify(run_cli, pair)
    assert result.exit_code == 3, result.output
    assert f"#{seq}" in result.output


def test_a_rewrite_made_with_the_key_is_caught(
    run_cli: Any, engine: Engine, tmp_path: Path
) -> None:
    fill(run_cli, tmp_path)
    pair = take_checkpoint(run_cli)
    rewrite_from(engine, seq=2, actor="cli:mallory")

    assert run_cli("audit", "verify").exit_code == 0
    result = verify(run_cli, pair)
    assert result.exit_code == 3
    assert "rewritten" in result.output or "viết lại" in result.output


def test_it_reads_the_checkpoints_from_the_received_lines(
    run_cli: Any, engine: Engine, tmp_path: Path
) -> None:
    fill(run_cli, tmp_path)
    first = take_checkpoint(run_cli)
    fill(run_cli, tmp_path, "more.csv", rows=5)
    second = take_checkpoint(run_cli)
    received = tmp_path / "received.txt"
    received.write_text(f"Điểm kiểm tra: {first} 01/12/2026\n\nCheckpoint {second} (x)\n")

    assert run_cli("audit", "verify", "--checkpoints", str(received)).exit_code == 0
    tamper(engine, f"DELETE FROM audit_event WHERE seq > {int(first.split(':')[0])}")
    result = run_cli("audit", "verify", "--checkpoints", str(received))
    assert result.exit_code == 3
    assert f"#{second.split(':')[0]}" in result.output
    assert f"#{first.split(':')[0]}" not in result.output  # the older one still holds


def test_a_malformed_checkpoint_is_refused_clearly(run_cli: Any) -> None:
    result = run_cli("audit", "verify", "--checkpoint", "12:abc")

    assert result.exit_code == 2
    assert "12:abc" in result.output


@pytest.mark.skipif(bool(PG_URL), reason="restores a SQLite file; the PostgreSQL leg cuts the tail")
def test_a_restored_older_backup_is_caught_and_planning_stops(
    run_cli: Any, db_url: str, tmp_path: Path
) -> None:
    fill(run_cli, tmp_path)
    older = tmp_path / "older.db"
    assert run_cli("backup", "-o", str(older)).exit_code == 0
    fill(run_cli, tmp_path, "more.csv", rows=5)
    pair = take_checkpoint(run_cli)

    live = Path(db_url.removeprefix("sqlite:///"))
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(older, live)

    assert run_cli("audit", "verify").exit_code == 0
    assert verify(run_cli, pair).exit_code == 3
    planned = run_cli("run", "plan", env={"HYGIENE_LOCALE": "en"})
    assert planned.exit_code != 0
    assert "checkpoint" in planned.output
    assert "restored from an older backup" in planned.output


def test_planning_goes_on_while_the_log_holds_the_last_checkpoint(
    run_cli: Any, tmp_path: Path
) -> None:
    fill(run_cli, tmp_path)
    take_checkpoint(run_cli)

    assert (tmp_path / "var" / "audit-checkpoint").stat().st_mode & 0o777 == 0o600
    planned = run_cli("run", "plan")
    assert planned.exit_code == 0, planned.output


def rewrite_from(engine: Engine, *, seq: int, actor: str) -> None:
    """What a key holder can do: edit event `seq` and recompute every hash after it."""
    key = audit.audit_key(SECRET.encode())
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.seq >= seq).order_by(col(AuditEvent.seq))
        ).all()
        prev = rows[0].prev_hash
    statements = []
    for row in rows:
        digest = audit.compute_hash(
            key, seq=row.seq, at=row.at, actor=actor if row.seq == seq else row.actor,
            action=row.action, subject=row.subject, data=row.data, prev_hash=prev,
        )  # fmt: skip
        new_actor = actor if row.seq == seq else row.actor
        statements.append(
            f"UPDATE audit_event SET actor = '{new_actor}', prev_hash = '{prev}', "
            f"hash = '{digest}' WHERE seq = {row.seq}"
        )
        prev = digest
    for statement in statements:
        tamper(engine, statement)
