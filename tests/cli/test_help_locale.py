"""`--help` speaks the reader's language: Vietnamese by default, English when configured or when
the shell's LANG is English; the configured locale wins over the shell."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HYGIENE = Path(sys.executable).parent / "hygiene"


def test_hygiene_help_is_vietnamese_with_diacritics_by_default(run_cli: Any) -> None:
    shown = run_cli("--help").stdout

    assert "[TÙY CHỌN] LỆNH [THAM SỐ]..." in shown
    assert "nhắc đổi mật khẩu và giữ an toàn tài khoản cho cán bộ" in shown
    assert "Tùy chọn" in shown
    assert "Lệnh" in shown
    assert "Người dùng trang quản trị" in shown
    for english in ("Usage", "Options", "Commands", "Show this message", "Console users"):
        assert english not in shown


def test_hygiene_help_is_english_when_configured(run_cli: Any) -> None:
    shown = run_cli("--help", env={"HYGIENE_LOCALE": "en"}).stdout

    assert "[OPTIONS] COMMAND [ARGS]..." in shown
    assert "Password-rotation and account-hygiene reminders" in shown
    assert "Console users" in shown
    assert "Người dùng" not in shown
    assert "Tùy chọn" not in shown


@pytest.mark.parametrize(
    ("env", "usage"),
    [
        ({"LANG": "en_US.UTF-8"}, "Usage:"),
        ({"LANG": "vi_VN.UTF-8"}, "Cách dùng:"),
        ({"LANG": "en_US.UTF-8", "HYGIENE_LOCALE": "vi"}, "Cách dùng:"),
        ({"LANG": "C.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "Usage:"),
    ],
)
def test_the_shell_language_applies_unless_one_is_configured(
    run_cli: Any, env: dict[str, str], usage: str
) -> None:
    assert usage in run_cli("users", "add", "--help", env=env).stdout


def test_option_help_and_typer_words_are_translated(run_cli: Any) -> None:
    vi = run_cli("users", "add", "--help").stdout
    en = run_cli("users", "add", "--help", env={"HYGIENE_LOCALE": "en"}).stdout

    assert "Họ và tên, in trên báo cáo" in vi
    assert "[bắt buộc]" in vi
    assert "Tham số" in vi
    assert "Full name, shown on reports" not in vi
    assert "Full name, shown on reports" in en
    assert "[required]" in en


def test_errors_and_output_follow_the_same_language(run_cli: Any) -> None:
    shell_en = run_cli("officials", "show", "NOBODY", env={"LANG": "en_US.UTF-8"})

    assert shell_en.exit_code == 1
    assert shell_en.stderr.startswith("Error:")


def test_the_installed_command_prints_vietnamese_help(tmp_path: Path) -> None:
    env = {**os.environ, "HYGIENE_DATA_DIR": str(tmp_path)}
    shown = subprocess.run(
        [str(HYGIENE), "--help"], capture_output=True, text=True, env=env, check=True, timeout=60
    ).stdout

    assert "Cách dùng: hygiene [TÙY CHỌN] LỆNH [THAM SỐ]..." in shown
    assert "Hiện hướng dẫn này rồi thoát." in shown
    assert "Usage" not in shown


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (["users", "add", "a@b.vn"], "Thiếu tùy chọn bắt buộc --role.", "Missing option '--role'."),
        (["nope"], "Không có lệnh «nope».", "No such command 'nope'."),
        (["officials", "list", "--bogus"], "Không có tùy chọn --bogus.", "No such option: --bogus"),
    ],
)
def test_click_usage_errors_are_translated(run_cli: Any, args: list[str], vi: str, en: str) -> None:
    in_vi = run_cli(*args)
    in_en = run_cli(*args, env={"HYGIENE_LOCALE": "en"})

    assert in_vi.exit_code == 2
    assert vi in in_vi.stderr
    assert "Lỗi" in in_vi.stderr
    assert en in in_en.stderr
