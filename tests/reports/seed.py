"""A small inventory with known compliance numbers (as of tests.conftest.NOW = 02/03/2026).

Phòng Nội vụ   CB001: 2 accounts (1 on time with MFA, 1 never rotated and saved in a browser),
               acknowledged the all-units advisory, declared the browser cleaned on 01/03.
               CB009: deactivated (left out of every figure).
Phòng Tư pháp  CB002: 1 government account overdue; owes both advisories, acknowledged none.
Phòng Văn hóa  nobody.
"""

from datetime import UTC, date, datetime

from sqlmodel import Session

from hygiene.acks.models import Acknowledgement
from hygiene.advisories.audience_models import AdvisoryUnit
from hygiene.advisories.models import Advisory
from hygiene.db import row_id
from hygiene.outbox.models import Message
from tests import factories as f

AT = datetime(2026, 2, 20, 3, 0, tzinfo=UTC)


def advisory(session: Session, title: str, *, requires_ack: bool = True) -> int:
    row = Advisory(
        title=title,
        body="Không chuyển tiếp, không trả tiền; báo công an.",
        severity="high",
        requires_ack=requires_ack,
        published_at=AT,
        created_by="user:an-ninh@huyen.example",
    )
    session.add(row)
    session.flush()
    return row_id(row.id)


def ack(
    session: Session,
    official_id: int,
    what: str,
    on: date,
    *,
    advisory_id: int | None = None,
    account_id: int | None = None,
) -> None:
    at = datetime.combine(on, datetime.min.time(), tzinfo=UTC)
    session.add(
        Acknowledgement(
            what=what,
            how="portal",
            official_id=official_id,
            actor="t",
            at=at,
            acted_on=on,
            advisory_id=advisory_id,
            account_id=account_id,
        )
    )


def failed_message(session: Session, official_id: int) -> None:
    session.add(
        Message(
            idempotency_key=f"rotation:{official_id}:x",
            campaign="rotation",
            kind="rotation_overdue",
            official_id=official_id,
            planned_on=AT.date(),
            planned_at=AT,
            status="failed",
            last_error="550 5.1.1 mailbox unavailable",
            next_attempt_at=AT,
            updated_at=AT,
        )
    )


def seed(session: Session) -> None:
    noi_vu, tu_phap = f.unit(session, "Phòng Nội vụ"), f.unit(session, "Phòng Tư pháp")
    f.unit(session, "Phòng Văn hóa")
    huong = f.official(session, f.ident(noi_vu), "CB001", name="Nguyễn Thị Hương")
    gone = f.official(session, f.ident(noi_vu), "CB009", name="Đã nghỉ", active=False)
    nam = f.official(session, f.ident(tu_phap), "CB002", name="Trần Văn Nam")
    on_time = f.account(session, f.ident(huong), rotated=date(2026, 2, 20))
    on_time.mfa = True
    zalo = f.account(
        session, f.ident(huong), kind="messaging", system="Zalo", login="0912", browser_saved=True
    )
    f.account(session, f.ident(gone), rotated=None, login="gone@xa.example")
    f.account(session, f.ident(nam), kind="government", system="Một cửa", rotated=date(2025, 12, 1))
    everyone = advisory(session, "Cảnh giác ảnh ghép bằng AI")
    only_tu_phap = advisory(session, "Hồ sơ một cửa giả mạo")
    advisory(session, "Tin tham khảo", requires_ack=False)
    session.add(AdvisoryUnit(advisory_id=only_tu_phap, unit_id=f.ident(tu_phap)))
    ack(session, f.ident(huong), "advisory", date(2026, 2, 21), advisory_id=everyone)
    ack(session, f.ident(huong), "browser", date(2026, 3, 1), account_id=f.ident(zalo))
    ack(session, f.ident(nam), "browser", date(2026, 2, 25), account_id=f.ident(zalo))
    failed_message(session, f.ident(nam))
    session.commit()
