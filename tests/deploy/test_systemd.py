"""The systemd unit: it verifies, it is hardened, and its own command lines run the service."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hygiene.settings import load_settings
from tests.deploy.unitfiles import ENV_EXAMPLE, UNIT, command, read_env_file, read_unit

BIN = Path(sys.executable).parent
INSTALL_BIN = "/opt/hygiene/.venv/bin"
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_port(argv: list[str], port: int) -> list[str]:
    index = argv.index("--port")
    return [*argv[: index + 1], str(port), *argv[index + 2 :]]


@pytest.fixture
def service_env(tmp_path: Path) -> dict[str, str]:
    """What systemd gives the service: a clean environment plus the EnvironmentFile (SQLite)."""
    env = read_env_file()
    env.pop("HYGIENE_DATABASE_URL", None)
    env["HYGIENE_DATA_DIR"] = str(tmp_path / "data")
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env}


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback http)
        return int(response.status), response.read().decode("utf-8")


def _wait_for_health(process: subprocess.Popen[bytes], base: str, log: Path) -> tuple[int, str]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"service exited with {process.returncode}:\n{log.read_text('utf-8')}")
        try:
            return _get(f"{base}/healthz")
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code, ""
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"no answer on {base}/healthz in {START_TIMEOUT:.0f} s:\n{log.read_text('utf-8')}")


@pytest.fixture
def started_service(
    service_env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    service = read_unit()["Service"]
    assert Path(service["ExecStart"][0].split()[0]).parent == Path(INSTALL_BIN)
    for line in service["ExecStartPre"]:
        done = subprocess.run(
            command(line, BIN), env=service_env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{line}: {done.stderr}"
    port = _free_port()
    argv = _with_port(command(service["ExecStart"][0], BIN), port)
    log = tmp_path / "service.log"
    with (
        log.open("wb") as output,
        subprocess.Popen(argv, env=service_env, stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        try:
            yield process, f"http://127.0.0.1:{port}", log
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def test_it_serves_health_and_metrics_with_the_units_own_command_lines(
    started_service: tuple[subprocess.Popen[bytes], str, Path],
) -> None:
    process, base, log = started_service
    status, body = _wait_for_health(process, base, log)
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"
    status, body = _get(f"{base}/metrics")
    assert status == 200
    families = {family.name: family for family in text_string_to_metric_families(body)}
    assert "hygiene_audit_events" in families
    assert families["hygiene_scheduler_running"].samples[0].value == 1.0
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text("utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_it_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify insists that ExecStart's program exists: point a copy of the unit at this venv.
    unit = tmp_path / "hygiene.service"
    unit.write_text(UNIT.read_text("utf-8").replace(INSTALL_BIN, str(BIN)), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hygiene.service" not in result.stderr, result.stderr


def test_it_runs_hardened_as_a_dedicated_user() -> None:
    service = read_unit()["Service"]
    expected = {
        "User": "hygiene",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectControlGroups": "yes",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
        "CapabilityBoundingSet": "",
    }
    assert {key: service.get(key, [None])[0] for key in expected} == expected
    assert "@system-service" in service["SystemCallFilter"]
    data_dir = read_env_file()["HYGIENE_DATA_DIR"]
    assert service["ReadWritePaths"] == [data_dir]
    assert service["ExecStartPre"][0].endswith("hygiene db upgrade")
    assert service["EnvironmentFile"][0].lstrip("-") == "/etc/hygiene/hygiene.env"


def test_it_documents_only_real_settings_in_the_env_example(tmp_path: Path) -> None:
    names = read_env_file(commented=True)
    env = {name: value for name, value in names.items() if name != "HYGIENE_CONFIG"}
    env["HYGIENE_DATA_DIR"] = str(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        settings = load_settings()
    assert settings.channels.smtp.host == names["HYGIENE_CHANNELS__SMTP__HOST"]
    assert settings.log_format == "json"
    assert ENV_EXAMPLE.name == "hygiene.env.example"
