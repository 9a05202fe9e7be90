import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from hygiene.cli import app
from tests.helpers import ROWS, write_csv


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from hygiene import db

    engine = db.make_engine("sqlite://")
    try:
        head = ScriptDirectory.from_config(db.alembic_config(engine)).get_current_head()
    finally:
        engine.dispose()
    assert head
    return head


def all_command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: Any, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p) or "hygiene")
def test_every_command_has_help(run_cli: Any, path: list[str]) -> None:
    vi = run_cli(*path, "--help")
    en = run_cli(*path, "--help", env={"HYGIENE_LOCALE": "en"})

    assert vi.exit_code == 0
    assert en.exit_code == 0
    assert "Cách dùng" in vi.stdout
    assert "Hiện hướng dẫn này rồi thoát." in vi.stdout
    assert "Show this message" not in vi.stdout
    assert "Usage" in en.stdout
    assert "Show this message and exit." in en.stdout
    assert "Hiện hướng dẫn" not in en.stdout


def test_import_then_list_as_json_and_csv(run_cli: Any, tmp_path: Path) -> None:
    imported = run_cli("import", str(write_csv(tmp_path / "a.csv")))
    as_json = run_cli("officials", "list", "--format", "json")
    as_csv = run_cli("accounts", "list", "--format", "csv", "--official", "CB001")

    assert imported.exit_code == 0, imported.stderr
    assert "2 cán bộ mới" in imported.stdout
    assert [o["employee_id"] for o in json.loads(as_json.stdout)] == ["CB001", "CB002"]
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["system"], r["last_rotated"]) for r in rows] == [
        ("Email công vụ", "2026-01-15"),
        ("Zalo", ""),
    ]


def test_a_rejected_import_prints_each_problem_on_one_line_and_exits_1(
    run_cli: Any, tmp_path: Path
) -> None:
    bad = [
        ROWS[0],
        ["CB003", "Trần Nam", "Phòng Nội vụ", "nam@", "", "vi", "Zalo", "zalo", "n", "", ""],
    ]

    result = run_cli("import", str(write_csv(tmp_path / "bad.csv", bad)))
    listed = run_cli("officials", "list", "--format", "json")

    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0] == "Lỗi: Tệp bị từ chối: 1 lỗi. Cơ sở dữ liệu không thay đổi."
    )
    assert (
        result.stderr.splitlines()[1]
        == "dòng 3, cột «email», giá trị «nam@»: địa chỉ email không hợp lệ"
    )
    assert "Traceback" not in result.output
    assert json.loads(listed.stdout) == []


