"""120 days of daily planning against a small district, compared with a hand-written schedule.

Policies are the defaults: email every 90 days, government systems every 60, reminders 14, 7 and
1 day before, overdue every 7 days, escalation after 30. The planner is down 10–20/05, so the
officials with events in between get one message with the latest stage on 21/05.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from hygiene.campaigns import service as campaigns
from hygiene.db import session_scope
from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f

START = date(2026, 3, 2)
DAYS = 120
OUTAGE = (date(2026, 5, 10), date(2026, 5, 20))


def d(text: str) -> date:
    return date.fromisoformat(f"2026-{text}")


def stages(stage: str, *days: str) -> list[tuple[date, str]]:
    return [(d(day), stage) for day in days]


EXPECTED: dict[str, list[tuple[date, str]]] = {
    # email rotated 01/01 → due 01/04
    "A": stages("upcoming", "03-18", "03-25", "03-31")
    + stages("due", "04-01")
    + stages("overdue", "04-08", "04-15", "04-22", "04-29")
    + stages("escalate", "05-01", "05-08", "05-21", "05-22", "05-29")
    + stages("escalate", "06-05", "06-12", "06-19", "06-26"),
    # government rotated 20/02 → due 21/04; email rotated 10/02 → due 11/05; the worst stage
    # of the two is the message's stage
    "B": stages("upcoming", "04-07", "04-14", "04-20")
    + stages("due", "04-21", "04-27")
    + stages("overdue", "04-28", "05-04", "05-05")
    + stages("escalate", "05-21", "05-25", "05-28", "06-01", "06-04", "06-08", "06-10")
    + stages("escalate", "06-11", "06-17", "06-18", "06-24", "06-25"),
    # email due 20/03, rotated on 25/03 → next due 23/06
    "C": stages("upcoming", "03-06", "03-13", "03-19")
    + stages("due", "03-20")
    + stages("upcoming", "06-09", "06-16", "06-22")
    + stages("due", "06-23"),
    # never rotated, in the inventory since 20/02: due then; already overdue on day one
    "D": stages("overdue", "03-02", "03-06", "03-13", "03-20")
    + stages("escalate", "03-22", "03-29", "04-05", "04-12", "04-19", "04-26", "05-03")
    + stages("escalate", "05-21", "05-24", "05-31", "06-07", "06-14", "06-21", "06-28"),
    # due 16/05, but marked compromised on 10/04 → rotate now, weekly, until rotated on 27/04
    "E": stages("now", "04-10", "04-17", "04-24"),
    # inactive: never reminded
    "F": [],
}


def _district(session: Session) -> dict[str, int]:
    unit = f.ident(f.unit(session))
    ids = {}
    for name in "ABCDEF":
        ids[name] = f.ident(f.official(session, unit, name, active=name != "F"))
    f.account(session, ids["A"], rotated=d("01-01"))
    f.account(session, ids["B"], rotated=d("02-10"))
    f.account(session, ids["B"], kind="government", system="Một cửa", rotated=d("02-20"))
    f.account(session, ids["C"], rotated=date(2025, 12, 20))
    f.account(session, ids["D"], created=datetime(2026, 2, 20, 3, 0, tzinfo=UTC))
    f.account(session, ids["E"], rotated=d("02-15"))
    f.account(session, ids["F"], rotated=date(2025, 1, 1))
    session.commit()
    return ids


def _events_before_planning(session: Session, ids: dict[str, int], day: date) -> None:
    """What the officials do on `day`, before the 08:00 planning run."""
    if day == d("03-25"):
        _rotate(session, ids["C"], day)
    if day == d("04-10"):
        session.execute(
            update(Account)
            .where(col(Account.official_id) == ids["E"])
            .values(compromised_at=datetime(2026, 4, 10, 0, 30, tzinfo=UTC))
        )
    if day == d("04-27"):
        _rotate(session, ids["E"], day)


def _rotate(session: Session, official_id: int, day: date) -> None:
    session.execute(
        update(Account).where(col(Account.official_id) == official_id).values(last_rotated_on=day)
    )


def test_it_reminds_each_official_with_the_expected_stages(
    engine: Engine, settings: Settings, audit_key: bytes
) -> None:
    with session_scope(engine) as session:
        ids = _district(session)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        with session_scope(engine) as session:
            _events_before_planning(session, ids, day)
        if OUTAGE[0] <= day <= OUTAGE[1]:
            continue
        at = datetime.combine(day, time(8, 0), settings.zone).astimezone(UTC)
        with session_scope(engine) as session:
            campaigns.plan(
                session=session,
                settings=settings,
                now=at,
                campaign="rotation",
                audit_key=audit_key,
                actor="test",
            )
    names = {v: k for k, v in ids.items()}
    got: dict[str, list[tuple[date, str]]] = defaultdict(list)
    with Session(engine) as session:
        rows = session.exec(select(Message).order_by(col(Message.planned_on))).all()
        for row in rows:
            got[names[row.official_id or 0]].append((row.planned_on, str(row.stage)))
    assert {name: got.get(name, []) for name in EXPECTED} == EXPECTED
