"""The `unit_head` column ("Lãnh đạo đơn vị": có/không) names each unit's head."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from hygiene.campaigns import service as campaigns
from hygiene.errors import ImportRejected
from hygiene.inventory.models import Official, Unit
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests.conftest import NOW
from tests.helpers import write_csv
from tests.inventory.test_import_sheets import run

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Email", "Hệ thống", "Lãnh đạo đơn vị"]


def row(employee_id: str, unit: str, head: str, system: str = "Zalo") -> list[str]:
    return [employee_id, f"Cán bộ {employee_id}", unit, f"{employee_id}@xa.example", system, head]


def heads(session: Session) -> dict[str, str | None]:
    query = select(col(Unit.name), col(Official.employee_id)).outerjoin(
        Official,
        col(Official.id) == col(Unit.head_official_id),
    )
    return dict(session.execute(query).all())


def test_a_file_naming_unit_heads_sets_them(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    rows = [
        row("CB1", "Phòng Nội vụ", "không"),
        row("CB2", "Phòng Nội vụ", "có"),
        row("CB2", "Phòng Nội vụ", "có", "Email công vụ"),
        row("CB3", "UBND xã Bình An", "Có"),
        row("CB4", "Phòng Tư pháp", ""),
    ]

    result = run(session, write_csv(tmp_path / "a.csv", rows, HEADER), audit_key)

    assert result.heads_set == 2
    assert heads(session) == {
        "Phòng Nội vụ": "CB2",
        "UBND xã Bình An": "CB3",
        "Phòng Tư pháp": None,
    }


def test_a_new_head_replaces_the_old_and_khong_clears_a_head(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    first = [row("CB1", "Phòng Nội vụ", "có"), row("CB3", "UBND xã", "có")]
    run(session, write_csv(tmp_path / "a.csv", first, HEADER), audit_key)
    second = [row("CB2", "Phòng Nội vụ", "có"), row("CB3", "UBND xã", "không")]

    run(session, write_csv(tmp_path / "b.csv", second, HEADER), audit_key)

    assert heads(session) == {"Phòng Nội vụ": "CB2", "UBND xã": None}


def test_two_heads_in_one_unit_is_a_row_error(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    rows = [row("CB1", "Phòng Nội vụ", "có"), row("CB2", "Phòng Nội vụ", "có")]

    with pytest.raises(ImportRejected) as caught:
        run(session, write_csv(tmp_path / "a.csv", rows, HEADER), audit_key)

    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.code) == (
        3,
        "Lãnh đạo đơn vị",
        "unit_head.two_heads",
    )
    assert "CB1" in problem.render("vi")
    session.rollback()
    assert session.execute(select(Official)).first() is None


def test_a_file_naming_unit_heads_is_followed_by_an_escalation_planned_to_them(
    session: Session, settings: Settings, tmp_path: Path, audit_key: bytes
) -> None:
    """Issue 14, done when: the heads come from the district's own file, then the escalation
    campaign plans its message to the head of the late official's unit, and to nobody else."""
    header = [*HEADER, "Ngày đổi mật khẩu"]
    rows = [
        [*row("TRUONG", "UBND xã Bình An", "có"), "15/02/2026"],
        [*row("LATE", "UBND xã Bình An", "không"), "01/10/2025"],  # due 30/12/2025
        [*row("NV1", "Phòng Nội vụ", "có"), "15/02/2026"],
    ]
    run(session, write_csv(tmp_path / "a.csv", rows, header), audit_key)

    campaigns.plan(
        session=session, settings=settings, now=NOW, campaign="escalation", audit_key=audit_key,
        actor="test",
    )  # fmt: skip
    session.commit()
    ids = dict(session.execute(select(col(Official.employee_id), col(Official.id))).all())
    planned = session.execute(
        select(col(Message.official_id), col(Message.user_id), col(Message.payload)).where(
            col(Message.campaign) == "escalation"
        )
    ).all()

    assert [tuple(p) for p in planned] == [(ids["TRUONG"], None, str(ids["LATE"]))]
