from datetime import date, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.inventory.models import Account
from hygiene.sources.models import SourceEntry, SourceRun
from tests.helpers import snapshot
from tests.sources.conftest import CHANGED, Sync, seen


def _account(engine: Engine, account_id: int) -> Account:
    with Session(engine) as session:
        row = session.get(Account, account_id)
        assert row is not None
        return row


def test_it_moves_last_rotated_forward_with_the_directory_as_its_source(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    result = sync(seen("huong", CHANGED), seen("minh"))
    account = _account(engine, inventory["huong"])
    assert account.last_rotated_on == date(2026, 2, 20)
    assert account.rotation_source == "directory:ad"
    assert account.rotation_seen_at is not None
    assert result.counts["rotation"] == 1
    assert _account(engine, inventory["minh"]).last_rotated_on == date(2025, 10, 1)


def test_it_never_moves_last_rotated_back(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    sync(seen("huong", CHANGED - timedelta(days=400)))
    assert _account(engine, inventory["huong"]).last_rotated_on == date(2025, 10, 1)


def test_it_matches_only_the_systems_the_source_covers(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    result = sync(seen("lan", CHANGED))
    assert result.matched == 1  # the Zalo account with the same login is not this directory's
    with Session(engine) as session:
        zalo = session.exec(select(Account).where(Account.system == "Zalo")).one()
    assert zalo.last_rotated_on is None


def test_a_second_identical_sync_changes_nothing(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    sync(seen("huong", CHANGED, mfa=True))
    before = snapshot(engine)["account"]
    again = sync(seen("huong", CHANGED, mfa=True))
    assert again.changed == 0
    assert snapshot(engine)["account"] == before


def test_a_dry_run_changes_nothing_but_reports_the_changes(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    before = snapshot(engine)
    result = sync(seen("huong", CHANGED), dry_run=True)
    assert result.counts["rotation"] == 1
    after = snapshot(engine)
    assert after == before


def test_it_writes_one_audit_event_per_changed_account_and_one_per_run(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    sync(seen("huong", CHANGED, mfa=True), seen("minh", CHANGED), seen("lan"))
    with Session(engine) as session:
        actions = [
            (e.action, e.subject)
            for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()
        ]
    evidence = [s for a, s in actions if a == "sources.evidence"]
    assert sorted(evidence) == sorted(f"account:{inventory[k]}" for k in ("huong", "minh"))
    assert [a for a, _ in actions].count("sources.synced") == 1


def test_the_run_event_carries_counts_and_a_hash_of_the_changes(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    result = sync(seen("huong", CHANGED))
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "sources.synced")).one()
    assert f'"changes_sha256":"{result.changes_hash}"' in event.data
    assert '"rotation":1' in event.data


def test_a_disabled_directory_account_becomes_inactive_with_the_reason_and_back(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    sync(seen("minh", disabled=True))
    assert _account(engine, inventory["minh"]).inactive_reason == "directory:ad"
    sync(seen("minh", disabled=False))
    assert _account(engine, inventory["minh"]).inactive_reason is None


def test_it_records_mfa_and_the_directory_expiry(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    from datetime import UTC, datetime

    sync(seen("huong", CHANGED, mfa=True, expires_at=datetime(2026, 4, 1, 1, tzinfo=UTC)))
    account = _account(engine, inventory["huong"])
    assert (account.mfa, account.mfa_source) == (True, "directory:ad")
    assert account.expires_on == date(2026, 4, 1)


def test_entries_gone_from_the_directory_are_dropped_but_no_account_is_deactivated(
    engine: Engine, inventory: dict[str, int], sync: Sync
) -> None:
    sync(seen("huong", CHANGED), seen("minh"))
    sync(seen("huong", CHANGED))
    with Session(engine) as session:
        keys = session.exec(select(SourceEntry.match_key)).all()
        runs = session.execute(select(func.count()).select_from(SourceRun)).scalar_one()
    assert list(keys) == ["huong"]
    assert _account(engine, inventory["minh"]).inactive_reason is None
    assert runs == 2
