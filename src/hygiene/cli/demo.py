"""`hygiene demo`: load the demo district (~50 officials) and print a summary."""

import typer

from hygiene import demo as demo_district
from hygiene import i18n
from hygiene.cli.common import say, session, state, validation_context
from hygiene.inventory import totals


def demo(ctx: typer.Context) -> None:
    """Nạp huyện mẫu (~50 cán bộ) và in tổng quan. / Load the demo district and print a summary."""
    deps = state(ctx).deps
    with session(ctx) as s:
        demo_district.load(
            s, context=validation_context(ctx), key=deps.audit_key, now=deps.clock.now()
        )
        summary = totals.summary(
            s, policies=deps.settings.policies, today=validation_context(ctx).today
        )
    say(ctx, "demo.loaded")
    locale = state(ctx).locale
    typer.echo(i18n.t("summary.title", locale))
    for name, value in summary.model_dump().items():
        typer.echo(f"  {i18n.t(f'summary.{name}', locale)}: {value}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
