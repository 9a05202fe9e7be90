"""The tallies (migration 0018, kept by triggers) give the figures the live query counts over
every account, on every report day, after each kind of write; a policy or zone change is not
read until `tally.sync` has rebuilt the due days."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select, text, update
from sqlmodel import Session, col

from hygiene import db, jobs
from hygiene.acks import service as acks
from hygiene.advisories.models import Advisory
from hygiene.bootstrap import Deps
from hygiene.campaigns.stages import Clockless
from hygiene.inventory import importer
from hygiene.inventory import service as inventory
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import ValidationContext
from hygiene.reports import compliance, figures, snapshot, tally
from hygiene.settings import Policy, Settings
from tests import factories as f
from tests.conftest import NOW
from tests.helpers import write_csv
from tests.reports import seed

# Report days around NOW: before the inventory existed, due days passing, long after.
DAYS = (-400, -90, -31, -1, 0, 1, 2, 30, 61, 91, 400)
Figures = dict[int, dict[str, int]]


def _at(settings: Settings, offset: int = 0) -> Clockless:
    return compliance.clock_at(settings, NOW, NOW.date() + timedelta(days=offset))


def _figures(s: Session, policies: dict[str, Policy], at: Clockless, tallied: bool) -> Figures:
    rows = s.execute(figures.unit_figures(policies, at, None, tallied)).mappings()
    return {r["unit_id"]: {n: int(r[n]) for n in figures.FIGURES} for r in rows}


def _one(s: Session, policies: dict[str, Policy], at: Clockless, unit_id: int) -> dict[str, int]:
    row = s.execute(figures.unit_figures(policies, at, unit_id, True)).mappings().one()
    return {n: int(row[n]) for n in figures.FIGURES}


def _same(engine: Engine, settings: Settings, policies: dict[str, Policy] | None = None) -> Any:
    """Assert the tallied figures equal the live ones on every day of DAYS, for every unit and
    each unit alone; return the live totals of NOW."""
    policies = settings.policies if policies is None else policies
    with Session(engine) as s:
        assert tally.current(s, policies=policies, at=_at(settings))
        for offset in DAYS:
            at = _at(settings, offset)
            live = _figures(s, policies, at, tallied=False)
            assert _figures(s, policies, at, tallied=True) == live, offset
            assert {u: _one(s, policies, at, u) for u in live} == live, offset
        now = _figures(s, policies, _at(settings), tallied=False)
    return {n: sum(u[n] for u in now.values()) for n in ("officials", "accounts", "overdue")}


def _sync(engine: Engine, settings: Settings, policies: dict[str, Policy] | None = None) -> bool:
    with db.session_scope(engine) as s:
        policies = settings.policies if policies is None else policies
        return tally.sync(s, policies=policies, at=_at(settings))


def _seeded(engine: Engine, settings: Settings) -> dict[str, int]:
    with db.session_scope(engine) as s:
        seed.seed(s)
    assert _sync(engine, settings)
    ids = {}
    with Session(engine) as s:
        for o in s.execute(select(Official)).scalars():
            ids[o.employee_id] = db.row_id(o.id)
        for u in s.execute(select(Unit)).scalars():
            ids[u.name] = db.row_id(u.id)
    return ids


def _account(s: Session, official: int, login: str, **values: Any) -> int:
    row = f.account(s, official, login=login)
    for name, value in values.items():
        setattr(row, name, value)
    s.flush()
    return f.ident(row)


def test_the_seeded_figures_are_not_trivial(engine: Engine, settings: Settings) -> None:
    _seeded(engine, settings)

    assert _same(engine, settings) == {"officials": 2, "accounts": 3, "overdue": 2}


def test_accounts_inserted_of_every_kind_and_fact(engine: Engine, settings: Settings) -> None:
    ids = _seeded(engine, settings)
    hit = NOW - timedelta(days=3)
    with db.session_scope(engine) as s:
        one, two = ids["CB001"], ids["CB002"]
        _account(s, one, "a", kind="government", last_rotated_on=date(2026, 1, 5), mfa=True)
        _account(s, one, "b", kind="social", expires_on=date(2026, 3, 20), browser_saved=True)
        _account(s, two, "c", kind="no-such-kind", last_rotated_on=date(2025, 1, 1))
        _account(s, two, "d", compromised_at=hit, last_rotated_on=date(2026, 2, 1))
        _account(s, two, "e", compromised_at=hit, last_rotated_on=NOW.date())  # rotated since
        _account(s, two, "f", inactive_reason="directory:ad", last_rotated_on=date(2025, 1, 1))
        _account(s, ids["CB009"], "g", mfa=True)  # a deactivated official's
        _account(s, one, "h", created_at=NOW + timedelta(days=1))  # enters tomorrow

    assert _same(engine, settings)["accounts"] == 9


def test_accounts_updated_and_deleted(engine: Engine, settings: Settings) -> None:
    ids = _seeded(engine, settings)
    with db.session_scope(engine) as s:
        mine = _account(s, ids["CB001"], "x", kind="government", browser_saved=True)
        other = _account(s, ids["CB002"], "y", last_rotated_on=date(2025, 6, 1))
    changes: list[dict[str, Any]] = [
        {"last_rotated_on": date(2026, 2, 28)},
        {"kind": "social", "mfa": True},
        {"browser_saved": False},
        {"compromised_at": NOW - timedelta(days=1)},
        {"expires_on": date(2026, 3, 5)},
        {"inactive_reason": "directory:ad"},
        {"inactive_reason": None, "official_id": ids["CB009"]},
        {"official_id": ids["CB002"], "last_rotated_on": None},
        {"updated_at": NOW},  # a column the tallies do not read
    ]
    for values in changes:
        with db.session_scope(engine) as s:
            s.execute(update(Account).where(col(Account.id) == mine).values(**values))
        _same(engine, settings)
    with db.session_scope(engine) as s:
        s.execute(delete(Account).where(col(Account.id).in_([mine, other])))

    assert _same(engine, settings)["accounts"] == 3


def test_rotations_and_cleanings_of_several_accounts_at_once(
    engine: Engine, settings: Settings
) -> None:
    ids = _seeded(engine, settings)
    with db.session_scope(engine) as s:  # one official's accounts, all saved in a browser
        mine = [_account(s, ids["CB002"], f"b{i}", browser_saved=True) for i in range(3)]
    _same(engine, settings)

    with db.session_scope(engine) as s:  # one UPDATE statement, as an acknowledgement does
        acks.set_accounts(s, mine, browser_saved=False, updated_at=NOW)
    _same(engine, settings)
    with db.session_scope(engine) as s:
        acks.set_accounts(s, mine, last_rotated_on=NOW.date(), browser_saved=True)
        acks.set_accounts(s, mine[:2], mfa=True, browser_saved=False)

    assert _same(engine, settings)["accounts"] == 6


def test_officials_moved_deactivated_added_and_deleted(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    ids = _seeded(engine, settings)
    moves: list[tuple[str, dict[str, Any]]] = [
        ("CB001", {"unit_id": ids["Phòng Văn hóa"]}),
        ("CB002", {"active": False}),
        ("CB009", {"active": True, "unit_id": ids["Phòng Tư pháp"]}),
        ("CB002", {"active": True, "unit_id": ids["Phòng Văn hóa"]}),
        ("CB001", {"full_name": "Nguyễn Thị Hương (đổi tên)"}),
    ]
    for who, values in moves:
        with db.session_scope(engine) as s:
            s.execute(update(Official).where(col(Official.id) == ids[who]).values(**values))
        _same(engine, settings)
    with db.session_scope(engine) as s:
        inventory.deactivate_official(s, employee_id="CB009", key=audit_key, actor="t", now=NOW)
        new = f.official(s, ids["Phòng Nội vụ"], "CB010")
        _account(s, f.ident(new), "n", last_rotated_on=date(2025, 1, 1))
    _same(engine, settings)
    with db.session_scope(engine) as s:
        s.execute(delete(Official).where(col(Official.id) == ids["CB001"]))

    assert _same(engine, settings) == {"officials": 2, "accounts": 2, "overdue": 2}


def test_an_import(engine: Engine, settings: Settings, tmp_path: Path, audit_key: bytes) -> None:
    _seeded(engine, settings)
    context = ValidationContext(today=NOW.date(), kinds=KindNames.from_policies(settings.policies))
    with db.session_scope(engine) as s:
        importer.import_file(
            s, write_csv(tmp_path / "a.csv"), context=context, key=audit_key, now=NOW, actor="t"
        )

    assert _same(engine, settings)["accounts"] > 3


def _policies(settings: Settings, **changes: dict[str, Any]) -> dict[str, Policy]:
    out = dict(settings.policies)
    for kind, values in changes.items():
        out[kind] = out[kind].model_copy(update=values)
    return out


def test_a_policy_change_is_counted_live_until_sync_rebuilds(
    engine: Engine, settings: Settings
) -> None:
    _seeded(engine, settings)
    before = _same(engine, settings)["overdue"]
    changed = _policies(
        settings, email={"rotation_days": 20}, government={"profile": "nist-800-63b-4"}
    )
    with Session(engine) as s:
        assert not tally.current(s, policies=changed, at=_at(settings))
        rows = compliance.by_unit(s, policies=changed, at=_at(settings))
        live = _figures(s, changed, _at(settings), tallied=False)
    assert {r.unit_id: r.overdue for r in rows} == {u: n["overdue"] for u, n in live.items()}

    assert _sync(engine, settings, changed)
    assert not _sync(engine, settings, changed)  # now current: nothing to rebuild
    assert _same(engine, settings, changed)["overdue"] != before


def test_another_zone_offset_is_not_current(engine: Engine, settings: Settings) -> None:
    _seeded(engine, settings)
    at = _at(settings)
    elsewhere = Clockless(at.today, at.zone, at.offset_minutes + 60)

    with Session(engine) as s:
        assert tally.current(s, policies=settings.policies, at=at)
        assert not tally.current(s, policies=settings.policies, at=elsewhere)


def test_the_report_reads_the_tallies_while_current(engine: Engine, settings: Settings) -> None:
    ids = _seeded(engine, settings)
    with db.session_scope(engine) as s:  # only the tallies say so
        forged = text("UPDATE tally_unit SET mfa = 40 WHERE unit_id = :u")
        s.execute(forged, {"u": ids["Phòng Tư pháp"]})
    at = _at(settings)
    with Session(engine) as s:
        now = {r.unit: r.mfa for r in compliance.by_unit(s, policies=settings.policies, at=at)}
        other = _policies(settings, email={"rotation_days": 91})
        live = {r.unit: r.mfa for r in compliance.by_unit(s, policies=other, at=at)}

    assert (now["Phòng Tư pháp"], live["Phòng Tư pháp"]) == (40, 0)


def test_the_snapshot_rebuilds_after_a_policy_change_and_equals_the_live_figures(
    engine: Engine, settings: Settings
) -> None:
    _seeded(engine, settings)
    changed = _policies(settings, email={"rotation_days": 5})
    for _ in range(2):  # twice the same day: the same rows
        with db.session_scope(engine) as s:
            taken = snapshot.take(s, policies=changed, at=_at(settings), now=NOW)
    with Session(engine) as s:
        stored = s.execute(text("SELECT unit_id, overdue, accounts FROM compliance_snapshot"))
        rows = {u: (late, n) for u, late, n in stored}
        live = _figures(s, changed, _at(settings), tallied=False)

    assert taken.units == len(rows) == 3
    assert rows == {u: (n["overdue"], n["accounts"]) for u, n in live.items()}
    assert _same(engine, settings, changed)["overdue"] == 3


def test_the_migration_counts_the_inventory_before_it(tmp_path: Path, settings: Settings) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0017")
    with db.session_scope(engine) as s:
        seed.seed(s)
        f.account(s, f.ident(f.official(s, 1, "CB077")), login="z", browser_saved=True)

    db.upgrade(engine)
    _sync(engine, settings)

    try:
        assert _same(engine, settings)["accounts"] == 4
    finally:
        engine.dispose()


def test_created_days_at_the_zones_midnight(engine: Engine, settings: Settings) -> None:
    ids = _seeded(engine, settings)
    midnight = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 00:00 on 02/03 in Hà Nội
    with db.session_scope(engine) as s:
        for i, at in enumerate((midnight, midnight - timedelta(microseconds=1000))):
            _account(s, ids["CB002"], f"m{i}", created_at=at)

    _same(engine, settings)


def test_the_start_job_rebuilds_once_for_the_settings(deps: Deps) -> None:
    with db.session_scope(deps.engine) as s:
        seed.seed(s)

    assert (jobs.tally_job(deps), jobs.tally_job(deps)) == (True, False)
    assert _same(deps.engine, deps.settings)["overdue"] == 2


def _ack(s: Session, official: int, advisory: int, at: datetime) -> None:
    given = acks.AckResult(message_id=None, official_id=official, what="advisory", on=at.date())
    acks.record(
        s, result=given, how="portal", actor="t", now=at, note=None, accounts=(),
        advisories=(advisory,),
    )  # fmt: skip


def _advisories(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {a.title: db.row_id(a.id) for a in s.execute(select(Advisory)).scalars()}


def test_acknowledgements_new_again_earlier_late_and_deleted(
    engine: Engine, settings: Settings
) -> None:
    ids = _seeded(engine, settings)
    titles = _advisories(engine)
    everyone, tu_phap = titles["Cảnh giác ảnh ghép bằng AI"], titles["Hồ sơ một cửa giả mạo"]
    steps: list[tuple[str, int, datetime]] = [
        ("CB002", everyone, NOW - timedelta(days=1)),
        ("CB002", tu_phap, NOW + timedelta(days=1)),  # after the report day
        ("CB002", tu_phap, NOW - timedelta(days=5)),  # an earlier one: now counts
        ("CB002", everyone, NOW),  # again: still one pair
        ("CB009", everyone, NOW),  # a deactivated official's
        ("CB001", tu_phap, NOW),  # not owed by that unit
    ]
    for who, advisory, at in steps:
        with db.session_scope(engine) as s:
            _ack(s, ids[who], advisory, at)
        _same(engine, settings)
    with db.session_scope(engine) as s:
        s.execute(update(Official).where(col(Official.id) == ids["CB009"]).values(active=True))
    _same(engine, settings)
    with db.session_scope(engine) as s:
        s.execute(delete(Advisory).where(col(Advisory.id) == tu_phap))
    with db.session_scope(engine) as s:
        s.execute(delete(Official).where(col(Official.id) == ids["CB002"]))

    assert _same(engine, settings)["officials"] == 2
    with Session(engine) as s:
        assert (
            _figures(s, settings.policies, _at(settings), tallied=True)[ids["Phòng Nội vụ"]][
                "advisory_acked"
            ]
            == 2
        )


def test_a_database_synced_before_0019_counts_its_acknowledgements(
    tmp_path: Path, settings: Settings
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0018")
    with db.session_scope(engine) as s:
        seed.seed(s)
        s.execute(text("INSERT INTO tally_clock VALUES (1, 'Asia/Ho_Chi_Minh', 420)"))

    db.upgrade(engine)

    at = _at(settings)
    try:
        with Session(engine) as s:
            ours = _figures(s, settings.policies, at, tallied=True)
            live = _figures(s, settings.policies, at, tallied=False)
        assert {u: n["advisory_acked"] for u, n in ours.items()} == {
            u: n["advisory_acked"] for u, n in live.items()
        }
        assert sum(n["advisory_acked"] for n in live.values()) == 1
    finally:
        engine.dispose()
