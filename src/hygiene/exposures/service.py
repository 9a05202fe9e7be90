"""Import a leaked-identifier list and force the matched accounts to rotate now.

Matching is one read of the inventory's identifiers (columns, not ORM objects) intersected with
the list as sets: an identifier matches an account when it equals the account's login, or the
official's email and the account is of kind "email", or the official's phone and the account is
of kind "messaging" (Zalo, Viber… sign in by phone; normal forms as in
hygiene.exposures.reader; hashed entries against the digests of those forms, computed only for
the digest kinds the list uses). One import, one transaction:

  * an `exposure` row with the counts; one `exposure_match` per matched account, holding the
    masked identifier only; unmatched entries are counted, never stored;
  * `compromised_at = now` on every matched account (rotate now until changed after today);
  * the rotation campaign planned at once for those officials: a rotate-now message each, whose
    text names the source and reference (outbox.compose);
  * one audit event, `exposures.imported`, with the counts and the matched account ids.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from hygiene.audit import service as audit
from hygiene.campaigns import service as campaigns
from hygiene.db import row_id
from hygiene.errors import InvalidInput, NotFound
from hygiene.exposures.models import Exposure, ExposureMatch
from hygiene.exposures.reader import Leaked, normalise, phone_forms, read
from hygiene.inventory.models import Account, Official
from hygiene.messages.masking import mask_login
from hygiene.settings import Settings

_CHUNK = 500  # ids per UPDATE … WHERE id IN (…)


@dataclass(frozen=True)
class ImportResult:
    exposure_id: int
    entries: int
    matched: int
    unmatched: int
    accounts: int
    officials: int
    planned: int


@dataclass(frozen=True)
class _Hit:
    account_id: int
    official_id: int
    matched_on: str
    shown: str


def _identifiers(session: Session) -> Iterator[tuple[str, str, int, int]]:
    """(normal form, class, account id, official id) for every account of an active official."""
    rows = session.execute(
        select(
            col(Account.id),
            col(Account.official_id),
            col(Account.kind),
            col(Account.login),
            col(Official.email),
            col(Official.phone),
        )
        .join(Official, col(Official.id) == col(Account.official_id))
        .where(col(Official.active))
    )
    for account_id, official_id, kind, login, email, phone in rows:
        if login:
            kind_of, form = normalise(login)
            yield form, kind_of, account_id, official_id
        if email and kind == "email":
            yield email.lower(), "email", account_id, official_id
        if phone and kind == "messaging":
            yield phone, "phone", account_id, official_id


def _digests(form: str, kind_of: str, algorithm: str) -> Iterable[str]:
    forms = phone_forms(form) if kind_of == "phone" else (form,)
    return (hashlib.new(algorithm, f.encode("utf-8")).hexdigest() for f in forms)


def match(session: Session, leaked: Leaked) -> tuple[list[_Hit], int]:
    """The accounts the list hits (one per account) and how many of its entries hit."""
    wanted = [(a, s) for a, s in (("sha1", leaked.sha1), ("sha256", leaked.sha256)) if s]
    hits: dict[int, _Hit] = {}
    entries_hit: set[str] = set()
    for form, kind_of, account_id, official_id in _identifiers(session):
        keys = {form} & leaked.plain
        for algorithm, digests in wanted:
            keys |= set(_digests(form, kind_of, algorithm)) & digests
        if keys:
            entries_hit |= keys
            hits.setdefault(account_id, _Hit(account_id, official_id, kind_of, mask_login(form)))
    return list(hits.values()), len(entries_hit)


@dataclass(frozen=True)
class _Evidence:
    source: str
    reference: str
    file_sha256: str
    entries: int
    matched: int
    hits: list[_Hit]
    action: str  # the audit action


def _checked(source: str, reference: str) -> tuple[str, str]:
    source, reference = source.strip()[:200], reference.strip()[:200]
    if not source or not reference:
        raise InvalidInput("exposures.source_and_reference")
    return source, reference


def import_list(
    session: Session,
    *,
    data: bytes,
    source: str,
    reference: str,
    settings: Settings,
    now: datetime,
    audit_key: bytes,
    actor: str,
) -> ImportResult:
    """Read, match, record, force rotation and plan it; the caller commits."""
    source, reference = _checked(source, reference)
    leaked = read(data)
    hits, matched = match(session, leaked)
    digest = hashlib.sha256(data).hexdigest()
    evidence = _Evidence(
        source, reference, digest, leaked.entries, matched, hits, "exposures.imported"
    )
    return _apply(session, evidence, settings=settings, now=now, audit_key=audit_key, actor=actor)


def flag_account(
    session: Session,
    *,
    account_id: int,
    source: str,
    reference: str,
    settings: Settings,
    now: datetime,
    audit_key: bytes,
    actor: str,
) -> ImportResult:
    """An admin's flag: one account compromised on the named evidence (a call from the police,
    a phishing report…), recorded like a one-entry list so it shows in the console too."""
    source, reference = _checked(source, reference)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("exposures.no_account", id=account_id)
    hit = _Hit(row_id(account.id), account.official_id, "admin", mask_login(account.login))
    evidence = _Evidence(source, reference, "", 1, 1, [hit], "exposures.flagged")
    return _apply(session, evidence, settings=settings, now=now, audit_key=audit_key, actor=actor)


def _apply(
    session: Session,
    evidence: _Evidence,
    *,
    settings: Settings,
    now: datetime,
    audit_key: bytes,
    actor: str,
) -> ImportResult:
    hits, unmatched = evidence.hits, evidence.entries - evidence.matched
    exposure = Exposure(
        source=evidence.source, reference=evidence.reference, imported_at=now, actor=actor,
        file_sha256=evidence.file_sha256, entries=evidence.entries, matched=evidence.matched,
        unmatched=unmatched, accounts=len(hits),
    )  # fmt: skip
    session.add(exposure)
    session.flush()
    exposure_id = row_id(exposure.id)
    _record(session, exposure_id, hits, now)
    officials = sorted({h.official_id for h in hits})
    planned = _plan(session, settings, now, audit_key, actor, officials)
    data = {
        "source": evidence.source, "reference": evidence.reference,
        "file_sha256": evidence.file_sha256, "entries": evidence.entries,
        "matched": evidence.matched, "unmatched": unmatched,
        "accounts": sorted(h.account_id for h in hits),
    }  # fmt: skip
    audit.append(
        session, key=audit_key, now=now, actor=actor, action=evidence.action,
        subject=f"exposure:{exposure_id}", data=data,
    )  # fmt: skip
    return ImportResult(
        exposure_id, evidence.entries, evidence.matched, unmatched, len(hits), len(officials),
        planned,
    )  # fmt: skip


def _record(session: Session, exposure_id: int, hits: list[_Hit], now: datetime) -> None:
    if not hits:
        return
    rows = [
        {
            "exposure_id": exposure_id,
            "account_id": h.account_id,
            "matched_on": h.matched_on,
            "shown": h.shown,
        }
        for h in hits
    ]
    session.execute(insert(ExposureMatch), rows)
    ids = [h.account_id for h in hits]
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(Account)
            .where(col(Account.id).in_(ids[start : start + _CHUNK]))
            .values(compromised_at=now, updated_at=now)
        )


def _plan(
    session: Session, settings: Settings, now: datetime, key: bytes, actor: str, ids: list[int]
) -> int:
    if not ids:
        return 0
    result = campaigns.plan(
        session=session,
        settings=settings,
        now=now,
        campaign="rotation",
        audit_key=key,
        actor=actor,
        officials=ids,
    )
    return result.planned
