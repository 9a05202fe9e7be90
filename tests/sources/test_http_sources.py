"""Zimbra, Graph and Google adapters against local servers speaking their documented shapes."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hygiene.settings import SourceConfig
from hygiene.sources import registry
from hygiene.sources.base import Observation, SourceRefused, SourceUnavailable
from tests.sources.fakes import Fake, serve

SECRET = "provider-secret-canary-0001"


def _config(kind: str, url: str, secret_file: Path, **extra: Any) -> SourceConfig:
    return SourceConfig(
        kind=kind,
        url=url,
        bind="hygiene-ro@xa.example",
        secret_file=secret_file,
        covers=["Email công vụ"],
        timeout=5,
        page_size=2,
        **extra,
    )


def _observe(config: SourceConfig) -> dict[str, Observation]:
    with registry.build("t", config) as source:
        return {o.identity: o for o in source.observe()}


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    return path


def _zimbra_account(name: str, status: str, changed: str | None, two_factor: str) -> dict[str, Any]:
    attrs = [{"n": "zimbraAccountStatus", "_content": status},
             {"n": "zimbraTwoFactorAuthEnabled", "_content": two_factor}]  # fmt: skip
    if changed:
        attrs.append({"n": "zimbraPasswordModifiedTime", "_content": changed})
    return {"name": name, "id": name, "a": attrs}


ZIMBRA_USERS = [
    _zimbra_account("huong@xa.example", "active", "20260220020000Z", "TRUE"),
    _zimbra_account("minh@xa.example", "locked", "20251001020000Z", "FALSE"),
    _zimbra_account("lan@xa.example", "closed", None, "FALSE"),
]


def test_zimbra_authenticates_then_pages_the_directory(secret: Path) -> None:
    fake = Fake(ZIMBRA_USERS, SECRET)
    with serve("zimbra", fake) as url:
        found = _observe(_config("zimbra", url, secret))
    huong = found["huong@xa.example"]
    assert huong.password_changed_at == datetime(2026, 2, 20, 2, tzinfo=UTC)
    assert (huong.mfa, huong.disabled) == (True, False)
    assert found["minh@xa.example"].disabled is True
    assert found["lan@xa.example"].disabled is True
    searches = [b for _, _, b in fake.requests if "SearchDirectoryRequest" in b]
    assert len(searches) == 2  # 3 accounts, 2 per page
    assert "zimbraPasswordModifiedTime" in searches[0]
    assert all(SECRET not in b for b in searches)  # the password goes in AuthRequest only


def test_zimbra_auth_failed_is_refused(secret: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")
    with serve("zimbra", Fake(ZIMBRA_USERS, SECRET)) as url, pytest.raises(SourceRefused) as caught:
        _observe(_config("zimbra", url, wrong))
    assert caught.value.params["reason"] == "account.AUTH_FAILED"


def test_zimbra_down_is_unavailable(secret: Path) -> None:
    with (
        serve("zimbra", Fake(ZIMBRA_USERS, SECRET, down=True)) as url,
        pytest.raises(SourceUnavailable),
    ):
        _observe(_config("zimbra", url, secret))


GRAPH_USERS: list[dict[str, Any]] = [
    {"id": "1", "userPrincipalName": "huong@xa.example", "mail": "huong@xa.example",
     "accountEnabled": True, "lastPasswordChangeDateTime": "2026-02-20T02:00:00Z",
     "isMfaRegistered": True},
    {"id": "2", "userPrincipalName": "minh@xa.example", "mail": None, "accountEnabled": False,
     "lastPasswordChangeDateTime": "2025-10-01T02:00:00Z"},
    {"id": "3", "userPrincipalName": "lan@xa.example", "mail": "lan@xa.example",
     "accountEnabled": True,
     "lastPasswordChangeDateTime": "2026-01-05T08:30:00Z"},
]  # fmt: skip


def test_graph_uses_client_credentials_select_and_next_links(secret: Path) -> None:
    fake = Fake(GRAPH_USERS, SECRET)
    with serve("graph", fake) as url:
        found = _observe(_config("graph", url, secret, token_url=url, tenant="contoso"))
    assert found["huong@xa.example"].password_changed_at == datetime(2026, 2, 20, 2, tzinfo=UTC)
    assert found["huong@xa.example"].mfa is True
    assert found["minh@xa.example"].disabled is True
    assert len(found) == 3
    token_request = fake.requests[0]
    assert token_request[1] == "/contoso/oauth2/v2.0/token"
    user_pages = [p for m, p, _ in fake.requests if p.startswith("/v1.0/users")]
    assert len(user_pages) == 2
    assert "lastPasswordChangeDateTime" in user_pages[0]


def test_graph_throttling_is_unavailable(secret: Path) -> None:
    fake = Fake(GRAPH_USERS, SECRET, throttled=5)
    with serve("graph", fake) as url, pytest.raises(SourceUnavailable) as caught:
        _observe(_config("graph", url, secret, token_url=url, tenant="t"))
    assert "429" in caught.value.params["reason"]


def test_graph_bad_secret_is_refused(tmp_path: Path, secret: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")
    with serve("graph", Fake(GRAPH_USERS, SECRET)) as url, pytest.raises(SourceRefused) as caught:
        _observe(_config("graph", url, wrong, token_url=url, tenant="t"))
    assert "invalid_client" in caught.value.params["reason"]


def _google_key(tmp_path: Path, url: str) -> tuple[Path, rsa.RSAPublicKey]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = {"type": "service_account", "client_email": "hygiene@proj.iam.gserviceaccount.com",
           "private_key_id": "k1", "private_key": pem, "token_uri": f"{url}/token"}  # fmt: skip
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key))
    return path, private.public_key()


GOOGLE_USERS: list[dict[str, Any]] = [
    {"primaryEmail": "huong@xa.example", "isEnrolledIn2Sv": True, "suspended": False,
     "name": {"fullName": "Nguyễn Thị Hương"},
     "relations": [{"type": "manager", "value": "lan@xa.example"}],
     "password_edits": ["2026-01-10T01:00:00.000Z", "2026-02-20T02:00:00.000Z"]},
    {"primaryEmail": "minh@xa.example", "isEnrolledIn2Sv": False, "suspended": True},
    {"primaryEmail": "lan@xa.example", "isEnrolledIn2Sv": False, "suspended": False},
]  # fmt: skip


def test_google_signs_a_jwt_and_reads_password_edit_events_and_2sv(tmp_path: Path) -> None:
    fake = Fake(GOOGLE_USERS, SECRET)
    with serve("google", fake) as url:
        key, fake.public_key = _google_key(tmp_path, url)
        found = _observe(_config("google", url, key, subject="admin@xa.example"))
    huong = found["huong@xa.example"]
    assert huong.password_changed_at == datetime(2026, 2, 20, 2, tzinfo=UTC)  # the latest event
    assert (huong.mfa, huong.manager) == (True, "lan@xa.example")
    assert found["minh@xa.example"].disabled is True
    assert found["lan@xa.example"].password_changed_at is None
    pages = [p for m, p, _ in fake.requests if "/directory/v1/users" in p]
    assert len(pages) == 2
    assert "pageToken=2" in pages[1]


def test_google_rejects_a_key_google_would_not_accept(tmp_path: Path) -> None:
    fake = Fake(GOOGLE_USERS, SECRET)
    with serve("google", fake) as url:
        key, _ = _google_key(tmp_path, url)
        (tmp_path / "other").mkdir()
        _, fake.public_key = _google_key(tmp_path / "other", url)
        with pytest.raises(SourceRefused) as caught:
            _observe(_config("google", url, key, subject="admin@xa.example"))
    assert "invalid_grant" in caught.value.params["reason"]


def test_a_provider_that_is_not_there_is_unavailable(secret: Path) -> None:
    from tests.sources.servers import free_port

    with pytest.raises(SourceUnavailable):
        _observe(_config("zimbra", f"http://127.0.0.1:{free_port()}", secret))


def test_zimbra_reads_an_inherited_two_factor_setting_once_per_cos(secret: Path) -> None:
    def account(name: str, own: str | None) -> dict[str, Any]:
        attrs = [{"n": "zimbraAccountStatus", "_content": "active"},
                 {"n": "zimbraCOSId", "_content": "cos-canbo"}]  # fmt: skip
        if own is not None:
            attrs.append({"n": "zimbraTwoFactorAuthEnabled", "_content": own})
        return {"name": name, "id": f"id-{name}", "a": attrs}

    users = [account("a@xa.example", None), account("b@xa.example", "FALSE"),
             account("c@xa.example", None)]  # fmt: skip
    fake = Fake(users, SECRET, cos={"cos-canbo": {"zimbraTwoFactorAuthEnabled": "TRUE"}})
    with serve("zimbra", fake) as url:
        found = _observe(_config("zimbra", url, secret))
    assert [found[n].mfa for n in ("a@xa.example", "b@xa.example", "c@xa.example")] == [
        True,  # inherited from the COS
        False,  # set on the account itself
        True,
    ]
    bodies = [json.loads(b)["Body"] for _, _, b in fake.requests]
    searches = [b["SearchDirectoryRequest"] for b in bodies if "SearchDirectoryRequest" in b]
    gets = [b["GetAccountRequest"] for b in bodies if "GetAccountRequest" in b]
    assert all(s["applyCos"] == "0" for s in searches)
    assert len(gets) == 1  # one per class of service, not one per account
    assert gets[0]["account"] == {"by": "id", "_content": "id-a@xa.example"}
    assert gets[0]["applyCos"] == "1"


MANAGED = [
    {"id": "u1", "userPrincipalName": "truong@xa.example", "mail": "truong@xa.example",
     "displayName": "Trưởng phòng", "employeeId": "CB301", "department": "Phòng Kinh tế",
     "accountEnabled": True},
    {"id": "u2", "userPrincipalName": "nv1@xa.example", "mail": "nv1@xa.example",
     "displayName": "Nhân viên 1", "employeeId": "CB302", "department": "Phòng Kinh tế",
     "mobilePhone": "0912 345 678", "accountEnabled": True, "manager": "u1"},
    {"id": "u3", "userPrincipalName": "nv2@xa.example", "mail": "nv2@xa.example",
     "displayName": "Nhân viên 2", "employeeId": "CB303", "department": "Phòng Kinh tế",
     "accountEnabled": True, "manager": "u1"},
]  # fmt: skip


def test_graph_expands_the_manager_and_keeps_the_query_on_every_page(secret: Path) -> None:
    fake = Fake(MANAGED, SECRET)
    with serve("graph", fake) as url:
        found = _observe(_config("graph", url, secret, token_url=url, tenant="t"))
    assert sorted(found) == ["nv1@xa.example", "nv2@xa.example", "truong@xa.example"]
    nv1, head = found["nv1@xa.example"], found["truong@xa.example"]
    assert (nv1.manager, nv1.dn, head.manager) == ("u1", "u2", None)
    assert (nv1.employee_id, nv1.unit, nv1.phone) == ("CB302", "Phòng Kinh tế", "0912 345 678")
    pages = [p for _, p, _ in fake.requests if p.startswith("/v1.0/users")]
    assert all("%24expand=manager" in p or "$expand=manager" in p for p in pages)


def test_sources_import_from_graph_names_the_manager_unit_head(
    secret: Path, engine: Any, audit_key: bytes, inventory: dict[str, int]
) -> None:
    from datetime import date

    from sqlmodel import Session, col, select

    from hygiene.inventory.models import Official, Unit
    from hygiene.inventory.schemas import ValidationContext
    from hygiene.sources import importer

    fake = Fake(MANAGED, SECRET)
    with serve("graph", fake) as url, Session(engine) as session:
        config = _config("graph", url, secret, token_url=url, tenant="t", match="email")
        report = importer.import_directory(
            session,
            name="entra",
            config=config,
            source=registry.build("entra", config),
            context=ValidationContext(today=date(2026, 3, 2), kinds=["email"]),
            key=audit_key,
            now=datetime(2026, 3, 2, tzinfo=UTC),
            actor="t",
        )
        session.commit()
        head = session.execute(
            select(Official.employee_id)
            .join(Unit, col(Unit.head_official_id) == col(Official.id))
            .where(col(Unit.name) == "Phòng Kinh tế")
        ).scalar_one()
    assert report.result.officials_created == 3
    assert head == "CB301"
