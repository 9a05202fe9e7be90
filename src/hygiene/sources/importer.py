"""`hygiene sources import NAME`: directory entries missing from the inventory become officials.

The directory is read once (the same adapters and paging as a sync). An entry is *in* the
inventory when an account of a covered system has its login (matched as the sync matches:
`match_key`). Each entry that is not becomes one import row:

    employee id  employeeID / employeeNumber (AD; LDAP), employeeId (Graph); or the login,
                 with `import_employee_id = "identity"`
    full name    displayName (cn)          unit   department (departmentNumber, ou), or
    email        mail                             `import_unit` when the entry has none
    phone        mobile (telephoneNumber)  system `import_system` (default: first of covers)
    login        what the sync will match it by (the login, the mail, or login@domain)

and `manager` gives the unit head: in each unit, the manager that its members point to who is
in the unit themself and whose own manager is not (the top of the unit's chain). A head who is
already in the inventory gets a row of their stored values marked head, so nothing else of
theirs changes; one stored in another unit is left as they are, with a warning.

The rows then go through the spreadsheet importer unchanged (inventory.importer.import_cells):
the same validation, the same all-or-nothing rule and row errors (numbered by the entry's
position in the directory's answer, named by the directory attribute), the same diff, writes
and audit events. An official whose employee id is stored already is updated, not duplicated.

Nobody is deactivated: entries disabled in the directory are not imported (the sync marks
stored ones inactive, with the reason), and inventory accounts that the directory does not
have are only counted.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from hygiene.errors import ImportRejected, RowProblem
from hygiene.inventory import importer
from hygiene.inventory.columns import Header
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import ValidationContext
from hygiene.settings import SourceConfig
from hygiene.sources.base import Source
from hygiene.sources.managers import Directory, Entry

FIELDS = ("employee_id", "full_name", "unit", "email", "phone", "system", "login", "unit_head")
_LDAP = {
    "employee_id": "employeeNumber",
    "full_name": "displayName",
    "unit": "departmentNumber",
    "email": "mail",
    "phone": "mobile",
    "login": "uid",
}
ATTRIBUTES: dict[str, dict[str, str]] = {
    "ad": {
        **_LDAP,
        "employee_id": "employeeID",
        "unit": "department",
        "login": "sAMAccountName",
    },
    "openldap": _LDAP,
    "freeipa": _LDAP,
    "zimbra": {**_LDAP, "login": "name", "email": "name", "unit": "ou"},
    "graph": {
        "employee_id": "employeeId",
        "full_name": "displayName",
        "unit": "department",
        "email": "mail",
        "phone": "mobilePhone",
        "login": "userPrincipalName",
    },
    "google": {
        "employee_id": "externalIds",
        "full_name": "name.fullName",
        "unit": "orgUnitPath",
        "email": "primaryEmail",
        "phone": "phones",
        "login": "primaryEmail",
    },
}
YES = "có"


class DirectoryRejected(ImportRejected):
    """ImportRejected, with the identity of each problem's entry (by its number)."""

    def __init__(self, problems: list[RowProblem], total: int, identities: dict[int, str]) -> None:
        super().__init__(problems, total)
        self.identities = identities


@dataclass
class DirectoryImport:
    """What the directory held and what the import did with it."""

    result: importer.ImportResult
    entries: int = 0
    present: int = 0  # entries whose account is in the inventory already
    disabled: int = 0  # missing entries disabled in the directory: not imported
    unmatched: int = 0  # entries without the value they are matched by (e.g. no mail)
    not_in_directory: int = 0  # stored accounts of the covered systems the directory lacks
    heads: int = 0  # unit heads the managers name
    warnings: list[RowProblem] = field(default_factory=list)
    identities: dict[int, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        mine = {k: v for k, v in vars(self).items() if type(v) is int}
        return {**self.result.counts(), **mine}


def header(config: SourceConfig) -> Header:
    """The directory's attribute names stand where a spreadsheet has its column headers."""
    names = dict(ATTRIBUTES[config.kind])
    if config.match == "email":
        names["login"] = names["email"]
    if config.import_employee_id == "identity":
        names["employee_id"] = names["login"]
    names |= {"system": "import_system", "unit_head": "manager"}
    labels = {name: names[name] for name in FIELDS}
    return Header(last_line=0, fields=dict(enumerate(FIELDS)), labels=labels)


def _stored_keys(session: Session, covers: Sequence[str]) -> set[str]:
    query = select(func.lower(col(Account.login))).where(col(Account.system).in_(covers))
    return {login for (login,) in session.execute(query) if login}


def _stored_heads(
    session: Session, covers: Sequence[str], keys: Iterable[str]
) -> dict[str, tuple[str, str, str, str, str]]:
    """match key → (employee id, full name, unit, system, login) of stored accounts."""
    wanted = sorted(set(keys))
    found: dict[str, tuple[str, str, str, str, str]] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(
                func.lower(col(Account.login)),
                col(Official.employee_id),
                col(Official.full_name),
                col(Unit.name),
                col(Account.system),
                col(Account.login),
            )
            .join(Official, col(Official.id) == col(Account.official_id))
            .join(Unit, col(Unit.id) == col(Official.unit_id))
            .where(col(Account.system).in_(covers))
            .where(func.lower(col(Account.login)).in_(wanted[start : start + 500]))
        )
        for key, *rest in session.execute(query):
            employee, full_name, unit, system, login = rest
            found.setdefault(key, (employee, full_name, unit, system, login))
    return found


