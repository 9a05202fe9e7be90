"""`hygiene serve`: the web service, the scheduler and delivery on one event loop until Ctrl-C."""

import asyncio
from typing import Annotated

import typer

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
    if no_web and no_scheduler:
        say(ctx, "engine.serve.nothing")
        return
    from hygiene import server  # the web stack loads only for this command (CLI start-up time)

    deps = state(ctx).deps
    channels = deps.open_channels()
    announce_channels(ctx, channels)
    if not no_scheduler:
        say(
            ctx,
            "engine.serve.started",
            timezone=deps.settings.timezone,
            seconds=deps.settings.delivery.interval_seconds,
            channels=", ".join(channels),
        )
    asyncio.run(
        server.run(
            deps,
            channels,
            host=host,
            port=port,
            web=not no_web,
            scheduler=not no_scheduler,
            forwarded_allow_ips=deps.settings.trusted_proxies,
        )
    )
    say(ctx, "engine.serve.stopped")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
