"""A password changed in a real Samba AD DC becomes verified evidence: the rotation date moves,
the pending reminder stops, and the unit's figure moves from declared to verified."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import ldap3
from sqlalchemy import Engine
from sqlmodel import Session, select

from hygiene import db
from hygiene.campaigns import service as campaigns
from hygiene.campaigns.service import clockless
from hygiene.db import row_id
from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from hygiene.sources import evidence, registry, service
from tests import factories
from tests.conftest import SECRET
from tests.sources.directories import Directory
from tests.sources.servers import HOST, SambaDC


def _settings(tmp_path: Path, db_url: str, samba: Directory) -> Settings:
    source = {
        "kind": "ad",
        "url": samba.url,
        "bind": samba.bind,
        "secret_file": str(samba.secret_file),
        "base": samba.base,
        "ca_file": str(samba.ca),
        "covers": ["Email công vụ"],
    }
    return Settings(
        database_url=db_url, data_dir=tmp_path, secret_key=SECRET, sources={"ad": source}
    )


def _must_change_at_next_logon(dc: SambaDC, user: str) -> None:
    """pwdLastSet = 0: the directory knows no change date yet."""
    endpoint = ldap3.Server(HOST, port=636, use_ssl=True, tls=ldap3.Tls(ca_certs_file=str(dc.ca)))
    admin = f"Administrator@{dc.REALM.lower()}"
    c = ldap3.Connection(endpoint, admin, dc.ADMIN_PASSWORD, auto_bind=True)
    try:  # not `with`: ldap3's context manager leaves an auto-bound connection open
        c.modify(f"CN={user},CN=Users,{dc.BASE}", {"pwdLastSet": [(ldap3.MODIFY_REPLACE, ["0"])]})
        assert c.result["description"] == "success", c.result
    finally:
        c.unbind()


def test_a_password_changed_in_samba_is_verified_end_to_end(
    samba: Directory, tmp_path: Path, db_url: str, audit_key: bytes
) -> None:
    dc = samba.server
    assert isinstance(dc, SambaDC)
    dc.add_user("thao", "Thao-0001")
    _must_change_at_next_logon(dc, "thao")
    settings = _settings(tmp_path, db_url, samba)
    engine: Engine = db.make_engine(settings.db_url)
    db.upgrade(engine)
    now = datetime.now(UTC)
    declared_on = (now - timedelta(days=85)).astimezone(settings.zone).date()  # due in 5 days
    with Session(engine) as session:
        official = factories.official(session, row_id(factories.unit(session).id), "CB900")
        # Entered by an admin from the spreadsheet (no evidence yet): on time, due in 5 days.
        account = factories.account(session, row_id(official.id), login="THAO", rotated=declared_on)
        account_id = row_id(account.id)
        planned = campaigns.plan(
            session=session,
            settings=settings,
            now=now,
            campaign="rotation",
            audit_key=audit_key,
            actor="t",
        )
        session.commit()
    assert planned.planned == 1

    def sync() -> service.SyncResult:
        return service.run(
            engine=engine,
            settings=settings,
            name="ad",
            source=registry.build("ad", settings.sources.entries["ad"]),
            now=datetime.now(UTC),
            key=audit_key,
            actor="t",
        )

    def figures() -> tuple[int, int]:
        with Session(engine) as session:
            total = evidence.report(session, settings=settings, at=clockless(settings, now)).total
        return total.verified, total.declared

    first = sync()  # the directory has no change date yet: nothing moves
    assert first.counts["rotation"] == 0
    assert figures() == (0, 1)

    dc.set_password("thao", "Thao-0002")
    second = sync()

    with Session(engine) as session:
        account = session.get_one(Account, account_id)
        message = session.exec(select(Message)).one()
    assert account.last_rotated_on == now.astimezone(settings.zone).date()
    assert account.rotation_source == "directory:ad"
    assert second.counts["rotation"] == 1
    assert message.status == "cancelled"
    assert figures() == (1, 0)
    engine.dispose()
