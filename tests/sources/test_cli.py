from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SECRET


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "hygiene.toml"
    config.write_text(
        '[sources.ad]\nkind = "ad"\nurl = "ldaps://127.0.0.1:1"\ncovers = ["Email công vụ"]\n'
        f'secret_file = "{tmp_path / "ad.secret"}"\ntimeout = 2\n',
        "utf-8",
    )
    (tmp_path / "ad.secret").write_text(SECRET + "-canary-bind\n", "utf-8")
    return {**cli_env, "HYGIENE_CONFIG": str(config)}


def test_sources_list_shows_a_source_never_synced(run_cli: Any, env: dict[str, str]) -> None:
    assert run_cli("db", "upgrade", env=env).exit_code == 0
    result = run_cli("sources", "list", env=env)
    assert result.exit_code == 0, result.output
    assert "ad" in result.output
    assert "chưa đồng bộ" in result.output


def test_a_source_that_is_down_is_one_error_line_recorded_without_its_secret(
    run_cli: Any, env: dict[str, str]
) -> None:
    assert run_cli("db", "upgrade", env=env).exit_code == 0
    result = run_cli("sources", "sync", "ad", env=env)
    assert result.exit_code == 1
    assert "không trả lời" in result.output
    assert "canary-bind" not in result.output
    listing = run_cli("--help", env=env) and run_cli("sources", "list", "--format", "json", env=env)
    assert "không kết nối được" in listing.output


def test_an_unknown_source_is_named(run_cli: Any, env: dict[str, str]) -> None:
    result = run_cli("sources", "sync", "nope", env=env)
    assert result.exit_code == 1
    assert "nope" in result.output
