"""/console/exposures: the security officer sees each imported list with its source, reference,
counts and status, and a list's matched accounts with masked identifiers (vi/en)."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.exposures import service as exposures
from hygiene.settings import Settings
from tests import factories as f
from tests.web.staff import sign_in_as

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def _imported(session: Session, settings: Settings, audit_key: bytes) -> int:
    unit = f.ident(f.unit(session, "UBND xã Bum Nưa"))
    hoa = f.ident(f.official(session, unit, "CB001", name="Lò Thị Hoa"))
    f.account(session, hoa, login="lo.hoa@xa.example")
    session.commit()
    result = exposures.import_list(
        session, data=b"lo.hoa@xa.example\nai.do@else.vn\n", source="Công an tỉnh Lai Châu",
        reference="CV 123/CAT-PA05", settings=settings, now=NOW, audit_key=audit_key,
        actor="cli:test",
    )  # fmt: skip
    session.commit()
    return result.exposure_id


def test_the_security_officer_sees_each_list_with_reference_and_status(
    client: TestClient, session: Session, settings: Settings, audit_key: bytes
) -> None:
    exposure_id = _imported(session, settings, audit_key)
    sign_in_as(client, session, "security")

    listing = client.get("/console/exposures")
    detail = client.get(f"/console/exposures/{exposure_id}")

    assert listing.status_code == 200
    assert "Công an tỉnh Lai Châu" in listing.text
    assert "CV 123/CAT-PA05" in listing.text
    assert 'href="/console/exposures"' in listing.text
    assert detail.status_code == 200
    assert "Lò Thị Hoa" in detail.text
    assert "lo***@…" in detail.text
    assert "chưa đổi" in detail.text
    for page in (listing, detail):
        assert "lo.hoa@xa.example" not in page.text
        assert "ai.do@else.vn" not in page.text


def test_it_speaks_english_too(
    client: TestClient, session: Session, settings: Settings, audit_key: bytes
) -> None:
    exposure_id = _imported(session, settings, audit_key)
    sign_in_as(client, session, "security")
    client.cookies.set("hygiene_lang", "en")

    detail = client.get(f"/console/exposures/{exposure_id}")

    assert "Still to change: 1; changed: 0." in detail.text
    assert "not changed yet" in detail.text


def test_an_admin_without_the_security_role_is_refused(
    client: TestClient, session: Session, settings: Settings, audit_key: bytes
) -> None:
    _imported(session, settings, audit_key)
    sign_in_as(client, session, "admin")

    assert client.get("/console/exposures").status_code == 403


def test_an_unknown_list_is_not_found(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "security")
    assert client.get("/console/exposures/999").status_code == 404