def _row(config: SourceConfig, entry: Entry, head: bool) -> list[Any]:
    seen = entry.seen
    login = config.login_of(seen.identity, seen.email) or ""
    employee = login if config.import_employee_id == "identity" else seen.employee_id
    values = {
        "employee_id": employee or "",
        "full_name": seen.display_name or "",
        "unit": entry.unit,
        "email": seen.email or "",
        "phone": seen.phone or "",
        "system": config.system,
        "login": login,
        "unit_head": YES if head else "",
    }
    return [values[name] for name in FIELDS]


def _stored_row(config: SourceConfig, stored: tuple[str, str, str, str, str]) -> list[Any]:
    employee, name, unit, system, login = stored
    values = {
        "employee_id": employee,
        "full_name": name,
        "unit": unit,
        "email": "",
        "phone": "",
        "system": system,
        "login": login,
        "unit_head": YES,
    }
    return [values[column] for column in FIELDS]


def _read(config: SourceConfig, source: Source) -> list[Entry]:
    out = []
    with source:
        for line, seen in enumerate(source.observe(), start=1):
            key = config.match_key(seen.identity, seen.email)
            unit = " ".join((seen.unit or config.import_unit or "").split())
            out.append(Entry(line, seen, key.strip().lower() if key else None, unit))
    return out


def import_directory(
    session: Session,
    *,
    name: str,
    config: SourceConfig,
    source: Source,
    context: ValidationContext,
    key: bytes,
    now: datetime,
    actor: str,
    dry_run: bool = False,
) -> DirectoryImport:
    """Read `source` and import what the inventory lacks; raises DirectoryRejected (nothing
    written) when a row is bad. The caller commits; a dry run writes nothing."""
    entries = _read(config, source)
    stored = _stored_keys(session, list(config.covers))
    report = _counted(entries, stored, dry_run)
    rows = _import_rows(session, config, entries, stored, report)
    numbered: Iterator[tuple[int, list[Any]]] = ((line, cells) for _, line, cells in rows)
    try:
        report.result = importer.import_cells(
            session,
            header(config),
            numbered,
            context=context,
            key=key,
            now=now,
            actor=actor,
            dry_run=dry_run,
            source=lambda: {"source": f"directory:{name}", "entries": len(entries)},
        )
    except ImportRejected as exc:
        raise DirectoryRejected(exc.problems, exc.total, report.identities) from None
    return report


def _counted(entries: list[Entry], stored: set[str], dry_run: bool) -> DirectoryImport:
    """The report's counts of the directory against the stored logins (before any import)."""
    keys = {e.key for e in entries if e.key}
    return DirectoryImport(
        result=importer.ImportResult(dry_run=dry_run),
        entries=len(entries),
        present=sum(1 for e in entries if e.key in stored),
        disabled=sum(1 for e in entries if e.seen.disabled and e.key not in stored),
        unmatched=sum(1 for e in entries if not e.key),
        not_in_directory=len(stored - keys),
    )


def _import_rows(
    session: Session,
    config: SourceConfig,
    entries: list[Entry],
    stored: set[str],
    report: DirectoryImport,
) -> list[tuple[str, int, list[Any]]]:
    """(employee id, entry number, cells) of each row to import, one official's rows together
    (as chunks need); counts the heads and notes each entry's identity in `report`."""
    usable = [e for e in entries if not e.seen.disabled]
    head_of = {index: unit for unit, tops in Directory(usable).heads().items() for index in tops}
    stored_head_keys = (usable[i].key or "" for i in head_of if usable[i].key in stored)
    stored_heads = _stored_heads(session, list(config.covers), stored_head_keys)
    rows: list[tuple[str, int, list[Any]]] = []
    for index, entry in enumerate(usable):
        is_head = index in head_of
        report.heads += is_head
        report.identities[entry.line] = entry.seen.identity
        if entry.key is None:
            continue
        if entry.key not in stored:
            cells = _row(config, entry, is_head)
            rows.append((str(cells[0]), entry.line, cells))
        elif is_head and (kept := stored_heads.get(entry.key)) is not None:
            _keep_stored_head(config, entry, kept, rows, report)
    rows.sort(key=lambda item: (item[0], item[1]))
    return rows


def _keep_stored_head(
    config: SourceConfig,
    entry: Entry,
    kept: tuple[str, str, str, str, str],
    rows: list[tuple[str, int, list[Any]]],
    report: DirectoryImport,
) -> None:
    """A head already stored in their unit gets a row of their stored values marked head; one
    stored in another unit is left as they are, with a warning."""
    if kept[2] == entry.unit:
        rows.append((kept[0], entry.line, _stored_row(config, kept)))
        return
    params = {"identity": entry.seen.identity, "unit": entry.unit, "other": kept[2]}
    problem = RowProblem(entry.line, "manager", "sources.import.head_elsewhere", params)
    report.warnings.append(problem)
