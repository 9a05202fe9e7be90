"""The product's promise in the schema: no column can hold a password; migrations match models."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from hygiene import models as _models  # noqa: F401

PASSWORDISH = re.compile(r"pass|passwd|pwd|secret|mat_?khau|matkhau", re.IGNORECASE)
INVENTORY_TABLES = {"unit", "official", "account"}
# The only exceptions anywhere in the schema, each the console user's OWN sign-in secret (an
# argon2 hash and a TOTP seed), never an inventory password. Adding to this list needs a reason.
ALLOWED = {"console_user.password_hash", "console_user.totp_secret"}


def test_no_column_is_named_like_a_password() -> None:
    columns = {
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if PASSWORDISH.search(column.name)
    }
    assert {t.name for t in SQLModel.metadata.sorted_tables} >= INVENTORY_TABLES
    assert columns - ALLOWED == set()
    assert not any(c.split(".")[0] in INVENTORY_TABLES for c in columns)


def test_the_migrated_database_has_no_password_column(engine: Engine) -> None:
    inspector = inspect(engine)
    found = {
        f"{table}.{column['name']}"
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if PASSWORDISH.search(column["name"])
    }
    assert set(inspector.get_table_names()) >= INVENTORY_TABLES
    assert found - ALLOWED == set()


def test_the_pattern_would_catch_a_password_column() -> None:
    assert all(
        PASSWORDISH.search(n) for n in ["password", "login_passwd", "mat_khau", "api_secret"]
    )
    assert not any(PASSWORDISH.search(n) for n in ["login", "last_rotated_on", "system"])


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
