"""Export the inventory in the importer's columns, so export → import changes nothing."""

from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlmodel import Session, col

from hygiene.i18n import format_date
from hygiene.inventory.columns import COLUMNS, VI_HEADERS
from hygiene.inventory.models import Account, Official, Unit
from hygiene.tabular import write_sheet

_YES_NO = {"en": ("yes", "no"), "vi": ("có", "không")}


def header(lang: str) -> list[str]:
    return [VI_HEADERS[c] for c in COLUMNS] if lang == "vi" else list(COLUMNS)


def rows(session: Session, *, lang: str = "en") -> Iterator[list[Any]]:
    yes, no = _YES_NO.get(lang, _YES_NO["en"])
    query = (
        select(
            col(Official.employee_id),
            col(Official.full_name),
            col(Unit.name),
            col(Official.email),
            col(Official.phone),
            col(Official.locale),
            col(Account.system),
            col(Account.kind),
            col(Account.login),
            col(Account.last_rotated_on),
            col(Account.mfa),
            col(Unit.head_official_id) == col(Official.id),
        )
        .join(Official, col(Official.id) == col(Account.official_id))
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .order_by(col(Official.employee_id), col(Account.system), col(Account.login))
        .execution_options(yield_per=5_000)
    )
    for row in session.execute(query):
        *head, last_rotated, mfa, is_head = row
        yield [
            *("" if v is None else v for v in head),
            format_date(last_rotated) if last_rotated else "",
            yes if mfa else no,
            yes if is_head else "",  # blank: not a head, and import keeps what is stored
        ]


def export(session: Session, out: IO[bytes], *, fmt: str = "csv", lang: str = "en") -> int:
    return write_sheet(out, fmt, header(lang), rows(session, lang=lang))
