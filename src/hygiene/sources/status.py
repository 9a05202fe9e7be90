"""Each configured source's state from its recent runs: what /healthz, /metrics, the console and
`hygiene sources list` show. A source is "down" when its latest finished run failed; one down
source never makes the service unhealthy (the others, planning and delivery go on)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene.settings import Settings
from hygiene.sources.models import SourceRun


@dataclass(frozen=True)
class SourceHealth:
    source: str
    kind: str
    state: str  # ok | down | refused | never | disabled
    last_ok_at: datetime | None
    last_run_at: datetime | None
    error_code: str | None
    detail: str | None
    entries: int
    matched: int


def _latest(session: Session, name: str, outcome: str | None = None) -> SourceRun | None:
    query = select(SourceRun).where(
        col(SourceRun.source) == name, col(SourceRun.finished_at).is_not(None)
    )
    if outcome is not None:
        query = query.where(col(SourceRun.outcome) == outcome)
    return session.exec(query.order_by(col(SourceRun.id).desc()).limit(1)).first()


def health(session: Session, *, settings: Settings) -> list[SourceHealth]:
    out: list[SourceHealth] = []
    for name, config in settings.sources.entries.items():
        last, ok = _latest(session, name), _latest(session, name, "ok")
        if not config.enabled:
            state = "disabled"
        elif last is None:
            state = "never"
        else:
            state = {"ok": "ok", "refused": "refused"}.get(last.outcome, "down")
        out.append(
            SourceHealth(
                source=name,
                kind=config.kind,
                state=state,
                last_ok_at=ok.finished_at if ok else None,
                last_run_at=last.finished_at if last else None,
                error_code=last.error_code if last and last.outcome != "ok" else None,
                detail=last.detail if last and last.outcome != "ok" else None,
                entries=ok.entries if ok else 0,
                matched=ok.matched if ok else 0,
            )
        )
    return out


def run_count(session: Session, name: str) -> int:
    query = select(func.count()).select_from(SourceRun).where(col(SourceRun.source) == name)
    return int(session.exec(query).one())


def metric_families(session: Session, *, settings: Settings) -> list[Any]:
    """hygiene_source_up{source}, hygiene_source_last_success_timestamp{source} and
    hygiene_source_entries{source}, for /metrics."""
    from prometheus_client.core import GaugeMetricFamily

    up = GaugeMetricFamily("hygiene_source_up", "1 when the last sync succeeded", labels=["source"])
    last = GaugeMetricFamily(
        "hygiene_source_last_success_timestamp",
        "Unix time of the last successful sync",
        labels=["source"],
    )
    entries = GaugeMetricFamily(
        "hygiene_source_entries", "Entries read by the last successful sync", labels=["source"]
    )
    for h in health(session, settings=settings):
        up.add_metric([h.source], 1.0 if h.state == "ok" else 0.0)
        if h.last_ok_at is not None:
            at = h.last_ok_at if h.last_ok_at.tzinfo else h.last_ok_at.replace(tzinfo=UTC)
            last.add_metric([h.source], at.timestamp())
        entries.add_metric([h.source], float(h.entries))
    return [up, last, entries]
