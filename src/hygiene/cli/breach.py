"""`hygiene breach-index …`: build and inspect the offline breached-password index."""

from pathlib import Path
from typing import Annotated

import typer

from hygiene.breach import build as builder
from hygiene.breach.index import BreachIndex
from hygiene.cli.common import say

breach_app = typer.Typer(
    no_args_is_help=True,
    help="Chỉ mục mật khẩu đã bị lộ (ngoại tuyến) / Offline breached-password index.",
)


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 1_000_000:.1f} MB"


@breach_app.command("build")
def build(
    ctx: typer.Context,
    source: Annotated[
        Path,
        typer.Argument(
            help="Tệp Pwned Passwords SHA-1 (HASH:COUNT, sắp theo mã băm)"
            " / Pwned Passwords SHA-1 file (HASH:COUNT, sorted by hash)"
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp chỉ mục / Index file")],
) -> None:
    """Tạo chỉ mục từ tệp Pwned Passwords, không cần mạng. / Build the index, offline."""
    result = builder.build(source=source, target=output)
    size = _size(result.size_bytes)
    say(ctx, "breach.built", path=str(output), entries=result.entries, size=size)


@breach_app.command("info")
def info(
    ctx: typer.Context,
    index: Annotated[Path, typer.Argument(help="Tệp chỉ mục / Index file")],
) -> None:
    """Số mật khẩu và kích thước của một chỉ mục. / Entries and size of an index."""
    with BreachIndex(index) as opened:
        found = opened.info
    say(ctx, "breach.info", path=str(index), entries=found.entries, size=_size(found.size_bytes))


def register(app: typer.Typer) -> None:
    app.add_typer(breach_app, name="breach-index")
