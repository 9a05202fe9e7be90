"""Messages to console users (an incident's notice to each security officer) are listed and
shown on the deliveries pages like messages to officials."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hygiene.incidents import service as incidents
from hygiene.outbox.models import Message
from tests import factories as f
from tests.conftest import NOW
from tests.web.staff import SECURITY_EMAIL, make_user, sign_in_as


def test_an_incident_notice_to_the_security_officer_is_on_the_deliveries_pages(
    client: TestClient, session: Session, audit_key: bytes
) -> None:
    make_user(session, SECURITY_EMAIL, "security")
    who = f.ident(f.official(session, f.ident(f.unit(session)), "CB100", name="Lò Văn Đức"))
    incidents.report(
        session, official_id=who, actor="official:CB100", channel="zalo", occurred_on=None,
        description="Bị dọa", today=NOW.date(), now=NOW, key=audit_key,
    )  # fmt: skip
    session.commit()
    notice = session.exec(select(Message).where(col(Message.user_id).is_not(None))).one()
    sign_in_as(client, session, "admin")

    listed = client.get("/console/deliveries").text
    shown = client.get(f"/console/deliveries/{notice.id}")

    assert f'href="/console/deliveries/{notice.id}"' in listed
    assert f"<td>{SECURITY_EMAIL}</td>" in listed
    assert "Báo cáo sự cố mới" in listed  # the notice's kind, labelled
    assert shown.status_code == 200
    assert f"<dd>{SECURITY_EMAIL}</dd>" in shown.text
