"""Every campaign's messages render from the database: phrase, code, masked logins, no links,
and an escalation never shows another official's acknowledgement code."""

import asyncio
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from hygiene import keyed
from hygiene.advisories import service as advisories
from hygiene.campaigns import service as campaigns
from hygiene.channels.memory import MemoryChannel
from hygiene.db import session_scope
from hygiene.inventory.models import Unit
from hygiene.settings import Settings
from tests import factories as f
from tests.conftest import SECRET
from tests.outbox.conftest import MakeDeliverer

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def everything(engine: Engine, settings: Settings, audit_key: bytes) -> None:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
        head = f.ident(f.official(session, unit, "HEAD", name="Trần Văn Sơn"))
        late = f.ident(f.official(session, unit, "LATE", name="Lò Văn Đức", locale="en"))
        f.account(session, late, rotated=date(2025, 10, 1), browser_saved=True)
        f.account(session, head, rotated=date(2026, 2, 1))
        row = session.get(Unit, unit)
        assert row is not None
        row.head_official_id = head
        advisories.publish(
            session, title="Tống tiền bằng ảnh cắt ghép", body="Không chuyển tiền.",
            severity="high", reference="CV 12", requires_ack=True, now=AT, actor="t",
            key=audit_key,
        )  # fmt: skip
    with session_scope(engine) as session:
        campaigns.plan_all(
            session=session, settings=settings, now=AT, audit_key=audit_key, actor="t"
        )


def test_it_renders_every_campaign_with_phrase_and_code(
    everything: None, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    kinds = {m.zalo_template for m in email.sent}
    assert kinds == {"rotation_overdue", "browser", "digest", "escalation"}
    for message in email.sent:
        code = keyed.display(keyed.code_for(SECRET.encode(), message.idempotency_key))
        assert code in message.text
        assert "hoa ban trắng" in message.text
        assert not re.search(r"https?://|www\.", message.text + (message.html or ""))


def test_it_never_shows_another_officials_code_in_an_escalation(
    everything: None, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    escalation = next(m for m in email.sent if m.zalo_template == "escalation")
    others = [
        keyed.display(keyed.code_for(SECRET.encode(), m.idempotency_key))
        for m in email.sent
        if m is not escalation
    ]
    assert "Lò Văn Đức" in escalation.text
    assert not any(code in escalation.text for code in others)


def test_it_writes_in_the_officials_language(
    everything: None, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    english = next(m for m in email.sent if m.zalo_template == "rotation_overdue")
    assert english.subject.startswith("Password change overdue")
