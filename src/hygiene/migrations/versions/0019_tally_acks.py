"""tally_ack: acknowledged (official, advisory) pairs per unit, advisory and local day, on write

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01

After 0018 the every-unit report's largest cost was joining the ~600,000 advisory_ack pairs to
their officials. tally_ack keeps, per unit, advisory and local day number of the pair's time,
how many pairs of the unit's active officials there are, so "acknowledged by the end of day D"
is a sum over day <= D. Kept by triggers on advisory_ack (insert, the earlier time 0017's upsert
writes, delete), on official (a move or (de)activation moves its pairs; a deletion takes its
pairs away first, while the official still says which unit they counted in) and on advisory
(a deletion takes its pairs away). The local day is in tally_clock's zone: with no clock yet
nothing is counted, and hygiene.reports.tally.sync recounts tally_ack with tally_due.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = " ON CONFLICT (unit_id, advisory_id, day) DO UPDATE SET n = tally_ack.n + excluded.n"


def _local_day(pg: bool, value: str) -> str:
    """As 0018's Sql.local_day: NULL while tally_clock is empty."""
    if pg:
        zone = "(SELECT zone FROM tally_clock WHERE id = 1)"
        return f"(({value} AT TIME ZONE {zone})::date - DATE '1970-01-01')"
    shift = "(SELECT printf('%+d minutes', offset_minutes) FROM tally_clock WHERE id = 1)"
    return f"CAST(julianday({value}, {shift}) - 2440587.5 AS INTEGER)"


def _pair(pg: bool, r: str, sign: str) -> str:
    """Add or take away the advisory_ack row `r` in its official's unit, if active."""
    return (
        "INSERT INTO tally_ack (unit_id, advisory_id, day, n)"  # noqa: S608  (constants only)
        f" SELECT unit_id, advisory_id, d, {sign}1 FROM (SELECT o.unit_id,"
        f" {r}.advisory_id AS advisory_id, {_local_day(pg, f'{r}.at')} AS d FROM official o"
        f" WHERE o.id = {r}.official_id AND o.active) AS pair WHERE d IS NOT NULL" + _UPSERT
    )


def _official(pg: bool, r: str, sign: str) -> str:
    """Add or take away all pairs of the official row `r` in its unit, if active."""
    return (
        "INSERT INTO tally_ack (unit_id, advisory_id, day, n)"  # noqa: S608  (constants only)
        f" SELECT {r}.unit_id, advisory_id, d, {sign}count(*) FROM (SELECT p.advisory_id,"
        f" {_local_day(pg, 'p.at')} AS d FROM advisory_ack p WHERE p.official_id = {r}.id)"
        f" AS pairs WHERE d IS NOT NULL AND {r}.active GROUP BY advisory_id, d" + _UPSERT
    )


def _bodies(pg: bool) -> dict[str, tuple[str, str, list[str], str]]:
    """trigger name → (timing and event, table, statements, WHEN condition)."""
    differs = "IS DISTINCT FROM" if pg else "IS NOT"
    moved = f"OLD.unit_id {differs} NEW.unit_id OR OLD.active {differs} NEW.active"
    return {
        "tally_pair_insert": ("AFTER INSERT", "advisory_ack", [_pair(pg, "NEW", "+")], ""),
        "tally_pair_update": (
            "AFTER UPDATE",
            "advisory_ack",
            [_pair(pg, "OLD", "-"), _pair(pg, "NEW", "+")],
            "",
        ),
        "tally_pair_delete": ("AFTER DELETE", "advisory_ack", [_pair(pg, "OLD", "-")], ""),
        "tally_acks_official_update": (
            "AFTER UPDATE OF unit_id, active",
            "official",
            [_official(pg, "OLD", "-"), _official(pg, "NEW", "+")],
            moved,
        ),
        "tally_acks_official_delete": (
            "BEFORE DELETE",
            "official",
            ["DELETE FROM advisory_ack WHERE official_id = OLD.id"],
            "",
        ),
        "tally_acks_advisory_delete": (
            "BEFORE DELETE",
            "advisory",
            [
                "DELETE FROM advisory_ack WHERE advisory_id = OLD.id",
                "DELETE FROM tally_ack WHERE advisory_id = OLD.id",
            ],
            "",
        ),
    }


def upgrade() -> None:
    op.create_table(
        "tally_ack",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", "advisory_id", "day"),
    )
    pg = op.get_bind().dialect.name == "postgresql"
    for name, (event, table, statements, condition) in _bodies(pg).items():
        when = f" WHEN ({condition})" if condition else ""
        body = "; ".join(statements)
        if not pg:
            op.execute(f"CREATE TRIGGER {name} {event} ON {table}{when} BEGIN {body}; END")
            continue
        result = "OLD" if event.startswith("BEFORE") else "NULL"
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN {body}; RETURN {result}; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
        )
    # tally_clock is set by the first sync after 0018, which recounts tally_ack too; a database
    # synced before this migration is counted now, in the zone already stored.
    op.execute(
        "INSERT INTO tally_ack (unit_id, advisory_id, day, n)"  # noqa: S608  (constants only)
        f" SELECT o.unit_id, p.advisory_id, {_local_day(pg, 'p.at')}, count(*)"
        " FROM advisory_ack p JOIN official o ON o.id = p.official_id"
        " WHERE o.active AND EXISTS (SELECT 1 FROM tally_clock)"
        f" GROUP BY o.unit_id, p.advisory_id, {_local_day(pg, 'p.at')}"
    )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name, (_, table, _, _) in _bodies(pg).items():
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("tally_ack")
