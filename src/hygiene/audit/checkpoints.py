"""Checkpoints: the log's head (sequence number, head hash, time, event count) kept outside the
database, so a cut tail, a restored older backup or a rewrite made with the secret key shows.

The hash chain alone proves that the events it holds are consistent; it cannot prove that
nothing was removed from the end, nor that a key holder did not recompute every hash after an
edit. A checkpoint is a claim "event SEQ had hash HASH", written down somewhere the database
cannot change: sent to every security officer by email through the outbox (hygiene.checkpoint_mail,
daily by the scheduler, `security.checkpoint`, and on demand with `hygiene audit checkpoint`),
printed on the monthly report, and kept by the service in a file beside the data
(`<data_dir>/audit-checkpoint`). This module takes, reads and checks checkpoints; it sends nothing.

`check()` compares received checkpoints with the log: an event that is gone (tail cut, older
backup) or has another hash (rewritten with the key) is named. The received text holds one
`SEQ:HASH` per line; anything else on a line (time, count, words) is ignored, so an officer can
paste the lines from the emails as they are.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene import files, i18n
from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent
from hygiene.errors import HygieneError
from hygiene.settings import Settings

_PAIR = re.compile(r"(?<![0-9a-f])(\d+):([0-9a-f]{64})(?![0-9a-f])", re.IGNORECASE)
FILE_NAME = "audit-checkpoint"
CAMPAIGN, KIND = "checkpoint", "audit_checkpoint"
_LINE = re.compile(r"(\d+):([0-9a-f]{64}) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (\d+)")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    at: datetime
    count: int

    @property
    def pair(self) -> str:
        return f"{self.seq}:{self.head_hash}"

    def line(self) -> str:
        """The line an officer keeps: `SEQ:HASH time count` (only SEQ:HASH is checked)."""
        stamp = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.pair} {stamp} {self.count}"


def from_line(line: str) -> Checkpoint | None:
    """The checkpoint a `line()` wrote, or None when `line` is not one."""
    match = _LINE.fullmatch(line.strip())
    if match is None:
        return None
    at = datetime.strptime(match.group(3), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return Checkpoint(int(match.group(1)), match.group(2), at, int(match.group(4)))


def message_context(payload: str, *, settings: Settings) -> dict[str, object]:
    """What the checkpoint message shows: the line to keep, and its parts, time in local time."""
    taken = from_line(payload)
    if taken is None:
        raise LookupError("not a checkpoint line")
    local = taken.at.astimezone(settings.zone).replace(tzinfo=None)
    return {"line": taken.line(), "seq": taken.seq, "hash": taken.head_hash,
            "at": i18n.format_value(local), "count": taken.count}  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """A received checkpoint: event `seq` had hash `head_hash`."""

    seq: int
    head_hash: str


@dataclass(frozen=True)
class Mismatch:
    claim: Claim
    reason: str  # "missing": the log no longer holds the event; "different": another hash


class CheckpointBehind(HygieneError):
    """The log is older than the last checkpoint this service sent: nothing is planned."""

    code = "checkpoint.behind"


def parse_claim(value: str) -> Claim:
    """`SEQ:HASH` as typed on the command line (ValueError when it is not exactly that)."""
    match = _PAIR.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    return Claim(int(match.group(1)), match.group(2).lower())


def claims_from_text(text: str) -> list[Claim]:
    """Every `SEQ:HASH` in received lines, in order (other words on the lines are ignored)."""
    return [Claim(int(match.group(1)), match.group(2).lower()) for match in _PAIR.finditer(text)]


def current(session: Session, *, now: datetime) -> Checkpoint:
    """The log's head now (seq 0 and the genesis hash for an empty log)."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    count = int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())
    seq, digest = (row[0], row[1]) if row else (0, audit.GENESIS)
    return Checkpoint(seq=seq, head_hash=digest, at=now, count=count)


def check(session: Session, *, claims: Sequence[Claim]) -> list[Mismatch]:
    """Every claim the log no longer honours: its event is gone, or its hash changed."""
    wanted = {claim.seq for claim in claims if claim.seq > 0}
    stored = dict(
        session.execute(
            select(AuditEvent.seq, AuditEvent.hash).where(col(AuditEvent.seq).in_(wanted))
        ).all()
    )
    problems = []
    for claim in claims:
        if claim.seq == 0:
            if claim.head_hash != audit.GENESIS:
                problems.append(Mismatch(claim, "different"))
            continue
        digest = stored.get(claim.seq)
        if digest is None:
            problems.append(Mismatch(claim, "missing"))
        elif digest != claim.head_hash:
            problems.append(Mismatch(claim, "different"))
    return problems


def state_path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def remember(path: Path, checkpoint: Checkpoint) -> None:
    """Keep the last checkpoint sent (0600), replacing the previous one atomically."""
    files.write_private(path, (checkpoint.line() + "\n").encode("ascii"))


def last_sent(path: Path) -> Claim | None:
    try:
        claims = claims_from_text(path.read_text("ascii"))
    except FileNotFoundError:
        return None
    return claims[-1] if claims else None


def guard(session: Session, *, path: Path) -> None:
    """Refuse (CheckpointBehind) when the log no longer holds the last checkpoint sent."""
    claim = last_sent(path)
    if claim is None:
        return
    problems = check(session, claims=[claim])
    if problems:
        code = "checkpoint.behind" if problems[0].reason == "missing" else "checkpoint.rewritten"
        raise CheckpointBehind(code, seq=claim.seq, path=str(path))
