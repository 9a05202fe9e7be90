"""Issue 14: a unit with no head is listed on the dashboard as "no unit head" (its escalations
go to the security officers), and leaves the list once a head is named."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.bootstrap import Deps
from hygiene.inventory import heads
from tests import factories as f
from tests.conftest import NOW
from tests.web.staff import sign_in_as


def _card(page: str) -> str:
    found = re.search(r'<section class="card headless-card">(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def test_the_dashboard_lists_units_with_no_head(
    client: TestClient, session: Session, deps: Deps
) -> None:
    sign_in_as(client, session, "security")
    for name, employee_id in (("Phòng Tư pháp", "TP01"), ("UBND xã Bình An", "BA01")):
        f.official(session, f.ident(f.unit(session, name)), employee_id)
    heads.set_head(
        session, unit="UBND xã Bình An", employee_id="BA01", key=deps.audit_key, now=NOW,
        actor="test",
    )  # fmt: skip
    session.commit()

    vi = _card(client.get("/console").text)
    en = _card(client.get("/console", params={"lang": "en"}).text)

    assert "Đơn vị chưa có lãnh đạo đơn vị" in vi
    assert "Phòng Tư pháp — chưa có lãnh đạo đơn vị" in vi
    assert "UBND xã Bình An" not in vi
    assert "Units with no unit head" in en
    assert "no unit head" in en
