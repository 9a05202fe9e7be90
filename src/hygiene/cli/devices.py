"""`hygiene devices …`: office PCs that run hygiene-probe."""

from typing import Annotated

import typer

from hygiene import i18n
from hygiene.cli.common import actor, session, state
from hygiene.devices import service as devices

devices_app = typer.Typer(no_args_is_help=True, help="Máy tính chạy hygiene-probe / Probe devices.")


@devices_app.command("add")
def add(
    ctx: typer.Context,
    official: Annotated[
        str, typer.Option(help="Mã cán bộ dùng máy / Employee id of the PC's user")
    ],
    name: Annotated[str, typer.Option(help="Tên máy, vd. PC-VANTHU-01 / Device name")] = "pc",
) -> None:
    """Cấp mã cho một máy để gửi báo cáo. / Issue a device token for hygiene-probe --send."""
    deps = state(ctx).deps
    with session(ctx) as s:
        device, token = devices.add_device(
            s,
            employee_id=official,
            name=name,
            secret=deps.secret,
            now=deps.clock.now(),
            actor=actor(),
        )
    message = i18n.t("devices.added", state(ctx).locale, name=device.name, official=official)
    typer.echo(message, err=True)
    typer.echo(token)


def register(app: typer.Typer) -> None:
    app.add_typer(devices_app, name="devices")
