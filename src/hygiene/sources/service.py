"""One sync of one source, end to end, and the record of every attempt.

    1. a source_run row says "running" (committed, so /healthz sees a sync in progress);
    2. the directory is read and staged in batches (sources.staging);
    3. one transaction: drop entries the directory no longer has; stream the pending changes in
       batches, appending one audit event per account whose evidence changed as each batch is
       read (memory holds one batch); apply them in one UPDATE … FROM (sources.changes); stop
       reminders made moot (sources.reminders); flag "declared but not seen"
       (sources.findings); one audit event for the run (counts + SHA-256 of the change lines,
       in account order);
    4. the run row gets its outcome.

A dry run stages under a name of its own, reads the same changes, and rolls everything back:
nothing in the inventory, the outbox or the audit log changes. A failure leaves the inventory
as it was; the run row keeps the error's code and a detail that never holds the secret.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from hygiene.audit import service as audit
from hygiene.db import row_id, session_scope
from hygiene.settings import Settings, SourceConfig
from hygiene.sources import changes, findings, reminders, staging
from hygiene.sources.base import Source, SourceError
from hygiene.sources.models import SourceRun

SourceFactory = Callable[[str, SourceConfig], Source]
MOVES_REMINDERS = frozenset(("rotation", "expiry", "disabled"))


@dataclass(frozen=True)
class SyncResult:
    source: str
    dry_run: bool
    entries: int
    staged: int
    matched: int
    counts: dict[str, int] = field(default_factory=dict)
    stopped: int = 0
    flagged: int = 0
    changes_hash: str = ""
    run_id: int | None = None

    @property
    def changed(self) -> int:
        return sum(self.counts.values())


def _start(engine: Engine, name: str, now: datetime, attempt: int) -> int:
    with session_scope(engine) as session:
        run = SourceRun(source=name, started_at=now, attempt=attempt)
        session.add(run)
        session.flush()
        return row_id(run.id)


def _finish(engine: Engine, run_id: int, now: datetime, **values: Any) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(SourceRun).where(col(SourceRun.id) == run_id).values(finished_at=now, **values)
        )


def run(
    *,
    engine: Engine,
    settings: Settings,
    name: str,
    source: Source,
    now: datetime,
    key: bytes,
    actor: str,
    dry_run: bool = False,
    attempt: int = 1,
) -> SyncResult:
    """Sync `name` from `source`; raises SourceError (after recording it) if the source fails."""
    config = settings.sources.entries[name]
    staged_as = f"{name}.dry" if dry_run else name
    run_id = -1 if dry_run else _start(engine, name, now, attempt)
    staged = _stage(engine, settings, config, source, name, staged_as, run_id, now)
    with Session(engine, expire_on_commit=False) as session:
        try:
            result = _apply(
                session, settings, config, name, staged_as, staged, run_id, now, key, actor
            )
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
            _cleanup(engine, staged_as, dry_run)
        else:
            session.commit()
            _finish_ok(engine, run_id, now, result)
    return result


def _finish_ok(engine: Engine, run_id: int, now: datetime, result: SyncResult) -> None:
    _finish(
        engine,
        run_id,
        now,
        outcome="ok",
        entries=result.entries,
        matched=result.matched,
        changed=result.changed,
        changes_hash=result.changes_hash,
    )


def _stage(
    engine: Engine,
    settings: Settings,
    config: SourceConfig,
    source: Source,
    name: str,
    staged_as: str,
    run_id: int,
    now: datetime,
) -> staging.Staged:
    """Read the directory into the staging rows; a SourceError is recorded on the run (not on a
    dry run, which has none) and raised again."""
    dry_run = run_id < 0
    try:
        with source:
            return staging.stage(
                engine,
                name=name,
                staged_as=staged_as,
                config=config,
                observations=source.observe(),
                zone=settings.zone,
                run_id=run_id,
                now=now,
            )
    except SourceError as exc:
        _cleanup(engine, staged_as, dry_run)
        if not dry_run:
            outcome = "unavailable" if exc.retryable else "refused"
            detail = str(exc.params.get("reason", ""))[:500]
            _finish(engine, run_id, now, outcome=outcome, error_code=exc.code, detail=detail)
        raise


def _cleanup(engine: Engine, staged_as: str, dry_run: bool) -> None:
    if dry_run:
        with session_scope(engine) as session:
            staging.drop_all(session, staged_as=staged_as)


def _apply(
    session: Session,
    settings: Settings,
    config: SourceConfig,
    name: str,
    staged_as: str,
    staged: staging.Staged,
    run_id: int,
    now: datetime,
    key: bytes,
    actor: str,
) -> SyncResult:
    if run_id >= 0:
        staging.drop_unseen(session, staged_as=staged_as, run_id=run_id)
    covers = list(config.covers)
    counts, rotated, changes_hash = _log_changes(session, name, staged_as, covers, now, key, actor)
    changes.apply(session, name=name, staged=staged_as, covers=covers, now=now)
    session.expire_all()
    stopped = reminders.stop_moot(
        session, official_ids=rotated, settings=settings, now=now, reason=changes.evidence(name)
    )
    flagged = findings.flag(session, settings=settings, name=name, staged=staged_as, now=now)
    matched = findings.matched(session, staged=staged_as, covers=covers)
    result = SyncResult(
        source=name,
        dry_run=run_id < 0,
        entries=staged.entries,
        staged=staged.staged,
        matched=matched,
        counts=counts,
        stopped=len(stopped),
        flagged=len(flagged),
        changes_hash=changes_hash,
        run_id=run_id if run_id >= 0 else None,
    )
    _audit(session, result, flagged, now=now, key=key, actor=actor)
    return result


def _log_changes(
    session: Session,
    name: str,
    staged_as: str,
    covers: list[str],
    now: datetime,
    key: bytes,
    actor: str,
) -> tuple[dict[str, int], set[int], str]:
    """Stream the pending changes, appending the evidence events batch by batch; returns the
    count of each kind, the officials whose reminders may be moot and the SHA-256 of the lines."""
    counts = dict.fromkeys(changes.KINDS, 0)
    rotated: set[int] = set()
    digest = hashlib.sha256()
    for found in changes.pending(session, name=name, staged=staged_as, covers=covers):
        for change in found:
            counts[change.kind] += 1
            if change.kind in MOVES_REMINDERS:
                rotated.add(change.official_id)
        digest.update("".join([f"{change.line()}\n" for change in found]).encode("utf-8"))
        audit.append_many(session, key=key, now=now, events=_evidence_events(name, found, actor))
    return counts, rotated, digest.hexdigest()


def _evidence_events(name: str, found: list[changes.Change], actor: str) -> list[audit.NewEvent]:
    """One event per account whose evidence changed (its changes are consecutive in `found`)."""
    by_account: dict[int, dict[str, Any]] = {}
    for change in found:
        entry = by_account.setdefault(change.account_id, {"source": changes.evidence(name)})
        entry[change.kind] = {"before": change.before, "after": change.after}
        if change.kind == "rotation" and change.seen_at is not None:
            entry["changed_at"] = change.seen_at.isoformat()
    return [
        audit.NewEvent(actor, "sources.evidence", f"account:{account}", data)
        for account, data in by_account.items()
    ]


def _audit(
    session: Session,
    result: SyncResult,
    flagged: list[int],
    *,
    now: datetime,
    key: bytes,
    actor: str,
) -> None:
    events = [
        audit.NewEvent(
            actor,
            "sources.declared_not_seen",
            f"account:{account}",
            {"source": changes.evidence(result.source)},
        )
        for account in flagged
    ]
    summary = {
        "entries": result.entries,
        "matched": result.matched,
        "changes": result.counts,
        "reminders_stopped": result.stopped,
        "declared_not_seen": result.flagged,
        "changes_sha256": result.changes_hash,
    }
    events.append(audit.NewEvent(actor, "sources.synced", f"source:{result.source}", summary))
    audit.append_many(session, key=key, now=now, events=events)
