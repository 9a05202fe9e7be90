"""`hygiene run plan|deliver`: plan reminders, or deliver what is due, now (then exit)."""

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from hygiene import jobs
from hygiene.campaigns import service as campaigns
from hygiene.channels.base import Channel, close_all
from hygiene.cli.common import actor, say, session, state
from hygiene.clock import Clock, FixedClock
from hygiene.errors import InvalidInput
from hygiene.outbox.delivery import Deliverer, DeliveryReport
from hygiene.settings import Settings

run_app = typer.Typer(no_args_is_help=True, help="Lập lịch và gửi tin ngay / Plan and deliver now.")
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="Thời điểm ISO (giờ địa phương nếu không ghi múi) / ISO instant"),
]
REAL_CHANNELS = ("smtp", "email", "sms", "zalo")


def _clock(ctx: typer.Context, at: str | None) -> Clock:
    deps = state(ctx).deps
    if at is None:
        return deps.clock
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError:
        raise InvalidInput("engine.at.invalid", value=at) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=deps.settings.zone)
    return FixedClock(parsed)


def outbox_dir(settings: Settings) -> Path:
    return settings.channels.file.directory or settings.data_dir / "outbox"


CampaignOption = Annotated[
    str | None,
    typer.Option(
        help="rotation | browser | digest | escalation (mặc định: tất cả)"
        " / rotation | browser | digest | escalation (default: all)"
    ),
]
PlanDryRunOption = Annotated[bool, typer.Option("--dry-run", help="Không ghi gì / Write nothing")]


@run_app.command("plan")
def run_plan(
    ctx: typer.Context,
    campaign: CampaignOption = None,
    at: AtOption = None,
    dry_run: PlanDryRunOption = False,
) -> None:
    """Lên lịch tin nhắn ngay. / Plan messages now (idempotent)."""
    deps = state(ctx).deps
    if campaign is not None and campaign not in campaigns.CAMPAIGNS:
        raise typer.BadParameter(" | ".join(campaigns.CAMPAIGNS), param_hint="--campaign")
    now = _clock(ctx, at).now()
    names = [campaign] if campaign else list(campaigns.CAMPAIGNS)
    day = campaigns.clockless(deps.settings, now).today
    lines: list[tuple[str, dict[str, Any]]] = []  # printed once the commit succeeded
    with session(ctx) as s:
        for name in names:
            if campaign is None and not getattr(deps.settings.campaigns, name).enabled:
                lines.append(("engine.plan.disabled", {"campaign": name}))
                continue
            result = campaigns.plan(
                session=s,
                settings=deps.settings,
                now=now,
                campaign=name,
                audit_key=deps.audit_key,
                actor=actor(),
            )
            key = "engine.plan.dry_run" if dry_run else "engine.plan.done"
            lines.append((key, {"campaign": name, "count": result.planned, "day": day}))
        if dry_run:
            s.rollback()
    for key, params in lines:
        say(ctx, key, **params)


@run_app.command("deliver")
def run_deliver(ctx: typer.Context, at: AtOption = None) -> None:
    """Gửi các tin đến hạn rồi dừng. / Deliver every due message, then exit."""
    deps = state(ctx).deps
    channels = deps.open_channels()
    announce_channels(ctx, channels)
    deliverer = jobs.build_deliverer(deps, channels, jobs.worker_name(), clock=_clock(ctx, at))
    report = asyncio.run(_drain(deliverer, channels))
    if report.outside_window:
        delivery = deps.settings.delivery
        say(
            ctx,
            "engine.deliver.outside_window",
            start=delivery.window_start.strftime("%H:%M"),
            end=delivery.window_end.strftime("%H:%M"),
        )
        if report.claimed == 0:  # the urgent lane had nothing either
            return
    sent, retry, failed, dead = (
        report.outcomes.get(k, 0) for k in ("sent", "retry", "failed", "dead")
    )
    say(
        ctx,
        "engine.deliver.done",
        claimed=report.claimed,
        released=report.released,
        sent=sent,
        retry=retry,
        failed=failed,
        dead=dead,
        other=report.claimed - sent - retry - failed - dead,
    )


async def _drain(deliverer: Deliverer, channels: dict[str, Channel]) -> DeliveryReport:
    try:
        return await deliverer.drain()
    finally:
        await close_all(channels)


def announce_channels(ctx: typer.Context, channels: dict[str, Channel]) -> None:
    settings = state(ctx).settings
    if not any(name in channels for name in REAL_CHANNELS):
        say(ctx, "engine.deliver.file_fallback", err=True, path=str(outbox_dir(settings)))
    if settings.delivery.redirect_to:
        say(ctx, "engine.deliver.redirect", err=True, to=settings.delivery.redirect_to)


def register(app: typer.Typer) -> None:
    app.add_typer(run_app, name="run")
