"""The rotation stage rules of hygiene.policy.rules, as SQL over the account table.

Built from the configured policies (a CASE per kind), so one statement evaluates every account in
the database; tests compare its answers with the pure rules day by day.

Two levels: `base` computes each account's due day and days past due once; `account_stages`
turns them into the event mark and stage rank. The base subquery carries OFFSET 0, an
optimisation fence on both databases, so the engines do not inline (and recompute) its
expressions in every CASE arm: measured, inlining made the PostgreSQL statement ~10× larger.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, Subquery, and_, case, literal, null, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from hygiene.campaigns.sql import day_number, idiv, local_day_number
from hygiene.inventory.models import Account, Official
from hygiene.policy.rules import STAGE_RANK, Stage
from hygiene.settings import Policy

EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Clockless:
    """Where "today" is, for SQL: the local day, the zone and its UTC offset at planning time."""

    today: date
    zone: str
    offset_minutes: int

    @property
    def today_number(self) -> int:
        return (self.today - EPOCH).days


def _by_kind(kind: Any, policies: dict[str, Policy], value: Any) -> ColumnElement[int]:
    return case(*((kind == name, literal(value(p))) for name, p in policies.items()), else_=None)


def base(policies: dict[str, Policy], at: Clockless) -> Subquery:
    """Per active account of an active official: kind, due day number (a directory's computed
    expiry first), days past due, compromise."""
    today = literal(at.today_number, Integer())
    rotated = day_number(col(Account.last_rotated_on))
    created = local_day_number(col(Account.created_at), at.zone, at.offset_minutes)
    compromised_day = local_day_number(col(Account.compromised_at), at.zone, at.offset_minutes)
    due = case(
        (col(Account.expires_on).is_not(None), day_number(col(Account.expires_on))),
        (col(Account.last_rotated_on).is_(None), created),
        else_=rotated + _by_kind(col(Account.kind), policies, lambda p: p.rotation_days),
    )
    compromised = and_(
        col(Account.compromised_at).is_not(None),
        compromised_day <= today,
        or_(col(Account.last_rotated_on).is_(None), rotated < compromised_day),
    )
    return (
        select(
            col(Account.official_id).label("official_id"),
            col(Account.id).label("account_id"),
            col(Account.kind).label("kind"),
            due.label("due"),
            (today - due).label("past"),
            case((compromised, compromised_day), else_=None).label("compromised_day"),
        )
        .join(Official, col(Official.id) == col(Account.official_id))
        .where(
            col(Official.active),
            col(Account.kind).in_(list(policies)),
            col(Account.inactive_reason).is_(None),
        )
        .offset(0)
        .subquery("account_base")
    )


def _arms(past: Any, due: Any, p: Policy) -> list[tuple[Any, Any, int]]:
    """(condition, event day, rank) per stage for one kind: see policy.rules.event_offset."""
    repeat, limit = p.overdue_repeat_days, p.escalate_after_days
    arms: list[tuple[Any, Any, int]] = [
        (
            past >= limit,
            due + limit + idiv(past - limit, repeat) * repeat,
            STAGE_RANK[Stage.ESCALATE],
        )
    ]
    if repeat < limit:
        arms.append((past >= repeat, due + idiv(past, repeat) * repeat, STAGE_RANK[Stage.OVERDUE]))
    arms.append((past >= 0, due, STAGE_RANK[Stage.DUE]))
    arms += [
        (past >= -lead, due - lead, STAGE_RANK[Stage.UPCOMING]) for lead in sorted(p.lead_days)
    ]
    return arms


def account_stages(policies: dict[str, Policy], at: Clockless) -> Subquery:
    """Per account: official_id, account_id, mark (event day·10 + rank), rank, normal_rank
    (ignoring a compromise); mark and rank are NULL for a quiet account."""
    b = base(policies, at)
    marks, ranks = [], []
    for kind, policy in policies.items():
        if not policy.periodic:  # nist-800-63b-4: no calendar stages, only "now" (below)
            continue
        arms = _arms(b.c.past, b.c.due, policy)
        marks.append((b.c.kind == kind, case(*((c, d * 10 + r) for c, d, r in arms), else_=None)))
        ranks.append((b.c.kind == kind, case(*((c, literal(r)) for c, _, r in arms), else_=None)))
    normal_mark = case(*marks, else_=None) if marks else null()
    normal_rank = case(*ranks, else_=None) if ranks else null()
    today = literal(at.today_number, Integer())
    repeat = _by_kind(b.c.kind, policies, lambda p: p.overdue_repeat_days)
    since = today - b.c.compromised_day
    now_day = (
        b.c.compromised_day + since.op("/", precedence=8, return_type=Integer())(repeat) * repeat
    )
    rank_now = STAGE_RANK[Stage.NOW]
    compromised = b.c.compromised_day.is_not(None)
    return select(
        b.c.official_id,
        b.c.account_id,
        case((compromised, now_day * 10 + rank_now), else_=normal_mark).label("mark"),
        case((compromised, literal(rank_now)), else_=normal_rank).label("rank"),
        normal_rank.label("normal_rank"),
    ).subquery("account_stage")
