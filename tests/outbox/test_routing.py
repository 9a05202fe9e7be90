"""SMS goes only to mobile numbers: a landline falls through to the next channel."""

from datetime import UTC, datetime

from hygiene.inventory.models import Official
from hygiene.outbox import routing

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def official(phone: str) -> Official:
    return Official(
        employee_id="CB001",
        full_name="Nguyễn Thị Hương",
        unit_id=1,
        email="huong@xa.example",
        phone=phone,
        preferred_channels="sms,email",
        created_at=CREATED,
        updated_at=CREATED,
    )


def test_a_mobile_number_gets_sms_first() -> None:
    routes = routing.routes(official("+84912345678"), {"sms", "smtp"})

    assert [r.channel for r in routes] == ["sms", "smtp"]


def test_a_landline_gets_no_sms() -> None:
    routes = routing.routes(official("+842438251234"), {"sms", "smtp"})

    assert [r.channel for r in routes] == ["smtp"]
