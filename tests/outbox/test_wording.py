"""The words of a reminder follow the facts: each account's line is worded from its own date,
Vietnamese messages address the reader as "đồng chí" only, and an official without a phrase is
sent to the portal to set it."""

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from hygiene.campaigns import service as campaigns
from hygiene.channels.memory import MemoryChannel
from hygiene.db import session_scope
from hygiene.messages.render import KINDS, render
from hygiene.settings import Settings
from tests import factories as f
from tests.messages.test_templates import sample
from tests.outbox.conftest import MakeDeliverer

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 02/03/2026


def _plan_and_send(
    engine: Engine, settings: Settings, key: bytes, make_deliverer: MakeDeliverer
) -> None:
    with session_scope(engine) as session:
        campaigns.plan(
            session=session, settings=settings, now=AT, campaign="rotation", audit_key=key,
            actor="t",
        )  # fmt: skip
    asyncio.run(make_deliverer().drain())


def test_an_account_due_tomorrow_is_due_soon_in_a_due_reminder(
    engine: Engine,
    settings: Settings,
    audit_key: bytes,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
) -> None:
    with session_scope(engine) as session:
        who = f.ident(f.official(session, f.ident(f.unit(session)), "CB01", phrase=None))
        f.account(session, who, rotated=date(2025, 12, 2))  # due 02/03: today
        f.account(session, who, system="Zalo", kind="messaging", rotated=date(2025, 12, 3))
    _plan_and_send(engine, settings, audit_key, make_deliverer)
    [message] = email.sent
    assert message.zalo_template == "rotation_due"
    assert "Email công vụ (ng***@…): đến hạn hôm nay, 02/03/2026" in message.text
    assert ": sắp đến hạn, ngày 03/03/2026" in message.text
    assert "đã đến hạn" not in message.text
    assert "trên cổng thông tin cán bộ" in message.text  # the phrase is set in the portal
    assert "gọi điện cho bộ phận công nghệ thông tin" not in message.text


@pytest.mark.parametrize("kind", KINDS)
def test_vietnamese_messages_say_dong_chi_never_ban(kind: str) -> None:
    for phrase in ("hoa ban trắng", None):
        rendered = render(kind, "vi", sample(phrase=phrase))
        words = f"{rendered.subject} {rendered.text} {rendered.html} {rendered.sms}".lower()
        assert " bạn " not in words.replace(",", " ").replace(".", " ")
        assert "bạn:" not in words
        assert "đồng chí" in rendered.text
