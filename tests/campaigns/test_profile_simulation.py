"""365 days of daily planning under each policy profile, against a hand-written schedule.

Policies are the defaults (email and social every 90 days; reminders 14, 7 and 1 day before;
overdue every 7 days). Two officials:

  A  email rotated 01/01/2026, then changed each time the day after it falls due; its login is
     on a leaked list the provincial police send on 10/08 (imported at 07:00, before planning),
     and A changes it on 12/08, which also restarts the 90 days;
  B  social rotated 20/02/2026, let slip, flagged compromised by an admin on 10/06 and changed on
     20/06; changed again on 19/09 and 19/12.

Both kinds of compromise evidence (an exposure import, an admin flag) force "rotate now" under
both profiles. Profiles: "directive" everywhere; "nist-800-63b-4" everywhere; and per kind
(email periodic, social NIST). Under NIST nothing is periodic except the check-and-attest
message (every 90 days from the first planning day).
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from hygiene.campaigns import service as campaigns
from hygiene.db import session_scope
from hygiene.exposures import service as exposures
from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from hygiene.settings import Policy, Settings
from tests import factories as f

START = date(2026, 3, 2)
DAYS = 365  # through 01/03/2027
Schedule = dict[str, list[tuple[date, str, str]]]


def d(text: str) -> date:
    return date.fromisoformat(text if text.count("-") == 2 else f"2026-{text}")


def on(campaign: str, stage: str, *days: str) -> list[tuple[date, str, str]]:
    return [(d(day), campaign, stage) for day in days]


A_DIRECTIVE = (
    on("rotation", "upcoming", "03-18", "03-25", "03-31")
    + on("rotation", "due", "04-01")
    + on("rotation", "upcoming", "06-17", "06-24", "06-30")
    + on("rotation", "due", "07-01")
    + on("rotation", "now", "08-10")
    + on("rotation", "upcoming", "10-27", "11-03", "11-09")
    + on("rotation", "due", "11-10")
    + on("rotation", "upcoming", "2027-01-26", "2027-02-02", "2027-02-08")
    + on("rotation", "due", "2027-02-09")
)
B_DIRECTIVE = (
    on("rotation", "upcoming", "05-07", "05-14", "05-20")
    + on("rotation", "due", "05-21")
    + on("rotation", "overdue", "05-28", "06-04")
    + on("rotation", "now", "06-10", "06-17")
    + on("rotation", "upcoming", "09-04", "09-11", "09-17")
    + on("rotation", "due", "09-18")
    + on("rotation", "upcoming", "12-04", "12-11", "12-17")
    + on("rotation", "due", "12-18")
)
ATTEST = on("attest", "attest", "03-02", "05-31", "08-29", "11-27", "2027-02-25")
A_NIST = sorted(ATTEST + on("rotation", "now", "08-10"))
B_NIST = sorted(ATTEST + on("rotation", "now", "06-10", "06-17"))

NIST = "nist-800-63b-4"
CASES: list[tuple[str, dict[str, Any], Schedule]] = [
    ("directive", {}, {"A": A_DIRECTIVE, "B": B_DIRECTIVE}),
    ("nist-800-63b-4", {"policy": {"profile": NIST}}, {"A": A_NIST, "B": B_NIST}),
    (
        "per kind",
        {"policies": {"email": Policy(rotation_days=90), "social": Policy(profile=NIST)}},
        {"A": A_DIRECTIVE, "B": B_NIST},
    ),
]


def _district(session: Session) -> dict[str, int]:
    unit = f.ident(f.unit(session))
    ids = {name: f.ident(f.official(session, unit, name)) for name in "AB"}
    f.account(session, ids["A"], login="a.mail@xa.example", rotated=d("01-01"))
    f.account(session, ids["B"], kind="social", system="Facebook", login="b.fb", rotated=d("02-20"))
    session.commit()
    return ids


ROTATIONS = {
    "A": {d("04-02"), d("07-02"), d("08-12"), d("11-11"), d("2027-02-10")},
    "B": {d("06-20"), d("09-19"), d("12-19")},
}


def _before_planning(
    session: Session, settings: Settings, audit_key: bytes, ids: dict[str, int], day: date
) -> None:
    """What happens on `day` before the morning's planning run."""
    if day == d("08-10"):
        exposures.import_list(
            session, data=b"a.mail@xa.example\nsomeone@else.vn\n", source="Công an tỉnh Lai Châu",
            reference="CV 88/CAT-PA05", settings=settings, audit_key=audit_key, actor="test",
            now=datetime(2026, 8, 10, 0, 0, tzinfo=UTC),
        )  # fmt: skip
    if day == d("06-10"):
        flagged = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)
        session.execute(
            update(Account)
            .where(col(Account.official_id) == ids["B"])
            .values(compromised_at=flagged)
        )
    for name, days in ROTATIONS.items():
        if day in days:
            session.execute(
                update(Account)
                .where(col(Account.official_id) == ids[name])
                .values(last_rotated_on=day)
            )


def _simulate(engine: Engine, settings: Settings, audit_key: bytes) -> Schedule:
    with session_scope(engine) as session:
        ids = _district(session)
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        with session_scope(engine) as session:
            _before_planning(session, settings, audit_key, ids, day)
        at = datetime.combine(day, time(8, 0), settings.zone).astimezone(UTC)
        for campaign in ("rotation", "attest"):
            with session_scope(engine) as session:
                campaigns.plan(
                    session=session,
                    settings=settings,
                    now=at,
                    campaign=campaign,
                    audit_key=audit_key,
                    actor="test",
                )
    names = {v: k for k, v in ids.items()}
    got: Schedule = defaultdict(list)
    with Session(engine) as session:
        query = select(Message).order_by(col(Message.planned_on), col(Message.campaign))
        for row in session.exec(query).all():
            got[names[row.official_id or 0]].append((row.planned_on, row.campaign, str(row.stage)))
    return {name: got.get(name, []) for name in "AB"}


@pytest.mark.parametrize(("profile", "overrides", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_profile_plans_the_hand_written_schedule(
    engine: Engine,
    settings: Settings,
    audit_key: bytes,
    profile: str,
    overrides: dict[str, Any],
    expected: Schedule,
) -> None:
    configured = Settings(**{**settings.model_dump(exclude={"policies", "policy"}), **overrides})
    assert _simulate(engine, configured, audit_key) == {k: sorted(v) for k, v in expected.items()}
