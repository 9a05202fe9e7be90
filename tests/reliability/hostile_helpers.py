"""Shared builders for the hostile-input tests: the four kinds of caller, an app wired to an
inbound SMS secret, and signing helpers."""

import hashlib
import hmac
from dataclasses import dataclass, field

from sqlmodel import Session

from hygiene.bootstrap import Deps, build_deps
from hygiene.settings import Settings
from hygiene.users import sessions
from hygiene.web.auth import SESSION_COOKIE
from tests import factories as f
from tests.conftest import NOW, SECRET
from tests.web.staff import ADMIN_EMAIL, SECURITY_EMAIL, api_token, make_user

INBOUND_SECRET = "inbound-shared-secret-0123456789"
ROLES = ("anonymous", "official", "admin", "security")


@dataclass(frozen=True)
class Credentials:
    """What a caller of one role sends with every request."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def credentials_for(session: Session, role: str) -> Credentials:
    """An official signs in with a portal session cookie; staff use API bearer tokens."""
    if role == "anonymous":
        return Credentials()
    if role == "official":
        unit = f.unit(session)
        official = f.official(session, f.ident(unit), "CB900")
        session.commit()
        token = sessions.start(
            session, kind="official", secret=SECRET.encode(), now=NOW, official_id=official.id
        )
        session.commit()
        return Credentials(cookies={SESSION_COOKIE: token})
    email = ADMIN_EMAIL if role == "admin" else SECURITY_EMAIL
    make_user(session, email, role)
    return Credentials(headers={"Authorization": f"Bearer {api_token(session, email)}"})


def with_inbound_secret(settings: Settings, deps: Deps) -> Deps:
    configured = Settings(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        secret_key=SECRET,
        channels={"sms": {"inbound_secret": INBOUND_SECRET}},
    )
    return build_deps(configured, clock=deps.clock, engine=deps.engine)


def signature(body: bytes, secret: str = INBOUND_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
