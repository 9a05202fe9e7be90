"""`hygiene breach-index build FILE -o INDEX` and `info`, in Vietnamese by default."""

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hygiene.breach.index import BreachIndex
from hygiene.cli import app
from tests.breach.corpus import write_corpus


def test_it_builds_an_index_from_a_pwned_passwords_file(run_cli: Any, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "pwned.txt", {"matkhau@123": 9}, random_entries=999)

    result = run_cli("breach-index", "build", str(corpus), "-o", str(tmp_path / "b.idx"))

    assert result.exit_code == 0, result.output
    assert "1.000 mật khẩu" in result.output  # a count, grouped per locale
    with BreachIndex(tmp_path / "b.idx") as opened:
        assert opened.count("matkhau@123") == 9


def test_it_names_the_bad_line_in_the_readers_language(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("0000000000000000000000000000000000000000:1\nxyz\n")

    result = run_cli(
        "breach-index",
        "build",
        str(tmp_path / "bad.txt"),
        "-o",
        str(tmp_path / "b.idx"),
        env={"HYGIENE_LOCALE": "en"},
    )

    assert result.exit_code == 1
    assert "Line 2: not '40 hex digits:count'" in result.output
    assert not (tmp_path / "b.idx").exists()


def test_info_reports_the_entries(run_cli: Any, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "pwned.txt", {}, random_entries=10)
    run_cli("breach-index", "build", str(corpus), "-o", str(tmp_path / "b.idx"))

    result = run_cli("breach-index", "info", str(tmp_path / "b.idx"))

    assert result.exit_code == 0, result.output
    assert "10 mật khẩu" in result.output


def test_check_password_says_when_no_index_is_configured(
    runner: CliRunner, cli_env: dict[str, str]
) -> None:
    result = runner.invoke(app, ["check-password"], env=cli_env, input="ngựa pin đúng kẹp giấy\n")

    assert result.exit_code == 0, result.output
    assert "Chưa cấu hình chỉ mục mật khẩu bị lộ" in result.output


def test_check_password_reports_leaks_in_english(
    run_cli: Any, runner: CliRunner, cli_env: dict[str, str], tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "pwned.txt", {"matkhau@123": 31_337}, random_entries=50)
    run_cli("breach-index", "build", str(corpus), "-o", str(tmp_path / "b.idx"))

    env = {**cli_env, "HYGIENE_BREACH__INDEX": str(tmp_path / "b.idx"), "HYGIENE_LOCALE": "en"}
    result = runner.invoke(app, ["check-password"], env=env, input="matkhau@123\n")

    assert result.exit_code == 0, result.output
    assert "This password appears in 31,337 known leaks." in result.output
