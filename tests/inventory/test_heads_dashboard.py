"""The dashboard's units without a head are the ones the per-official count found."""

from sqlalchemy import Engine, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hygiene.db import session_scope
from hygiene.inventory import heads
from hygiene.inventory.models import Official, Unit
from tests import factories as f


def _counted(session: Session) -> list[tuple[int, str]]:
    """The previous query: every active official joined and counted per unit."""
    head, member = aliased(Official), aliased(Official)
    query = (
        select(col(Unit.id), col(Unit.name), func.count(col(member.id)))
        .join(member, col(member.unit_id) == col(Unit.id))
        .outerjoin(head, col(head.id) == col(Unit.head_official_id))
        .where(col(member.active), or_(col(head.id).is_(None), ~col(head.active)))
        .group_by(col(Unit.id), col(Unit.name))
        .order_by(col(Unit.name))
    )
    return [(i, n) for i, n, _ in session.execute(query)]


def _both(engine: Engine) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    with Session(engine) as session:
        return [(h.unit_id, h.name) for h in heads.without_head(session)], _counted(session)


def test_the_units_without_a_head_follow_each_change(engine: Engine) -> None:
    with session_scope(engine) as s:
        units = [f.ident(f.unit(s, name)) for name in ("Xã A", "Xã B", "Xã C", "Xã D")]
        people = {
            n: f.ident(f.official(s, units[n % 3], f"CB{n}", active=n != 4)) for n in range(6)
        }
        s.get_one(Unit, units[0]).head_official_id = people[0]
        s.get_one(Unit, units[1]).head_official_id = people[4]  # an inactive head
    ours, theirs = _both(engine)
    assert ours == theirs == [(units[1], "Xã B"), (units[2], "Xã C")]  # D has nobody

    with session_scope(engine) as s:
        s.get_one(Official, people[0]).active = False  # A's head leaves
        s.get_one(Unit, units[1]).head_official_id = people[1]  # B gets an active head
        for n in (2, 5):
            s.get_one(Official, people[n]).active = False  # C keeps no active official
    ours, theirs = _both(engine)
    assert ours == theirs == [(units[0], "Xã A")]
