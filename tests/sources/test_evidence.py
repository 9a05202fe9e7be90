"""What a directory observation does to reminders and declarations."""

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from hygiene.campaigns import service as campaigns
from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from hygiene.sources import findings
from tests.conftest import NOW
from tests.sources.conftest import CHANGED, Sync, seen


def _plan(engine: Engine, settings: Settings, audit_key: bytes, now: datetime = NOW) -> list[str]:
    with Session(engine) as session:
        result = campaigns.plan(
            session=session,
            settings=settings,
            now=now,
            campaign="rotation",
            audit_key=audit_key,
            actor="t",
        )
        session.commit()
    return result.keys


def _messages(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).order_by(col(Message.id))).all())


def test_a_directory_change_stops_the_pending_reminder_without_an_ack(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings, audit_key: bytes
) -> None:
    assert _plan(engine, src_settings, audit_key)  # all three are overdue (rotated 01/10/2025)
    result = sync(seen("huong", CHANGED))
    statuses = {m.payload: m.status for m in _messages(engine)}
    assert statuses[str(inventory["huong"])] == "cancelled"
    assert statuses[str(inventory["minh"])] == "pending"
    assert result.stopped == 1


def test_once_rotated_in_the_directory_no_new_reminder_is_planned(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings, audit_key: bytes
) -> None:
    sync(seen("huong", CHANGED))
    planned = _plan(engine, src_settings, audit_key, now=NOW + timedelta(days=7))
    assert not any(
        key.startswith(f"rotation:{_official(engine, inventory['huong'])}:") for key in planned
    )


def _official(engine: Engine, account_id: int) -> int:
    with Session(engine) as session:
        row = session.get(Account, account_id)
        assert row is not None
        return row.official_id


def test_a_directory_expiry_wins_over_the_kind_policy(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings, audit_key: bytes
) -> None:
    from datetime import UTC, datetime

    # Rotated today by the directory, but a fine-grained policy expires it in 10 days:
    # the 14-day lead reminder is due now, although the kind's 90 days are far away.
    expires = datetime(2026, 3, 12, 1, tzinfo=UTC)
    sync(seen("huong", NOW, expires_at=expires))
    planned = _plan(engine, src_settings, audit_key)
    official = _official(engine, inventory["huong"])
    assert f"rotation:{official}:2026-03-02:upcoming" in planned


def test_a_directory_disabled_account_gets_no_reminder(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings, audit_key: bytes
) -> None:
    sync(seen("minh", disabled=True))
    planned = _plan(engine, src_settings, audit_key)
    assert not any(
        k.startswith(f"rotation:{_official(engine, inventory['minh'])}:") for k in planned
    )


def _declare(engine: Engine, account_id: int, on: date) -> None:
    with Session(engine) as session:
        session.execute(
            update(Account)
            .where(col(Account.id) == account_id)
            .values(last_rotated_on=on, rotation_source="portal")
        )
        session.commit()


def test_declared_but_not_seen_is_listed_after_the_grace_days(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings
) -> None:
    _declare(engine, inventory["huong"], date(2026, 2, 20))  # 10 days ago; grace is 7
    _declare(engine, inventory["minh"], date(2026, 2, 27))  # 3 days ago: still in grace
    sync(seen("huong", CHANGED - timedelta(days=100)), seen("minh"))
    with Session(engine) as session:
        found = findings.declared_not_seen(session, settings=src_settings, today=date(2026, 3, 2))
    assert [(f.login, f.declared_on, f.source) for f in found] == [
        ("huong", date(2026, 2, 20), "ad")
    ]


def test_a_directory_change_after_the_declaration_verifies_it(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings
) -> None:
    _declare(engine, inventory["huong"], date(2026, 2, 20))
    sync(seen("huong", CHANGED))  # changed on 20/02 too: the declaration is now verified
    with Session(engine) as session:
        found = findings.declared_not_seen(session, settings=src_settings, today=date(2026, 3, 2))
        account = session.get(Account, inventory["huong"])
    assert found == []
    assert account is not None
    assert account.rotation_source == "directory:ad"


def test_declared_but_not_seen_plans_a_rotate_now_reminder(
    engine: Engine, inventory: dict[str, int], sync: Sync, src_settings: Settings, audit_key: bytes
) -> None:
    _declare(engine, inventory["huong"], date(2026, 2, 20))
    result = sync(seen("huong", CHANGED - timedelta(days=100)))
    assert result.flagged == 1
    planned = _plan(engine, src_settings, audit_key)
    assert f"rotation:{_official(engine, inventory['huong'])}:2026-03-02:now" in planned
    again = sync(seen("huong", CHANGED - timedelta(days=100)))
    assert again.flagged == 0  # one rotate-now series per declaration


def test_the_list_policy_only_lists(
    engine: Engine, inventory: dict[str, int], src_settings: Settings, audit_key: bytes
) -> None:
    from hygiene.sources import service
    from hygiene.sources.fake import FakeSource

    listing = src_settings.model_copy(
        update={"sources": src_settings.sources.model_copy(update={"declared_not_seen": "list"})}
    )
    _declare(engine, inventory["huong"], date(2026, 2, 20))
    result = service.run(
        engine=engine,
        settings=listing,
        name="ad",
        source=FakeSource("ad", [seen("huong", CHANGED - timedelta(days=100))]),
        now=NOW,
        key=audit_key,
        actor="t",
    )
    assert result.flagged == 0
    with Session(engine) as session:
        account = session.get(Account, inventory["huong"])
    assert account is not None
    assert account.compromised_at is None
