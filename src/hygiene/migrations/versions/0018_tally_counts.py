"""tally: the per-account compliance work kept on write, by triggers, per official and per unit

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01

The every-unit compliance report read all accounts (a million) on every request. These tables
keep what it counted there, in the same transaction as each write, whatever writes it (import,
console, API, portal, directory sync, restore of a row):

- tally_official: per official, its accounts in use (inactive_reason NULL), never rotated, with
  MFA, saved in a browser (whether the official is active or not);
- tally_unit: per unit, its active officials and the sums of their tally_official rows, and how
  many of them have an account saved in a browser;
- tally_due: per unit and local day number, how many accounts of its active officials become
  overdue on that day, so "overdue on day D" is a sum over day <= D (hygiene.reports.tally);
- tally_policy / tally_clock: the rotation days per periodic kind and the zone the due days were
  computed with. They come from the settings, not the database: hygiene.reports.tally.sync
  writes them and rebuilds tally_due (one set-based statement) when they differ, and the
  report reads tally_due only while they equal the settings it is run with.

The counts are backfilled here; tally_due starts empty and is built by the first sync.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("accounts", "never_rotated", "mfa", "browser_saved")
# The account columns the tallies read: an update of any other column changes nothing here.
WATCHED = (
    "official_id",
    "kind",
    "last_rotated_on",
    "mfa",
    "browser_saved",
    "created_at",
    "compromised_at",
    "expires_on",
    "inactive_reason",
)
OFFICIAL_TRIGGERS = ("tally_official_insert", "tally_official_update", "tally_official_delete")
ACCOUNT_TRIGGERS = ("tally_account_insert", "tally_account_update", "tally_account_delete")
COUNT_TRIGGERS = ("tally_counts_insert", "tally_counts_update")


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def _tables() -> None:
    op.create_table(
        "tally_official",
        sa.Column("official_id", sa.Integer(), nullable=False),
        *(_int(n) for n in COUNTS),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("official_id"),
    )
    op.create_table(
        "tally_unit",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _int("officials"),
        *(_int(n) for n in COUNTS),
        _int("officials_browser_saved"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id"),
    )
    op.create_table(
        "tally_due",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", "day"),
    )
    op.create_table(
        "tally_policy",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rotation_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )
    op.create_table(
        "tally_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


class Sql:
    """The trigger statements, the same on both databases but for dates and booleans."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg

    def day(self, value: str) -> str:
        if self.pg:
            return f"({value} - DATE '1970-01-01')"
        return f"CAST(julianday({value}) - 2440587.5 AS INTEGER)"

    def local_day(self, value: str) -> str:
        """The local day number of a UTC timestamp in tally_clock's zone (NULL without one).
        SQLite has no zone database: it shifts by the stored offset, as hygiene.campaigns.sql."""
        if self.pg:
            zone = "(SELECT zone FROM tally_clock WHERE id = 1)"
            return f"(({value} AT TIME ZONE {zone})::date - DATE '1970-01-01')"
        shift = "(SELECT printf('%+d minutes', offset_minutes) FROM tally_clock WHERE id = 1)"
        return f"CAST(julianday({value}, {shift}) - 2440587.5 AS INTEGER)"

    def due(self, r: str) -> str:
        """The first local day the account `r` is overdue on, NULL if never (hygiene.reports.sql:
        due the day after its expiry, its rotation + the kind's days, or the day it entered;
        overdue from the day of a compromise not rotated since)."""
        days = f"(SELECT rotation_days FROM tally_policy WHERE kind = {r}.kind)"  # noqa: S608  (constants only)
        periodic = (
            f"CASE WHEN {days} IS NULL THEN NULL"
            f" WHEN {r}.expires_on IS NOT NULL THEN {self.day(f'{r}.expires_on')} + 1"
            f" WHEN {r}.last_rotated_on IS NOT NULL"
            f" THEN {self.day(f'{r}.last_rotated_on')} + {days} + 1"
            f" ELSE {self.local_day(f'{r}.created_at')} + 1 END"
        )
        hit = self.local_day(f"{r}.compromised_at")
        compromise = (
            f"CASE WHEN {r}.compromised_at IS NOT NULL AND ({r}.last_rotated_on IS NULL"
            f" OR {self.day(f'{r}.last_rotated_on')} < {hit}) THEN {hit} END"
        )
        return (
            f"(SELECT CASE WHEN p IS NULL THEN c WHEN c IS NULL OR p < c THEN p ELSE c END"  # noqa: S608  (constants only)
            f" FROM (SELECT {periodic} AS p, {compromise} AS c) AS due_of)"
        )

    @staticmethod
    def flag(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    def account(self, r: str, sign: str) -> list[str]:
        """Add (sign "+") or take away ("-") the account row `r` (NEW or OLD)."""
        values = ", ".join(
            (
                f"{sign}1",
                f"{sign}{self.flag(f'{r}.last_rotated_on IS NULL')}",
                f"{sign}{self.flag(f'{r}.mfa')}",
                f"{sign}{self.flag(f'{r}.browser_saved')}",
            )
        )
        sums = ", ".join(f"{n} = tally_official.{n} + excluded.{n}" for n in COUNTS)
        return [
            f"INSERT INTO tally_official (official_id, {', '.join(COUNTS)})"
            f" SELECT {r}.official_id, {values} WHERE {r}.inactive_reason IS NULL"
            f" ON CONFLICT (official_id) DO UPDATE SET {sums}",
            "INSERT INTO tally_due (unit_id, day, n)"  # noqa: S608  (constants only)
            f" SELECT unit_id, d, {sign}1 FROM (SELECT o.unit_id, {self.due(r)} AS d"
            f" FROM official o WHERE o.id = {r}.official_id AND o.active"
            f" AND {r}.inactive_reason IS NULL) AS due_in WHERE d IS NOT NULL"
            " ON CONFLICT (unit_id, day) DO UPDATE SET n = tally_due.n + excluded.n",
        ]

    def unit(self, unit: str, select: str) -> str:
        """Add the figures `select` gives (officials, COUNTS, officials_browser_saved) to `unit`."""
        names = ("officials", *COUNTS, "officials_browser_saved")
        sums = ", ".join(f"{n} = tally_unit.{n} + excluded.{n}" for n in names)
        return (
            f"INSERT INTO tally_unit (unit_id, {', '.join(names)}) SELECT {unit}, {select}"
            f" ON CONFLICT (unit_id) DO UPDATE SET {sums}"
        )

    def counts(self, event: str) -> list[str]:
        """A tally_official row inserted or changed: its unit (if the official is active) gets
        the difference, and a browser-saved official more or fewer."""
        if event == "insert":
            deltas = [f"NEW.{n}" for n in COUNTS]
            browser = self.flag("NEW.browser_saved > 0")
        else:
            deltas = [f"NEW.{n} - OLD.{n}" for n in COUNTS]
            browser = f"{self.flag('NEW.browser_saved > 0')} - {self.flag('OLD.browser_saved > 0')}"
        select = (
            f"0, {', '.join(deltas)}, {browser} FROM official o"
            " WHERE o.id = NEW.official_id AND o.active"
        )
        return [self.unit("o.unit_id", select)]

    def official(self, r: str, sign: str) -> list[str]:
        """Add or take away the official row `r` (and its accounts) to its unit, if active."""
        t = [f"{sign}coalesce(t.{n}, 0)" for n in COUNTS]
        browser = f"{sign}{self.flag('coalesce(t.browser_saved, 0) > 0')}"
        select = (
            f"{sign}1, {', '.join(t)}, {browser} FROM (SELECT 1 AS one) AS one"
            f" LEFT JOIN tally_official t ON t.official_id = {r}.id WHERE {r}.active"
        )
        return [
            self.unit(f"{r}.unit_id", select),
            "INSERT INTO tally_due (unit_id, day, n)"  # noqa: S608  (constants only)
            f" SELECT {r}.unit_id, d, {sign}count(*) FROM (SELECT {self.due('a')} AS d"
            f" FROM account a WHERE a.official_id = {r}.id AND a.inactive_reason IS NULL)"
            f" AS due_in WHERE d IS NOT NULL AND {r}.active GROUP BY d"
            " ON CONFLICT (unit_id, day) DO UPDATE SET n = tally_due.n + excluded.n",
        ]

    def deleted_official(self) -> list[str]:
        """Before an official goes: its accounts first (through their own trigger, while the
        official is still there to say which unit they counted in), then the official."""
        return [
            "DELETE FROM account WHERE official_id = OLD.id",
            *self.official("OLD", "-"),
            "DELETE FROM tally_official WHERE official_id = OLD.id",
        ]


def _changed(pg: bool, columns: Sequence[str]) -> str:
    op_ = "IS DISTINCT FROM" if pg else "IS NOT"
    return " OR ".join(f"OLD.{c} {op_} NEW.{c}" for c in columns)


def _bodies(sql: Sql) -> dict[str, tuple[str, str, list[str]]]:
    """trigger name → (timing and event, table, statements)."""
    watched = ", ".join(WATCHED)
    return {
        "tally_account_insert": ("AFTER INSERT", "account", sql.account("NEW", "+")),
        "tally_account_delete": ("AFTER DELETE", "account", sql.account("OLD", "-")),
        "tally_account_update": (
            f"AFTER UPDATE OF {watched}",
            "account",
            [*sql.account("OLD", "-"), *sql.account("NEW", "+")],
        ),
        "tally_counts_insert": ("AFTER INSERT", "tally_official", sql.counts("insert")),
        "tally_counts_update": ("AFTER UPDATE", "tally_official", sql.counts("update")),
        "tally_official_insert": ("AFTER INSERT", "official", sql.official("NEW", "+")),
        "tally_official_update": (
            "AFTER UPDATE OF unit_id, active",
            "official",
            [*sql.official("OLD", "-"), *sql.official("NEW", "+")],
        ),
        "tally_official_delete": ("BEFORE DELETE", "official", sql.deleted_official()),
    }


def _when(name: str, pg: bool) -> str:
    if name == "tally_account_update":
        return f" WHEN ({_changed(pg, WATCHED)})"
    if name == "tally_official_update":
        return f" WHEN ({_changed(pg, ('unit_id', 'active'))})"
    return ""


def _triggers(pg: bool) -> None:
    for name, (event, table, statements) in _bodies(Sql(pg)).items():
        when = _when(name, pg)
        if not pg:
            body = "; ".join(statements)
            op.execute(f"CREATE TRIGGER {name} {event} ON {table}{when} BEGIN {body}; END")
            continue
        result = "OLD" if event.startswith("BEFORE") else "NULL"
        body = "; ".join(statements)
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN {body}; RETURN {result}; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
        )


