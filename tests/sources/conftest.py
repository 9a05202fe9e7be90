"""Settings with one fake-backed source, and a small inventory it covers."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.db import row_id, upgrade
from hygiene.settings import Settings
from hygiene.sources import service
from hygiene.sources.base import Observation
from hygiene.sources.fake import FakeSource
from tests import factories
from tests.conftest import NOW, SECRET

SYSTEM = "Email công vụ"


@pytest.fixture
def src_settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "var",
        secret_key=SECRET,
        sources={
            "grace_days": 7,
            "ad": {"kind": "ad", "url": "ldaps://dc.example", "covers": [SYSTEM]},
        },
    )


@pytest.fixture
def inventory(engine: Engine) -> dict[str, int]:
    upgrade(engine)
    with Session(engine) as session:
        unit = factories.unit(session)
        ids: dict[str, int] = {}
        for n, login in enumerate(("huong", "minh", "lan")):
            official = factories.official(
                session, row_id(unit.id), f"CB{n:03d}", name=f"Cán bộ {login}"
            )
            account = factories.account(
                session, row_id(official.id), login=login, rotated=date(2025, 10, 1)
            )
            ids[login] = row_id(account.id)
        factories.account(
            session, row_id(official.id), system="Zalo", kind="messaging", login="lan"
        )
        session.commit()
    return ids


def seen(identity: str, changed: datetime | None = None, **extra: Any) -> Observation:
    return Observation(identity=identity, password_changed_at=changed, **extra)


Sync = Callable[..., service.SyncResult]


@pytest.fixture
def sync(engine: Engine, src_settings: Settings, audit_key: bytes) -> Sync:
    def run(
        *entries: Observation, dry_run: bool = False, now: datetime = NOW
    ) -> service.SyncResult:
        return service.run(
            engine=engine,
            settings=src_settings,
            name="ad",
            source=FakeSource("ad", entries),
            now=now,
            key=audit_key,
            actor="test",
            dry_run=dry_run,
        )

    return run


CHANGED = datetime(2026, 2, 20, 2, 0, tzinfo=UTC)


from tests.sources.directories import samba, slapd  # noqa: E402, F401  (session fixtures)
