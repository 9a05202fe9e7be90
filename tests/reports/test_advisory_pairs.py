"""The advisory figures, counted from advisory_ack (pairs kept on write), equal the previous
live query's (acknowledgements made distinct per official and advisory) after each write."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, delete, func, select, text
from sqlmodel import Session, col

from hygiene import db
from hygiene.acks import service as acks
from hygiene.acks.models import Acknowledgement
from hygiene.advisories.models import Advisory
from hygiene.inventory.models import Official, Unit
from hygiene.reports import compliance, figures
from hygiene.reports.models import AdvisoryAck
from hygiene.settings import Settings
from tests import factories as f
from tests.conftest import NOW
from tests.reports import seed


def _previous(s: Session, at: Any) -> dict[int, int]:
    """Per unit, as the figures counted before advisory_ack existed."""
    ack = Acknowledgement
    pairs = (
        select(col(ack.official_id), col(ack.advisory_id))
        .where(col(ack.what) == "advisory", col(ack.at) < figures.end_of(at))
        .distinct()
        .subquery()
    )
    owed = figures.applicable(at, None)
    same = and_(owed.c.unit_id == col(Official.unit_id), owed.c.advisory_id == pairs.c.advisory_id)
    query = (
        select(col(Official.unit_id), func.count())
        .select_from(pairs)
        .join(Official, col(Official.id) == pairs.c.official_id)
        .join(owed, same)
        .where(col(Official.active))
        .group_by(col(Official.unit_id))
    )
    return {unit: int(n) for unit, n in s.execute(query)}


def _both(engine: Engine, settings: Settings) -> dict[str, int]:
    """The figure per unit name (units with none left out), asserted equal to the previous."""
    at = compliance.clock_at(settings, NOW)
    with Session(engine) as s:
        names = {db.row_id(u.id): u.name for u in s.execute(select(Unit)).scalars()}
        rows = s.execute(figures.unit_figures(settings.policies, at)).mappings().all()
        ours = {names[r["unit_id"]]: r["advisory_acked"] for r in rows if r["advisory_acked"]}
        theirs = {names[unit]: n for unit, n in _previous(s, at).items() if n}
    assert ours == theirs
    return ours


def _ids(s: Session) -> dict[str, int]:
    people = {o.employee_id: db.row_id(o.id) for o in s.execute(select(Official)).scalars()}
    titles = {a.title: db.row_id(a.id) for a in s.execute(select(Advisory)).scalars()}
    return people | titles


def _ack(
    s: Session, official: int, advisory: int | None, at: datetime, what: str = "advisory"
) -> None:
    result = acks.AckResult(message_id=None, official_id=official, what=what, on=at.date())
    acks.record(
        s, result=result, how="portal", actor="t", now=at, note=None, accounts=(),
        advisories=() if advisory is None else (advisory,),
    )  # fmt: skip


EVERYONE, TU_PHAP = "Cảnh giác ảnh ghép bằng AI", "Hồ sơ một cửa giả mạo"


def test_new_repeated_late_and_early_acknowledgements(engine: Engine, settings: Settings) -> None:
    with db.session_scope(engine) as s:
        seed.seed(s)
    assert _both(engine, settings) == {"Phòng Nội vụ": 1}

    with db.session_scope(engine) as s:
        ids = _ids(s)
        for title in (EVERYONE, TU_PHAP):
            _ack(s, ids["CB002"], ids[title], NOW - timedelta(days=1))
        _ack(s, ids["CB002"], ids[EVERYONE], NOW)  # again: one pair
        _ack(s, ids["CB001"], None, NOW, what="rotation")  # not an advisory
    assert _both(engine, settings) == {"Phòng Nội vụ": 1, "Phòng Tư pháp": 2}

    with db.session_scope(engine) as s:
        third = f.ident(f.official(s, _unit(s, "Phòng Tư pháp"), "CB003"))
        _ack(s, third, ids[EVERYONE], NOW + timedelta(days=2))  # after the report's day
        _ack(s, ids["CB009"], ids[EVERYONE], NOW)  # deactivated: left out
    assert _both(engine, settings) == {"Phòng Nội vụ": 1, "Phòng Tư pháp": 2}

    with db.session_scope(engine) as s:
        _ack(s, third, ids[EVERYONE], NOW - timedelta(days=3))  # an earlier one now counts
        _ack(s, third, ids[EVERYONE], NOW + timedelta(days=3))  # and stays the one kept
    assert _both(engine, settings) == {"Phòng Nội vụ": 1, "Phòng Tư pháp": 3}


def _unit(s: Session, name: str) -> int:
    return db.row_id(s.execute(select(Unit).where(col(Unit.name) == name)).scalar_one().id)


def test_edits_moves_and_deletions(engine: Engine, settings: Settings) -> None:
    with db.session_scope(engine) as s:
        seed.seed(s)
        ids = _ids(s)
        for title in (EVERYONE, TU_PHAP):
            _ack(s, ids["CB002"], ids[title], NOW - timedelta(days=1))
    assert _both(engine, settings) == {"Phòng Nội vụ": 1, "Phòng Tư pháp": 2}

    with db.session_scope(engine) as s:  # what an edit or an import does to the officials
        s.get_one(Official, ids["CB001"]).active = False
        s.get_one(Official, ids["CB002"]).unit_id = _unit(s, "Phòng Văn hóa")
    assert _both(engine, settings) == {"Phòng Văn hóa": 1}  # owes only the all-units one

    with db.session_scope(engine) as s:
        s.get_one(Official, ids["CB001"]).active = True
        s.get_one(Official, ids["CB002"]).unit_id = _unit(s, "Phòng Tư pháp")
        s.execute(delete(Advisory).where(col(Advisory.id) == ids[TU_PHAP]))
    assert _both(engine, settings) == {"Phòng Nội vụ": 1, "Phòng Tư pháp": 1}

    with db.session_scope(engine) as s:
        s.execute(delete(Official).where(col(Official.id) == ids["CB002"]))
    assert _both(engine, settings) == {"Phòng Nội vụ": 1}
    with Session(engine) as s:
        pairs = s.execute(select(col(AdvisoryAck.official_id), col(AdvisoryAck.advisory_id))).all()
    assert pairs == [(ids["CB001"], ids[EVERYONE])]


def test_the_migration_keeps_the_acknowledgements_given_before_it(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0016")
    with db.session_scope(engine) as s:
        seed.seed(s)
        ids = _ids(s)
        for days in (1, 5):  # twice, the earlier one kept
            s.add(Acknowledgement(
                what="advisory", how="sms", official_id=ids["CB002"], actor="t",
                at=NOW - timedelta(days=days), acted_on=NOW.date(), advisory_id=ids[EVERYONE],
            ))  # fmt: skip

    db.upgrade(engine)

    with engine.connect() as c:
        rows = c.execute(text("SELECT official_id, advisory_id, at FROM advisory_ack ORDER BY 1"))
        pairs = [(o, a, str(at)[:10]) for o, a, at in rows]
    engine.dispose()
    assert pairs == [
        (ids["CB001"], ids[EVERYONE], "2026-02-21"),
        (ids["CB002"], ids[EVERYONE], "2026-02-25"),
    ]
