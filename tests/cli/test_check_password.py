"""`hygiene check-password`: a hidden prompt, feedback in Vietnamese, nothing kept or echoed."""

from typer.testing import CliRunner

from hygiene.cli import app


def test_it_scores_a_weak_password_without_echoing_it(
    runner: CliRunner, cli_env: dict[str, str]
) -> None:
    result = runner.invoke(app, ["check-password"], env=cli_env, input="matkhau@123\n")

    assert result.exit_code == 0, result.output
    assert "Kết quả:" in result.output
    assert "matkhau@123" not in result.output


def test_it_refuses_more_than_72_characters_with_a_clear_message(
    runner: CliRunner, cli_env: dict[str, str]
) -> None:
    result = runner.invoke(app, ["check-password"], env=cli_env, input="b" * 80 + "\n")

    assert result.exit_code == 1
    assert "dài quá 72 ký tự" in result.output
    assert "b" * 80 not in result.output
