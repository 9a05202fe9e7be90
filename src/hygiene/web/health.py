"""GET /healthz and GET /metrics (Prometheus text format)."""

import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene import db
from hygiene.audit.models import AuditEvent
from hygiene.bootstrap import Deps
from hygiene.outbox.models import Message
from hygiene.reports import snapshot
from hygiene.runtime import Runtime
from hygiene.sources import status as source_status
from hygiene.web.auth import PublicDep
from hygiene.web.deps import DepsDep, RuntimeDep

router = APIRouter(include_in_schema=False)
STALE_AFTER = timedelta(minutes=5)
INVENTORY_GAUGES = ("officials", "accounts", "never_rotated", "overdue", "mfa")


def _database_ok(deps: Deps) -> tuple[bool, str]:
    try:
        revision = db.current_revision(deps.engine)
        return revision is not None, revision or "not migrated"
    except Exception as exc:  # any failure means "not healthy"
        return False, type(exc).__name__


def _scheduler_state(runtime: Runtime, now: datetime) -> str:
    if not runtime.scheduler_enabled:
        return "disabled"
    if not runtime.scheduler_running:
        return "stopped"
    last = runtime.last_deliver_at
    if last is not None and now - last > STALE_AFTER:
        return "stale"
    return "ok"


def _clock_state(runtime: Runtime) -> dict[str, Any]:
    """This host's clock against the database's (leases follow the database's; see clockcheck)."""
    health = runtime.delivery
    if health.clock_skew_seconds is None:
        return {"state": "n/a", "skew_seconds": None}
    state = "skewed" if health.clock_skewed else "ok"
    return {
        "state": state,
        "skew_seconds": round(health.clock_skew_seconds, 3),
        "limit_seconds": health.clock_skew_limit,
    }


@router.get("/healthz")
def healthz(deps: DepsDep, runtime: RuntimeDep, _: PublicDep) -> JSONResponse:
    """200 when the database answers and the scheduler (if enabled) is alive, else 503."""
    now = deps.clock.now()
    database_ok, database_detail = _database_ok(deps)
    scheduler = _scheduler_state(runtime, now)
    errors = {**runtime.delivery.channels_down, **runtime.channel_errors}
    channels = {name: errors.get(name, "ok") for name in runtime.channels}
    delivery = runtime.delivery.reason()  # a full disk or a lost database, as the loop saw it
    healthy = database_ok and scheduler in {"ok", "disabled"} and delivery is None
    sources = _source_states(deps) if database_ok else {}
    body: dict[str, Any] = {
        "status": "ok" if healthy else "fail",
        "database": "ok" if database_ok else database_detail,
        "schema": database_detail if database_ok else None,
        "scheduler": scheduler,
        "delivery": delivery or "ok",
        "clock": _clock_state(runtime),
        "channels": channels,
        # A directory source that is down degrades the service; it never fails it.
        "sources": sources,
        "degraded": sorted(n for n, state in channels.items() if state != "ok")
        + sorted(f"source:{n}" for n, state in sources.items() if state in ("down", "refused")),
    }
    return JSONResponse(
        body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"}
    )


def _source_states(deps: Deps) -> dict[str, str]:
    with db.read_session(deps.engine) as session:
        return {h.source: h.state for h in source_status.health(session, settings=deps.settings)}


