"""`sources import` through the fake directory: rows, heads from manager, all or nothing."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import ValidationContext
from hygiene.settings import Settings
from hygiene.sources import importer
from hygiene.sources.base import Observation
from hygiene.sources.fake import FakeSource
from tests.conftest import NOW
from tests.sources.conftest import SYSTEM, Sync

FINANCE = "Phòng Tài chính"
BOARD = "Ban Giám đốc"


def person(identity: str, employee_id: str | None, unit: str | None, **extra: Any) -> Observation:
    values: dict[str, Any] = {
        "identity": identity,
        "dn": f"CN={identity},OU=Staff,DC=xa,DC=example",
        "email": f"{identity}@xa.example",
        "employee_id": employee_id,
        "unit": unit,
        "display_name": f"Cán bộ {identity}",
    }
    values.update(extra)
    return Observation(**values)


def boss(identity: str) -> str:
    return f"cn={identity},ou=staff,dc=xa,dc=example"  # the DN, in another case


DIRECTORY = [
    person("huong", "CB000", "Phòng Nội vụ"),  # in the inventory already
    person("tuan", "CB010", FINANCE, manager=boss("ha")),
    person("ha", "CB011", FINANCE, manager=boss("giam"), phone="0912 345 678"),
    person("giam", "CB012", BOARD),
    person("tat", "CB013", FINANCE, disabled=True, manager=boss("ha")),
]


def run(
    engine: Engine,
    settings: Settings,
    key: bytes,
    entries: list[Observation],
    *,
    dry_run: bool = False,
) -> importer.DirectoryImport:
    context = ValidationContext(
        today=date(2026, 3, 2), kinds=KindNames.from_policies(settings.policies)
    )
    with Session(engine) as session:
        report = importer.import_directory(
            session,
            name="ad",
            config=settings.sources.entries["ad"],
            source=FakeSource("ad", entries),
            context=context,
            key=key,
            now=NOW,
            actor="test",
            dry_run=dry_run,
        )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return report


def _officials(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Official)).scalar_one())


def _head(engine: Engine, unit: str) -> str | None:
    with Session(engine) as session:
        query = (
            select(Official.employee_id)
            .join(Unit, col(Unit.head_official_id) == col(Official.id))
            .where(col(Unit.name) == unit)
        )
        return session.execute(query).scalar_one_or_none()


def test_dry_run_counts_and_writes_nothing(
    engine: Engine, src_settings: Settings, audit_key: bytes, inventory: dict[str, int]
) -> None:
    report = run(engine, src_settings, audit_key, DIRECTORY, dry_run=True)
    counts = report.counts()
    assert counts["officials_created"] == 3
    assert counts["accounts_created"] == 3
    assert counts["units_created"] == 2
    assert counts["heads_set"] == 1
    assert (report.entries, report.present, report.disabled) == (5, 1, 1)
    assert report.not_in_directory == 2  # minh and lan: counted, left as they are
    assert _officials(engine) == 3
    assert _head(engine, FINANCE) is None


def test_apply_creates_officials_accounts_and_the_head_the_managers_name(
    engine: Engine,
    src_settings: Settings,
    audit_key: bytes,
    inventory: dict[str, int],
    sync: Sync,
) -> None:
    before = sync(*DIRECTORY)
    report = run(engine, src_settings, audit_key, DIRECTORY)
    assert report.result.officials_created == 3
    assert _head(engine, FINANCE) == "CB011"  # tuan's manager; ha's own is on the board
    assert _head(engine, BOARD) is None  # nobody on the board is managed from within it
    with Session(engine) as session:
        ha = session.exec(select(Official).where(Official.employee_id == "CB011")).one()
        account = session.exec(select(Account).where(Account.official_id == ha.id)).one()
        assert (ha.full_name, ha.email, ha.phone) == ("Cán bộ ha", "ha@xa.example", "+84912345678")
        assert (account.system, account.login, account.kind) == (SYSTEM, "ha", "email")
        tat = session.exec(select(Official).where(Official.employee_id == "CB013")).first()
        assert tat is None  # disabled in the directory: not imported
        stored = session.exec(select(Account).where(col(Account.login) == "minh")).one()
        assert stored.inactive_reason is None  # not in the directory, not deactivated
        actions = list(session.exec(select(AuditEvent.action)))
    assert actions.count("official.created") == 3
    assert actions.count("unit.head_set") == 1
    assert "import.completed" in actions
    # The sync now pairs the new accounts with their entries.
    assert sync(*DIRECTORY).matched == before.matched + 3
    again = run(engine, src_settings, audit_key, DIRECTORY)
    assert not again.result.changed
    assert again.present == 4


def test_a_bad_entry_rejects_the_whole_import_naming_entry_and_attribute(
    engine: Engine, src_settings: Settings, audit_key: bytes, inventory: dict[str, int]
) -> None:
    entries = [
        *DIRECTORY,
        person("noid", None, FINANCE),
        person("bad", "CB020", FINANCE, email="không phải email"),
        person("nounit", "CB021", None),
    ]
    with pytest.raises(importer.DirectoryRejected) as caught:
        run(engine, src_settings, audit_key, entries)
    problems = {(p.line, p.column, p.code) for p in caught.value.problems}
    assert problems == {
        (6, "employeeID", "value.required"),
        (7, "mail", "email.invalid"),
        (8, "department", "value.required"),
    }
    assert caught.value.identities[7] == "bad"
    assert _officials(engine) == 3  # the good entries were not written either


def test_an_entry_of_a_stored_official_adds_the_account_without_a_second_official(
    engine: Engine, src_settings: Settings, audit_key: bytes, inventory: dict[str, int]
) -> None:
    entry = person("minh.nv", "CB001", "Phòng Nội vụ", display_name="Cán bộ minh")
    report = run(engine, src_settings, audit_key, [entry])
    assert (report.result.officials_created, report.result.accounts_created) == (0, 1)
    assert report.result.officials_updated == 1  # the directory's mail replaces the stored one
    assert _officials(engine) == 3


def test_a_stored_head_is_marked_and_one_in_another_unit_is_only_warned_about(
    engine: Engine, src_settings: Settings, audit_key: bytes, inventory: dict[str, int]
) -> None:
    entries = [
        person("minh", "CB001", "Phòng Nội vụ", display_name="Cán bộ minh"),  # stored
        person("new1", "CB030", "Phòng Nội vụ", manager=boss("minh")),
        person("huong", "CB000", FINANCE),  # stored in Phòng Nội vụ
        person("tuan", "CB010", FINANCE, manager=boss("huong")),
    ]
    report = run(engine, src_settings, audit_key, entries)
    assert report.result.heads_set == 1
    assert _head(engine, "Phòng Nội vụ") == "CB001"
    assert _head(engine, FINANCE) is None
    assert [w.code for w in report.warnings] == ["sources.import.head_elsewhere"]
    with Session(engine) as session:
        minh = session.exec(select(Official).where(Official.employee_id == "CB001")).one()
    assert minh.email == "cb001@xa.example"  # the head's row carried only stored values


def test_two_tops_in_one_unit_are_two_heads(
    engine: Engine, src_settings: Settings, audit_key: bytes, inventory: dict[str, int]
) -> None:
    entries = [
        person("a", "CB040", FINANCE, manager=boss("b")),
        person("b", "CB041", FINANCE),
        person("c", "CB042", FINANCE, manager=boss("d")),
        person("d", "CB043", FINANCE),
    ]
    with pytest.raises(importer.DirectoryRejected) as caught:
        run(engine, src_settings, audit_key, entries)
    assert [p.code for p in caught.value.problems] == ["unit_head.two_heads"]
    assert _officials(engine) == 3


def test_employee_id_from_the_login_and_a_default_unit(
    engine: Engine, src_settings: Settings, audit_key: bytes, inventory: dict[str, int]
) -> None:
    config = src_settings.sources.entries["ad"].model_copy(
        update={"import_employee_id": "identity", "import_unit": "UBND xã"}
    )
    settings = src_settings.model_copy(
        update={"sources": src_settings.sources.model_copy(update={"entries": {"ad": config}})}
    )
    report = run(engine, settings, audit_key, [person("vy", None, None)])
    assert report.result.officials_created == 1
    with Session(engine) as session:
        vy = session.exec(select(Official).where(Official.employee_id == "vy")).one()
        unit = session.get(Unit, vy.unit_id)
    assert unit is not None
    assert unit.name == "UBND xã"
