"""`hygiene devices …`: office PCs that run hygiene-probe."""

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel

from hygiene import i18n
from hygiene.cli.common import actor, say, session, state
from hygiene.cli.output import OutputFormat, emit
from hygiene.clock import as_utc
from hygiene.devices import service as devices
from hygiene.users import revocation

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


class DeviceRow(BaseModel):
    id: int
    name: str
    employee_id: str
    created_at: datetime
    last_report_at: datetime | None
    state: str


def _row(device: revocation.DeviceView, zone: ZoneInfo, locale: str) -> DeviceRow:
    reported = device.last_report_at
    return DeviceRow(
        id=device.id,
        name=device.name,
        employee_id=device.employee_id,
        created_at=as_utc(device.created_at).astimezone(zone),
        last_report_at=as_utc(reported).astimezone(zone) if reported else None,
        state=i18n.t("revocation.state." + ("revoked" if device.revoked_at else "live"), locale),
    )


@devices_app.command("list")
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Liệt kê các máy đã cấp mã. / List registered devices."""
    deps = state(ctx).deps
    zone, locale = deps.settings.zone, state(ctx).locale
    with session(ctx) as s:
        rows = [_row(device, zone, locale) for device in revocation.devices(s)]
    emit(ctx, rows, fmt, ["id", "name", "employee_id", "state", "created_at", "last_report_at"])


@devices_app.command("revoke")
def revoke(ctx: typer.Context, device_id: int) -> None:
    """Thu hồi mã của một máy (số ID trong `devices list`). / Revoke a device's token by ID."""
    deps = state(ctx).deps
    with session(ctx) as s:
        revocation.revoke_device(s, device_id=device_id, secret=deps.secret,
                                 now=deps.clock.now(), actor=actor())  # fmt: skip
    say(ctx, "revocation.device_revoked", id=device_id)


def register(app: typer.Typer) -> None:
    app.add_typer(devices_app, name="devices")
