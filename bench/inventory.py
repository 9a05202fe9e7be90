"""A synthetic district for the read benchmarks, generated with set-based SQL (both dialects).

`officials` officials spread over `units` units, `accounts` accounts round-robin over them (four
kinds, last rotated 0–199 days before TODAY, every 17th never rotated, every 997th marked
compromised, every 3rd with MFA, every 11th saved in a browser), `advisories` advisories that
require an acknowledgement (the first one for the first ten units only) acknowledged by about
60 % of the officials, and a browser-cleanup declaration by every 7th official this month.
The SQL is assembled from constants of this file only.
"""

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from hygiene import db

TODAY = date(2026, 3, 2)
CREATED = "2025-06-01 03:00:00.000000"
PUBLISHED = "2026-02-01 03:00:00.000000"


def fresh_engine(url: str | None, folder: Path, schema: str) -> Engine:
    if url:
        engine = db.make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        engine = db.make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = db.make_engine(f"sqlite:///{folder / 'bench.db'}")
    db.upgrade(engine)
    return engine


def drop_schema(url: str | None, schema: str) -> None:
    if url:
        engine = db.make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def vacuum_analyze(engine: Engine, *tables: str) -> None:
    """PostgreSQL: VACUUM ANALYZE `tables`, or every table of the engine's own schema (the first
    of its search_path). Never a bare VACUUM or ANALYZE: that processes every table of the
    database, other schemas' too, and the test suite may share the database (tests/audit/
    test_head.py needs its audit_event without statistics)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        if not tables:
            query = text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1")
            tables = tuple(connection.execute(query, {"s": schema}).scalars())
        # Names from the catalogue or from this benchmark's own code, not from input.
        names = ", ".join(f'"{schema}"."{table}"' for table in tables)
        connection.execute(text(f"VACUUM ANALYZE {names}"))


def _numbers(pg: bool) -> str:
    if pg:
        return "generate_series(0, :n - 1) AS s(i)"
    return (
        "(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < :n - 1)"
        " SELECT i FROM s)"
    )


def _statements(pg: bool) -> list[tuple[str, str]]:
    """(sql, which count feeds :n) in order."""
    numbers = _numbers(pg)
    created = f"TIMESTAMPTZ '{CREATED}+00'" if pg else f"'{CREATED}'"
    published = f"TIMESTAMPTZ '{PUBLISHED}+00'" if pg else f"'{PUBLISHED}'"
    compromised = "TIMESTAMPTZ '2026-02-20 03:00:00+00'" if pg else "'2026-02-20 03:00:00.000000'"
    rotated = (
        "CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '2026-03-02' - (i % 200) END"
        if pg
        else "CASE WHEN i % 17 = 0 THEN NULL"
        " ELSE date('2026-03-02', '-' || (i % 200) || ' days') END"
    )
    acked_at = "TIMESTAMPTZ '2026-02-10 03:00:00+00'" if pg else "'2026-02-10 03:00:00.000000'"
    declared_at = "TIMESTAMPTZ '2026-03-01 03:00:00+00'" if pg else "'2026-03-01 03:00:00.000000'"
    day_feb, day_mar = ("DATE '2026-02-10'", "DATE '2026-03-01'") if pg else (
        "'2026-02-10'", "'2026-03-01'")  # fmt: skip

    def b(condition: str) -> str:
        """A boolean column's value: the condition itself on PostgreSQL, 1/0 on SQLite."""
        return f"({condition})" if pg else f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    return [
        (
            "INSERT INTO unit (id, name, created_at)"  # noqa: S608
            f" SELECT i + 1, 'Đơn vị ' || (i + 1), {created} FROM {numbers}",
            "units",
        ),
        (
            "INSERT INTO official (id, employee_id, full_name, unit_id, email, locale,"  # noqa: S608
            " preferred_channels, active, created_at, updated_at)"
            " SELECT i + 1, 'CB' || i, 'Cán bộ ' || i, (i % :u) + 1, 'cb' || i || '@xa.example',"
            f" 'vi', 'email,sms', {b('i % 50 <> 49')}, {created}, {created} FROM {numbers}",
            "officials",
        ),
        (
            "INSERT INTO account (official_id, system, kind, login, last_rotated_on, mfa,"  # noqa: S608
            " browser_saved, compromised_at, created_at, updated_at)"
            " SELECT (i % :o) + 1, 'Hệ thống ' || (i / :o),"
            " CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'messaging' WHEN 2 THEN 'social'"
            f" ELSE 'government' END, 'login' || i, {rotated}, {b('i % 3 = 0')},"
            f" {b('i % 11 = 0')}, CASE WHEN i % 997 = 0 THEN {compromised} END,"
            f" {created}, {created} FROM {numbers}",
            "accounts",
        ),
        (
            "INSERT INTO advisory (id, title, body, severity, requires_ack, published_at,"  # noqa: S608
            f" created_by) SELECT i + 1, 'Cảnh báo ' || i, 'Nội dung', 'high', {b('1 = 1')},"
            f" {published}, 'bench' FROM {numbers}",
            "advisories",
        ),
        (
            "INSERT INTO advisory_unit (advisory_id, unit_id)"  # noqa: S608
            f" SELECT 1, i + 1 FROM {numbers}",
            "audience",
        ),
        (
            "INSERT INTO acknowledgement (what, how, official_id, actor, at, acted_on,"  # noqa: S608
            " advisory_id) SELECT 'advisory', 'portal', (i / :a) + 1, 'bench',"
            f" {acked_at}, {day_feb}, (i % :a) + 1 FROM {numbers} WHERE (i / :a) % 5 <> 0"
            " AND (i / :a) % 5 <> 1",
            "acks",
        ),
        (
            "INSERT INTO acknowledgement (what, how, official_id, actor, at, acted_on)"  # noqa: S608
            f" SELECT 'browser', 'portal', i + 1, 'bench', {declared_at}, {day_mar}"
            f" FROM {numbers} WHERE i % 7 = 0",
            "officials",
        ),
    ]


def populate(
    engine: Engine,
    *,
    units: int,
    officials: int,
    accounts: int,
    advisories: int = 5,
    analyze: bool = True,
) -> None:
    """`analyze=False`: leave the planner without statistics, as autovacuum off leaves it."""
    pg = engine.dialect.name == "postgresql"
    counts = {
        "units": units,
        "officials": officials,
        "accounts": accounts,
        "advisories": advisories,
        "audience": min(10, units),
        "acks": officials * advisories,
    }
    params = {"u": units, "o": officials, "a": advisories}
    with engine.begin() as c:
        for sql, which in _statements(pg):
            names = {k: v for k, v in params.items() if f":{k}" in sql}
            c.execute(text(sql), {"n": counts[which], **names})
        if pg:
            for table in ("unit", "official", "advisory"):
                sql = f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"  # noqa: S608
                c.execute(text(sql))
        elif analyze:
            c.execute(text("ANALYZE"))
    if pg and analyze:
        vacuum_analyze(engine)
