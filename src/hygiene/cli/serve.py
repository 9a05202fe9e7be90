"""`hygiene serve`: the web service, the scheduler and delivery on one event loop until Ctrl-C."""

import asyncio
import signal
from typing import Annotated, Any

import typer

from hygiene import i18n, jobs
from hygiene.channels import registry
from hygiene.channels.base import Channel
from hygiene.cli.common import say, state
from hygiene.cli.run import announce_channels


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Địa chỉ web / Web host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng web / Web port")] = 8080,
    no_web: Annotated[bool, typer.Option("--no-web", help="Không chạy web / No web")] = False,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Không lập lịch / No scheduler")
    ] = False,
) -> None:
    """Chạy web, bộ lập lịch và việc gửi tin đến khi Ctrl-C. / Run until Ctrl-C."""
    runner = _web_runner()
    web = not no_web and runner is not None
    if not no_web and runner is None:
        typer.echo(f"{i18n.t('engine.serve.no_web', 'vi')} / {i18n.t('engine.serve.no_web', 'en')}")
    if not web and no_scheduler:
        say(ctx, "engine.serve.nothing")
        return
    deps = state(ctx).deps
    channels = registry.build_channels(deps)
    announce_channels(ctx, channels)
    if not no_scheduler:
        say(
            ctx,
            "engine.serve.started",
            timezone=deps.settings.timezone,
            seconds=deps.settings.delivery.interval_seconds,
            channels=", ".join(channels),
        )
    if runner is None:
        asyncio.run(_scheduler_only(deps, channels))
    else:
        asyncio.run(
            runner(
                deps,
                channels,
                host=host,
                port=port,
                web=web,
                scheduler=not no_scheduler,
                forwarded_allow_ips=deps.settings.trusted_proxies,
            )
        )
    say(ctx, "engine.serve.stopped")


def _web_runner() -> Any:
    """hygiene.server.run (web + scheduler on one loop) when the web app is installed."""
    try:
        from hygiene import server
    except ImportError:
        return None
    return server.run


async def _scheduler_only(deps: Any, channels: dict[str, Channel]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scheduler = jobs.build_scheduler(deps, channels)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # let the shutdown run on the loop
        for channel in channels.values():
            await channel.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
