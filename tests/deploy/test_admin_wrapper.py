"""deploy/systemd/hygiene-admin runs the CLI with the service's EnvironmentFile."""

import os
import subprocess
import sys
from pathlib import Path

from tests.deploy.unitfiles import DEPLOY, ENV_EXAMPLE

WRAPPER = DEPLOY / "systemd" / "hygiene-admin"


def _run(env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HYGIENE_ENV_FILE": str(env_file),
        "HYGIENE_BIN": str(Path(sys.executable).parent / "hygiene"),
        "HYGIENE_USER": "hygiene-no-such-user",
    }
    return subprocess.run(
        ["sh", str(WRAPPER), *args], env=env, capture_output=True, text=True, check=False
    )


def test_it_runs_commands_with_the_settings_of_the_env_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env_file = tmp_path / "hygiene.env"
    # The example's own lines, then the data directory moved here (the last assignment wins).
    env_file.write_text(f"{ENV_EXAMPLE.read_text('utf-8')}\nHYGIENE_DATA_DIR={data}\n", "utf-8")
    upgraded = _run(env_file, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert (data / "hygiene.db").is_file()
    assert (data / "secret.key").is_file()
    verified = _run(env_file, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_it_refuses_to_run_without_the_env_file(tmp_path: Path) -> None:
    result = _run(tmp_path / "missing.env", "db", "upgrade")
    assert result.returncode == 2
    assert "missing.env" in result.stderr