def test_english_when_the_locale_says_so(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("officials", "show", "NOBODY", env={"HYGIENE_LOCALE": "en"})

    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No official with employee id NOBODY."


def test_dry_run_writes_nothing(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("import", "--dry-run", str(write_csv(tmp_path / "a.csv")))
    listed = run_cli("officials", "list", "--format", "json")

    assert result.exit_code == 0
    assert "Chưa ghi gì" in result.stdout
    assert json.loads(listed.stdout) == []


def test_export_to_stdout_and_xlsx(run_cli: Any, tmp_path: Path) -> None:
    run_cli("import", str(write_csv(tmp_path / "a.csv")))

    stdout = run_cli("export")
    to_file = run_cli("export", "-o", str(tmp_path / "out.xlsx"))
    again = run_cli("import", str(tmp_path / "out.xlsx"))

    assert stdout.stdout.splitlines()[0].lstrip("\ufeff").startswith("employee_id,full_name,unit")
    assert len(stdout.stdout.splitlines()) == 4
    assert to_file.exit_code == 0
    assert "3 không đổi" in again.stdout


def test_add_show_and_deactivate_an_official(run_cli: Any) -> None:
    unit = run_cli("units", "add", "Phòng Tư pháp")
    added = run_cli(
        "officials",
        "add",
        "CB100",
        "--name",
        "Hà Thị Lan",
        "--unit",
        "Phòng Tư pháp",
        "--phone",
        "0987 654 321",
    )
    account = run_cli(
        "accounts",
        "add",
        "--official",
        "CB100",
        "--system",
        "Zalo",
        "--kind",
        "zalo",
        "--login",
        "0987654321",
        "--last-rotated",
        "01/02/2026",
        "--mfa",
    )
    gone = run_cli("officials", "deactivate", "CB100")
    shown = run_cli("officials", "show", "CB100", "--format", "json")
    active = run_cli("officials", "list", "--format", "json")

    assert [r.exit_code for r in (unit, added, account, gone)] == [0, 0, 0, 0]
    detail = json.loads(shown.stdout)
    assert (detail["phone"], detail["active"]) == ("+84987654321", False)
    assert detail["account_list"][0]["last_rotated"] == "2026-02-01"
    assert json.loads(active.stdout) == []


def test_bad_field_values_name_the_field(run_cli: Any) -> None:
    run_cli("units", "add", "Phòng Tư pháp")

    result = run_cli(
        "officials", "add", "CB1", "--name", "A", "--unit", "Phòng Tư pháp", "--phone", "12"
    )

    assert result.exit_code == 1
    assert result.stderr.startswith("Lỗi: Trường phone: số điện thoại không hợp lệ")


def test_invalid_configuration_exits_2_before_anything(run_cli: Any) -> None:
    result = run_cli("units", "list", env={"HYGIENE_CHANNELS__SMTP__PORT": "abc"})

    assert result.exit_code == 2
    assert "channels.smtp.port" in result.stderr
    assert "Traceback" not in result.output


def test_an_unmigrated_database_says_what_to_run(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli(
        "units", "list", env={"HYGIENE_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"}
    )

    assert result.exit_code == 1
    assert "hygiene db upgrade" in result.stderr


def test_db_upgrade_migrates_a_new_database(run_cli: Any, tmp_path: Path) -> None:
    env = {"HYGIENE_DATABASE_URL": f"sqlite:///{tmp_path}/new/hygiene.db"}

    upgraded = run_cli("db", "upgrade", env=env)
    listed = run_cli("units", "list", "--format", "json", env=env)

    assert upgraded.exit_code == 0
    assert head_revision() in upgraded.stdout
    assert json.loads(listed.stdout) == []


def test_demo_loads_a_district_and_is_idempotent(run_cli: Any) -> None:
    first = run_cli("demo")
    second = run_cli("demo")
    officials = json.loads(run_cli("officials", "list", "--format", "json").stdout)
    units = json.loads(run_cli("units", "list", "--format", "json").stdout)
    verified = run_cli("audit", "verify")

    assert first.exit_code == 0, first.output
    assert "Cán bộ đang theo dõi: 50" in first.stdout
    assert second.stdout == first.stdout
    assert len(officials) == 50
    assert len(units) >= 5
    assert all(o["accounts"] >= 3 for o in officials)
    assert any(
        "ễ" in o["full_name"] or "Đ" in o["full_name"] or "ư" in o["full_name"] for o in officials
    )
    assert verified.exit_code == 0


def test_audit_verify_and_export(run_cli: Any, tmp_path: Path) -> None:
    run_cli("import", str(write_csv(tmp_path / "a.csv")))

    verified = run_cli("audit", "verify")
    exported = run_cli("audit", "export", "--format", "jsonl", "--since", "01/01/2020")
    later = run_cli("audit", "export", "--since", "01/01/2099", "-o", str(tmp_path / "a.csv"))

    assert verified.exit_code == 0
    assert verified.stdout.startswith("Chuỗi nhật ký toàn vẹn: 8 sự kiện")
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, 9))
    assert events[0]["actor"].startswith("cli")
    assert (tmp_path / "a.csv").read_text("utf-8-sig").splitlines() == [
        "seq,at,actor,action,subject,data,prev_hash,hash"
    ]
    assert later.exit_code == 0
