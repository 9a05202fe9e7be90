"""The SQL stage columns agree with the pure rules for many accounts and days."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.campaigns.stages import Clockless, account_stages
from hygiene.clock import as_utc as aware
from hygiene.inventory.models import Account
from hygiene.policy.rules import AccountFacts, current_event, event_mark
from hygiene.settings import Settings
from tests import factories as f

TODAY = date(2026, 3, 2)


def test_it_computes_the_same_stage_and_mark_as_the_pure_rules(
    engine: Engine, settings: Settings
) -> None:
    rng = random.Random(7)  # noqa: S311
    with Session(engine) as session:
        unit = f.ident(f.unit(session))
        who = f.ident(f.official(session, unit, "CB001"))
        for n in range(300):
            rotated = TODAY - timedelta(days=rng.randint(0, 260)) if rng.random() > 0.1 else None
            compromised = (
                datetime(2026, 3, 2, 1, 0, tzinfo=UTC) - timedelta(days=rng.randint(0, 40))
                if rng.random() < 0.15
                else None
            )
            f.account(
                session,
                who,
                kind=rng.choice(settings.kinds),
                login=f"l{n}",
                rotated=rotated,
                compromised=compromised,
            )
        session.commit()
        for offset in (0, 3, 11):
            today = TODAY + timedelta(days=offset)
            stages = account_stages(settings.policies, Clockless(today, settings.timezone, 420))
            query = (
                select(Account, stages.c.mark)
                .join(stages, stages.c.account_id == col(Account.id))
                .order_by(col(Account.id))
            )
            for account, mark in session.execute(query).all():
                fact = AccountFacts(
                    account.kind,
                    account.last_rotated_on,
                    aware(account.created_at).astimezone(settings.zone).date(),
                    aware(account.compromised_at).astimezone(settings.zone).date()
                    if account.compromised_at
                    else None,
                )
                event = current_event(fact, settings.policies[account.kind], today)
                assert mark == (event_mark(event) if event else None), (account, today)
