"""Kinds as people write them: names, Vietnamese labels, aliases from config, blanks."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from hygiene.errors import ImportRejected
from hygiene.inventory import importer
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.models import Account
from hygiene.inventory.schemas import ValidationContext
from hygiene.settings import Policy, Settings
from tests.conftest import NOW
from tests.helpers import write_csv

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Email", "Hệ thống", "Loại", "Tên đăng nhập"]


def context_for(settings: Settings) -> ValidationContext:
    return ValidationContext(
        today=date(2026, 3, 2), kinds=KindNames.from_policies(settings.policies)
    )


def kinds_after_import(
    session: Session, path: Path, settings: Settings, key: bytes
) -> dict[str, str]:
    importer.import_file(
        session, path, context=context_for(settings), key=key, now=NOW, actor="test"
    )
    session.commit()
    rows = session.execute(select(col(Account.system), col(Account.kind))).all()
    return dict(rows)


def person(system: str, kind: str, n: int) -> list[str]:
    return ["CB001", "Nguyễn Thị Hương", "Phòng Nội vụ", "h@xa.example", system, kind, f"l{n}"]


def test_it_accepts_vietnamese_labels_in_any_case_with_or_without_diacritics(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    rows = [
        person("Hộp thư", "Thư điện tử", 1),
        person("Chat nội bộ", "NHAN TIN", 2),
        person("Trang cá nhân", "mạng xã hội", 3),
        person("Một cửa điện tử", "Hệ thống chính quyền", 4),
        person("Ngân hàng", "khac", 5),
    ]
    kinds = kinds_after_import(
        session, write_csv(tmp_path / "a.csv", rows, HEADER), Settings(), audit_key
    )

    assert kinds == {
        "Hộp thư": "email",
        "Chat nội bộ": "messaging",
        "Trang cá nhân": "social",
        "Một cửa điện tử": "government",
        "Ngân hàng": "other",
    }


def test_it_accepts_aliases_from_the_config_and_the_old_zalo_kind(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    settings = Settings(policies={"social": Policy(aliases=["MXH", "mạng"])})
    rows = [person("Trang cá nhân", "mxh", 1), person("Zalo", "zalo", 2)]

    kinds = kinds_after_import(
        session, write_csv(tmp_path / "a.csv", rows, HEADER), settings, audit_key
    )

    assert kinds == {"Trang cá nhân": "social", "Zalo": "messaging"}


def test_a_blank_kind_is_inferred_from_the_system_name(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    systems = [
        "Zalo",
        "Facebook",
        "TikTok",
        "Gmail",
        "Outlook",
        "Email công vụ",
        "Cổng Dịch vụ công",
        "Quản lý văn bản",
        "Phần mềm kế toán",
    ]
    rows = [person(s, "", n) for n, s in enumerate(systems)]

    kinds = kinds_after_import(
        session, write_csv(tmp_path / "a.csv", rows, HEADER), Settings(), audit_key
    )

    assert kinds == {
        "Zalo": "messaging",
        "Facebook": "social",
        "TikTok": "social",
        "Gmail": "email",
        "Outlook": "email",
        "Email công vụ": "email",
        "Cổng Dịch vụ công": "government",
        "Quản lý văn bản": "government",
        "Phần mềm kế toán": "other",
    }


def test_a_blank_kind_keeps_the_kind_stored_for_an_existing_account(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    kinds_after_import(
        session,
        write_csv(tmp_path / "a.csv", [person("Zalo", "other", 1)], HEADER),
        Settings(),
        audit_key,
    )

    kinds = kinds_after_import(
        session,
        write_csv(tmp_path / "b.csv", [person("Zalo", "", 1)], HEADER),
        Settings(),
        audit_key,
    )

    assert kinds == {"Zalo": "other"}


def test_an_unknown_kind_names_the_row_the_files_header_the_value_and_the_labels(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    rows = [person("Zalo", "messaging", 1), person("Ngân hàng", "Ngân hàng số", 2)]

    with pytest.raises(ImportRejected) as caught:
        kinds_after_import(
            session, write_csv(tmp_path / "a.csv", rows, HEADER), Settings(), audit_key
        )

    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (3, "Loại", "Ngân hàng số")
    text = problem.render("vi")
    assert text.startswith("dòng 3, cột «Loại», giá trị «Ngân hàng số»: ")
    assert "messaging (Nhắn tin)" in text
    assert "government (Hệ thống chính quyền)" in text


def test_a_policies_table_adds_a_kind_and_keeps_the_defaults() -> None:
    settings = Settings(policies={"banking": Policy(rotation_days=60, label_vi="Ngân hàng")})

    assert set(settings.policies) == {
        "email",
        "messaging",
        "social",
        "government",
        "other",
        "banking",
    }


def test_a_policies_table_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    config = tmp_path / "hygiene.toml"
    config.write_text("[policies.email]\nrotation_days = 30\n", encoding="utf-8")

    settings = Settings(config=config)

    email = settings.policies["email"]
    assert (email.rotation_days, email.label_vi) == (30, "Thư điện tử")
    assert settings.policies["messaging"].rotation_days == 90


def test_one_csv_mixing_labels_aliases_and_blanks_imports_as_written(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    """Issue 14, done when: one district file whose kind cells are Vietnamese labels, config
    aliases and blanks, side by side."""
    settings = Settings(policies={"messaging": Policy(aliases=["chat"])})
    rows = [
        person("Hộp thư công vụ", "Thư điện tử", 1),
        person("Viber", "CHAT", 2),
        person("Facebook", "", 3),
        person("Dịch vụ công", "", 4),
        person("Zalo", "nhắn tin", 5),
    ]

    kinds = kinds_after_import(
        session, write_csv(tmp_path / "a.csv", rows, HEADER), settings, audit_key
    )

    assert kinds == {
        "Hộp thư công vụ": "email",
        "Viber": "messaging",
        "Facebook": "social",
        "Dịch vụ công": "government",
        "Zalo": "messaging",
    }
