"""A threat reported in the portal reaches the security officer (memory channel) without its
description, and the official gets a receipt quoting the reference number."""

import asyncio

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.outbox.delivery import Deliverer
from hygiene.restore import notice as restore
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser
from tests.conftest import NOW, SECRET
from tests.web.portal_helpers import make_official, sign_in
from tests.web.test_console_auth import csrf

SECRET_WORDS = "đòi 50 triệu đồng"


def test_a_portal_report_notifies_the_security_officer_and_sends_a_receipt(
    client: TestClient,
    session: Session,
    settings: Settings,
    engine: Engine,
    clock: FixedClock,
    deps: Deps,
) -> None:
    session.add(
        ConsoleUser(
            email="an.ninh@huyen.example", roles="security", display_name="Trần Văn Bảo",
            created_at=NOW,
        )
    )  # fmt: skip
    make_official(session)
    sign_in(client, settings)
    page = client.post(
        "/portal/report",
        data={
            "csrf_token": csrf(client, "/portal/report"),
            "channel": "zalo",
            "description": f"Người lạ gửi ảnh cắt ghép qua Zalo và {SECRET_WORDS}.",
        },
    )
    email = MemoryChannel("email")
    deliverer = Deliverer(
        engine=engine, settings=settings, secret=SECRET.encode(),
        audit_key=audit.audit_key(SECRET.encode()), channels={"email": email}, clock=clock,
        worker="w1", renderer=deps.renderer, readers=deps.readers, hold_restored=restore.notice,
    )  # fmt: skip
    asyncio.run(deliverer.drain())
    sent = {m.to: m for m in email.sent}

    assert "Đã gửi báo cáo số BC-2026-00001" in page.text
    notice = sent["an.ninh@huyen.example"]
    assert notice.subject == "Khẩn: báo cáo bị đe dọa BC-2026-00001 từ Lò Thị Hoa"
    assert "Kính gửi đồng chí Trần Văn Bảo" in notice.text
    assert SECRET_WORDS not in notice.text + (notice.html or "")
    receipt = sent["cb001@xa.example"]
    assert "BC-2026-00001" in receipt.text
    assert "Bộ phận an toàn thông tin đã được thông báo." in receipt.text
    assert "Mã xác nhận" not in receipt.text


def test_the_notice_goes_out_at_night_and_the_receipt_waits_for_the_window(
    client: TestClient,
    session: Session,
    settings: Settings,
    engine: Engine,
    clock: FixedClock,
    deps: Deps,
) -> None:
    session.add(
        ConsoleUser(
            email="an.ninh@huyen.example", roles="security", display_name="Trần Văn Bảo",
            created_at=NOW,
        )
    )  # fmt: skip
    make_official(session)
    clock.set(NOW.replace(hour=15))  # 22:00 in Hà Nội, after the send window
    sign_in(client, settings)
    client.post(
        "/portal/report",
        data={
            "csrf_token": csrf(client, "/portal/report"),
            "channel": "zalo",
            "description": "Người lạ gửi ảnh cắt ghép qua Zalo.",
        },
    )
    email = MemoryChannel("email")
    deliverer = Deliverer(
        engine=engine, settings=settings, secret=SECRET.encode(),
        audit_key=audit.audit_key(SECRET.encode()), channels={"email": email}, clock=clock,
        worker="w1", renderer=deps.renderer, readers=deps.readers, hold_restored=restore.notice,
    )  # fmt: skip

    report = asyncio.run(deliverer.drain())

    assert report.outside_window
    assert [m.to for m in email.sent] == ["an.ninh@huyen.example"]