def _backfill(sql: Sql) -> None:
    flags = (
        "count(*)",
        f"sum({sql.flag('last_rotated_on IS NULL')})",
        f"sum({sql.flag('mfa')})",
        f"sum({sql.flag('browser_saved')})",
    )
    op.execute(
        f"INSERT INTO tally_official (official_id, {', '.join(COUNTS)})"  # noqa: S608  (constants only)
        f" SELECT official_id, {', '.join(flags)} FROM account"
        " WHERE inactive_reason IS NULL GROUP BY official_id"
    )
    sums = ", ".join(f"sum(coalesce(t.{n}, 0))" for n in COUNTS)
    op.execute(
        f"INSERT INTO tally_unit (unit_id, officials, {', '.join(COUNTS)},"  # noqa: S608  (constants only)
        f" officials_browser_saved) SELECT o.unit_id, count(*), {sums},"
        f" sum({sql.flag('t.browser_saved > 0')}) FROM official o"
        " LEFT JOIN tally_official t ON t.official_id = o.id WHERE o.active GROUP BY o.unit_id"
    )


def upgrade() -> None:
    _tables()
    pg = op.get_bind().dialect.name == "postgresql"
    _backfill(Sql(pg))
    _triggers(pg)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name, (_, table, _) in _bodies(Sql(pg)).items():
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("tally_clock", "tally_policy", "tally_due", "tally_unit", "tally_official"):
        op.drop_table(table)
