"""A synthetic district for demos and trials: fictional units, ~50 officials, several accounts each.

Names are generated, addresses use the reserved .example domain, and the data goes in through the
same import path as a real spreadsheet, so it is validated and audited like one.
"""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.inventory import importer
from hygiene.inventory.models import Official, Unit
from hygiene.inventory.schemas import InventoryRow, ValidationContext
from hygiene.inventory.values import fold_ascii

UNITS = [
    "Văn phòng HĐND và UBND huyện",
    "Phòng Nội vụ",
    "Phòng Tài chính - Kế hoạch",
    "Phòng Văn hóa - Thông tin",
    "Phòng Giáo dục và Đào tạo",
    "UBND xã Bình An",
    "UBND xã Suối Mây",
    "UBND thị trấn Minh Sơn",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Giàng", "Vàng"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Xuân", "A"]
MIDDLE_F = ["Thị", "Thu", "Hồng", "Ngọc", "Thị Thanh"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tuấn",
    "Việt",
    "Khánh",
    "Chiến",
]
GIVEN_F = [
    "Chi",
    "Hà",
    "Hạnh",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Phương",
    "Thảo",
    "Trang",
    "Yến",
    "Nhung",
    "Dung",
]
PHRASES = ["hoa ban trắng", "suối Nậm Na", "chè Shan tuyết", "mây trên đỉnh", "lúa nương vàng"]
DOMAIN = "minhson.example"
OFFICIALS = 50
DEMO_ACTOR = "demo"


def _name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _rotated(rng: random.Random, today: date) -> date | None:
    if rng.random() < 0.15:
        return None  # never rotated
    return today - timedelta(days=rng.randint(0, 160))


def district_rows(
    today: date, *, seed: int = 2025, officials: int = OFFICIALS
) -> list[dict[str, object]]:
    rng = random.Random(seed)  # deterministic, not for security  # noqa: S311
    rows: list[dict[str, object]] = []
    for n in range(1, officials + 1):
        name = _name(rng)
        employee_id = f"MS{n:04d}"
        parts = fold_ascii(name).lower().split()
        local = f"{parts[-1]}.{parts[0]}"
        person = {
            "employee_id": employee_id,
            "full_name": name,
            "unit": UNITS[(n - 1) % len(UNITS)],
            "email": f"{local}{n}@{DOMAIN}",
            "phone": f"0900 000 {n:03d}",
            "locale": "en" if n % 17 == 0 else "vi",
        }
        accounts = [
            ("Email công vụ", "email", person["email"]),
            ("Zalo", "messaging", person["phone"]),
            ("Hệ thống quản lý văn bản", "government", employee_id.lower()),
        ]
        if rng.random() < 0.6:
            accounts.append(("Facebook", "social", person["email"]))
        if rng.random() < 0.3:
            accounts.append(("Cổng dịch vụ công", "government", f"{local}{n}"))
        for system, kind, login in accounts:
            rows.append(
                {
                    **person,
                    "system": system,
                    "kind": kind,
                    "login": login,
                    "last_rotated": _rotated(rng, today),
                    "mfa": rng.random() < 0.4,
                }
            )
    return rows


def load(
    session: Session, *, context: ValidationContext, key: bytes, now: datetime
) -> importer.ImportResult:
    """Load the demo district (idempotent) and give each unit a head and most officials a phrase."""
    rows = [
        InventoryRow.model_validate({k: v for k, v in r.items() if v is not None}, context=context)
        for r in district_rows(context.today)
    ]
    result = importer.apply_rows(
        session, rows, key=key, now=now, actor=DEMO_ACTOR, source={"source": "demo"}
    )
    heads = _name_unit_heads(session)
    phrases = _set_phrases(session)
    if heads or phrases:
        audit.append(
            session,
            key=key,
            now=now,
            actor=DEMO_ACTOR,
            action="demo.configured",
            subject="inventory",
            data={"unit_heads": heads, "phrases_set": phrases},
        )
    return result


def _name_unit_heads(session: Session) -> int:
    """Each unit without a head gets its first official (by employee id); returns how many."""
    first_of_unit: dict[int, int] = {}
    for unit_id, official_id in session.execute(
        select(Official.unit_id, Official.id).order_by(Official.employee_id)
    ):
        first_of_unit.setdefault(unit_id, official_id or 0)
    headless = set(
        session.execute(select(Unit.id).where(col(Unit.head_official_id).is_(None))).scalars()
    )
    heads = 0
    for unit_id, head_id in first_of_unit.items():
        if unit_id in headless:
            session.execute(
                update(Unit).where(col(Unit.id) == unit_id).values(head_official_id=head_id)
            )
            heads += 1
    return heads


def _set_phrases(session: Session) -> int:
    """About 70 % of the officials without an anti-phishing phrase get one; returns how many."""
    phrases = 0
    for official_id in (
        session.execute(
            select(Official.id)
            .where(col(Official.anti_phishing_phrase).is_(None))
            .order_by(col(Official.id))
        )
        .scalars()
        .all()
    ):
        pick = random.Random(official_id)  # noqa: S311  (stable per official: reruns agree)
        if pick.random() < 0.7:
            session.execute(
                update(Official)
                .where(col(Official.id) == official_id)
                .values(anti_phishing_phrase=pick.choice(PHRASES))
            )
            phrases += 1
    return phrases
