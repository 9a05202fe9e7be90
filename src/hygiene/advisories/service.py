"""Publish and list advisories. Publishing is audited; digests pick new ones up (campaigns)."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from hygiene.advisories.models import Advisory
from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import InvalidInput
from hygiene.messages import links

SEVERITIES = ("low", "medium", "high")


def publish(
    session: Session,
    *,
    title: str,
    body: str,
    severity: str,
    reference: str | None,
    requires_ack: bool,
    now: datetime,
    actor: str,
    key: bytes,
) -> Advisory:
    """Store an advisory (published now) and log it. Links are refused: messages carry none."""
    title, body = _checked(title, body, severity, reference)
    advisory = Advisory(
        title=title[:200],
        body=body,
        severity=severity,
        reference=(reference or "").strip()[:100] or None,
        requires_ack=requires_ack,
        published_at=now,
        created_by=actor,
    )
    session.add(advisory)
    session.flush()
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="advisory.published",
        subject=f"advisory:{row_id(advisory.id)}",
        data={"title": advisory.title, "severity": severity, "reference": advisory.reference},
    )
    return advisory


def _checked(title: str, body: str, severity: str, reference: str | None) -> tuple[str, str]:
    """(title, body) tidied; InvalidInput when empty, holding a link or of an unknown severity."""
    title, body = " ".join(title.split()), body.strip()
    if not title or not body:
        raise InvalidInput("engine.advisory.empty")
    found = links.find_link(f"{title}\n{body}\n{reference or ''}")
    if found:
        raise InvalidInput("links.refused", found=found[:40])
    if severity not in SEVERITIES:
        raise InvalidInput("official.bad_field", field="severity", reason=", ".join(SEVERITIES))
    return title, body


def list_advisories(session: Session) -> Sequence[Advisory]:
    return session.exec(select(Advisory).order_by(col(Advisory.published_at).desc())).all()
