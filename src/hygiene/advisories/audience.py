"""Publishing with an audience: all officials, or the officials of chosen units.

The audience is stored in advisory_unit (no rows = everyone) and logged (`advisory.audience`,
after `advisory.published`) in the same transaction. Compliance counts acknowledgements against
the audience, and the digest planner (hygiene.campaigns.digest) puts an advisory only in the
digests of its audience. The console form, the API and `hygiene advisories add --unit` all
publish through `publish` here.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from hygiene.advisories import service as advisories
from hygiene.advisories.audience_models import AdvisoryUnit
from hygiene.advisories.models import Advisory
from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import NotFound
from hygiene.inventory.models import Unit


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    severity: str,
    reference: str | None,
    requires_ack: bool,
    audience: list[str],
    now: datetime,
    actor: str,
    key: bytes,
) -> Advisory:
    """Publish an advisory to `audience` (unit names; empty means every official)."""
    units = _units(session, audience)
    advisory = advisories.publish(
        session,
        title=title,
        body=body,
        severity=severity,
        reference=reference,
        requires_ack=requires_ack,
        now=now,
        actor=actor,
        key=key,
    )
    _store_audience(session, advisory, units, requires_ack, now=now, actor=actor, key=key)
    return advisory


def _store_audience(
    session: Session,
    advisory: Advisory,
    units: dict[str, int],
    requires_ack: bool,
    *,
    now: datetime,
    actor: str,
    key: bytes,
) -> None:
    """The advisory_unit rows (none: everyone) and the `advisory.audience` event."""
    session.add_all(
        AdvisoryUnit(advisory_id=row_id(advisory.id), unit_id=unit_id) for unit_id in units.values()
    )
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="advisory.audience",
        subject=f"advisory:{row_id(advisory.id)}",
        data={"units": list(units) or "all", "requires_ack": requires_ack},
    )


def _units(session: Session, audience: list[str]) -> dict[str, int]:
    """Unit name → id of the audience, by name; NotFound names the first unknown unit."""
    names = sorted({" ".join(n.split()) for n in audience if n.strip()})
    known = dict(session.exec(select(Unit.name, Unit.id).where(col(Unit.name).in_(names))).all())
    missing = [n for n in names if n not in known]
    if missing:
        raise NotFound("unit.not_found", name=missing[0])
    return {name: row_id(known[name]) for name in names}


def units_of(session: Session, advisory_ids: Sequence[int]) -> dict[int, list[str]]:
    """The audience unit names of each advisory (absent = every official), in one query."""
    query = (
        select(AdvisoryUnit.advisory_id, Unit.name)
        .join(Unit, col(Unit.id) == col(AdvisoryUnit.unit_id))
        .where(col(AdvisoryUnit.advisory_id).in_(list(advisory_ids)))
        .order_by(col(Unit.name))
    )
    found: dict[int, list[str]] = defaultdict(list)
    for advisory_id, name in session.exec(query):
        found[advisory_id].append(name)
    return dict(found)