class _Collector(Collector):
    """Reads the database at scrape time: set-based counts, never a loop over rows."""

    def __init__(self, deps: Deps, runtime: Runtime) -> None:
        self.deps, self.runtime = deps, runtime

    def collect(self) -> Iterator[Metric]:
        yield from self._runtime_metrics()
        with db.read_session(self.deps.engine) as session:
            yield from self._inventory_metrics(session)
            yield from self._outbox_metrics(session)
            yield from source_status.metric_families(session, settings=self.deps.settings)

    def _runtime_metrics(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "hygiene_channel_up", "1 when the channel can send", labels=["channel"]
        )
        for name in self.runtime.channels:
            up.add_metric([name], 0.0 if name in self.runtime.channel_errors else 1.0)
        yield up
        yield from self._delivery_metrics()
        yield GaugeMetricFamily(
            "hygiene_scheduler_running",
            "1 when this process runs the scheduler",
            value=1.0 if self.runtime.scheduler_running else 0.0,
        )
        if self.runtime.last_plan_seconds is not None:
            yield GaugeMetricFamily(
                "hygiene_plan_duration_seconds",
                "Duration of the last planning run",
                value=self.runtime.last_plan_seconds,
            )

    def _delivery_metrics(self) -> Iterator[Metric]:
        health = self.runtime.delivery
        degraded = GaugeMetricFamily(
            "hygiene_delivery_degraded",
            "1 while delivery is paused by a database condition (disk full, database lost)",
            labels=["condition"],
        )
        if health.problem is not None:
            degraded.add_metric([health.problem], 1.0)
        yield degraded
        started = CounterMetricFamily(
            "hygiene_delivery_conditions",
            "Times a database condition paused delivery",
            labels=["condition"],
        )
        for condition, count in sorted(health.conditions.items()):
            started.add_metric([condition], float(count))
        yield started
        if health.clock_skew_seconds is not None:
            yield GaugeMetricFamily(
                "hygiene_clock_skew_seconds",
                "This host's clock minus the database server's",
                value=health.clock_skew_seconds,
            )
            yield GaugeMetricFamily(
                "hygiene_clock_skewed",
                "1 when the skew is beyond delivery.max_clock_skew_seconds",
                value=1.0 if health.clock_skewed else 0.0,
            )

    def _inventory_metrics(self, session: Session) -> Iterator[Metric]:
        """From the latest compliance snapshot (a few hundred rows), never the live accounts:
        a scrape costs the same at 1,000 or 1,000,000 accounts."""
        stored = snapshot.latest(session)
        figures = stored.figures if stored else {}
        counts = {"units": snapshot.unit_count(session)}
        counts |= {name: figures.get(name, 0) for name in INVENTORY_GAUGES}
        for name, value in counts.items():
            yield GaugeMetricFamily(
                f"hygiene_inventory_{name}", f"Inventory: {name} (latest snapshot)", value=value
            )
        yield GaugeMetricFamily(
            "hygiene_compliance_snapshot_timestamp_seconds",
            "When the latest compliance snapshot was stored (0: none yet)",
            value=stored.taken_at.timestamp() if stored else 0.0,
        )
        head = session.execute(select(func.coalesce(func.max(AuditEvent.seq), 0))).scalar_one()
        yield GaugeMetricFamily(
            "hygiene_audit_events", "Events in the compliance log (its head seq)", value=head
        )

    def _outbox_metrics(self, session: Session) -> Iterator[Metric]:
        """One pass over ix_message_status_channel (status, channel, acknowledged_at), an
        index-only read: the counts per status and channel and the acknowledged sent ones."""
        by_status = GaugeMetricFamily(
            "hygiene_messages", "Messages in the outbox", labels=["status", "channel"]
        )
        query = select(
            Message.status, Message.channel, func.count(), func.count(col(Message.acknowledged_at))
        ).group_by(col(Message.status), col(Message.channel))
        sent = acked = 0
        for status, channel, count, acknowledged in session.execute(query):
            by_status.add_metric([status, channel or ""], float(count))
            if status == "sent":
                sent, acked = sent + count, acked + acknowledged
        yield by_status
        yield GaugeMetricFamily(
            "hygiene_oldest_pending_seconds",
            "Age of the oldest message due and not yet sent",
            value=self._oldest_pending_age(session),
        )
        yield GaugeMetricFamily(
            "hygiene_ack_rate",
            "Acknowledged share of sent messages",
            value=(acked / sent) if sent else 0.0,
        )

    def _oldest_pending_age(self, session: Session) -> float:
        oldest: datetime | None = session.execute(
            select(func.min(Message.next_attempt_at)).where(col(Message.status) == "pending")
        ).scalar_one()
        if oldest is None:
            return 0.0
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        return max(0.0, (self.deps.clock.now() - oldest).total_seconds())


def metrics_registry(deps: Deps, runtime: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(deps, runtime))
    return registry


@router.get("/metrics")
def metrics(request: Request, _: PublicDep) -> Response:
    """Prometheus text. With `metrics.token` set, only `Authorization: Bearer <token>` reads it."""
    expected = request.app.state.deps.settings.metrics.token_value()
    if expected:
        header = request.headers.get("authorization", "")
        given = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return Response(
                "401: metrics.token required\n", status_code=401, media_type="text/plain",
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
    registry: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
