"""The container image and the trial compose stack (Docker itself cannot run here)."""

import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.deploy.unitfiles import DEPLOY

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
COMPOSE = DEPLOY / "docker" / "compose.yaml"
ROOT = DEPLOY.parent


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text("utf-8"))
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def test_it_builds_wheels_in_one_slim_stage_and_runs_from_another() -> None:
    bases = [args.split()[0] for word, args in _instructions() if word == "FROM"]
    assert bases == ["python:3.11-slim", "python:3.11-slim"]
    build = " ".join(
        args
        for word, args in _instructions()[: len(_instructions()) - len(_final_stage())]
        if word == "RUN"
    )
    assert "pip wheel" in build
    assert any("from=build" in args for word, args in _final_stage() if word in {"RUN", "COPY"})


def test_it_runs_as_a_non_root_user() -> None:
    users = [args for word, args in _final_stage() if word == "USER"]
    assert users, "the final stage needs a USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0", ""}


def test_it_checks_health_on_the_port_it_serves() -> None:
    checks = [args for word, args in _final_stage() if word == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "urllib" in checks[0]
    assert "/healthz" in checks[0]
    command = json.loads(dict(_final_stage())["CMD"])
    port = command[command.index("--port") + 1]
    assert f"127.0.0.1:{port}/healthz" in checks[0]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104  (inside the container)


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_its_healthcheck_command_passes_only_on_200(
    health_server: http.server.HTTPServer,
    status: int,
    healthy: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_Health, "status", status)
    check = dict(_final_stage())["HEALTHCHECK"]
    argv = json.loads(check[check.index("CMD") + 3 :].strip())
    assert argv[:2] == ["python", "-c"]
    code = argv[2].replace("127.0.0.1:8080", f"127.0.0.1:{health_server.server_address[1]}")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert (result.returncode == 0) is healthy


def _load_compose() -> dict[str, Any] | None:
    """The compose file parsed as YAML: PyYAML here, or a system python3 that has it."""
    try:
        import yaml
    except ImportError:
        python3 = shutil.which("python3")
        if python3 is None:
            return None
        code = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        done = subprocess.run(
            [python3, "-c", code, str(COMPOSE)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            if "No module named 'yaml'" in done.stderr:
                return None
            pytest.fail(f"compose.yaml is not valid YAML: {done.stderr}")
        parsed: dict[str, Any] = json.loads(done.stdout)
        return parsed
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text("utf-8"))
    return loaded


@pytest.fixture
def compose() -> dict[str, Any]:
    loaded = _load_compose()
    if loaded is None:
        pytest.skip("no YAML parser (PyYAML) here: the structural check below still runs")
    return loaded


def _instances(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services built from our Dockerfile that run the default command (serve)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("dockerfile") == "deploy/docker/Dockerfile"
        and "command" not in service
    }


def test_it_runs_two_instances_on_postgresql_15(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:15"
    instances = _instances(compose)
    assert len(instances) == 2
    for service in instances.values():
        url = service["environment"]["HYGIENE_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in url
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        context = (COMPOSE.parent / service["build"]["context"]).resolve()
        assert (context / service["build"]["dockerfile"]).is_file()


def test_its_instances_share_one_secret_key_file(compose: dict[str, Any]) -> None:
    instances = list(_instances(compose).values())
    keys = {s["environment"]["HYGIENE_SECRET_KEY_FILE"] for s in instances}
    assert len(keys) == 1
    (key,) = keys
    for service in instances:
        mounts = [v.split(":") for v in service["volumes"]]
        assert any(
            key.startswith(target + "/") and source in compose["volumes"]
            for source, target, *_ in mounts
        )
    creator = compose["services"]["migrate"]
    assert creator["command"] == ["db", "upgrade"]
    assert all(
        s["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        for s in instances
    )


def test_it_sends_mail_to_the_mail_catcher(compose: dict[str, Any]) -> None:
    catchers = [n for n, s in compose["services"].items() if "mailpit" in str(s.get("image", ""))]
    assert len(catchers) == 1
    for service in _instances(compose).values():
        env = service["environment"]
        assert env["HYGIENE_CHANNELS__SMTP__HOST"] == catchers[0]
        assert env["HYGIENE_CHANNELS__SMTP__SECURITY"] == "none"


def test_its_compose_file_has_the_expected_structure_without_a_yaml_parser() -> None:
    text = COMPOSE.read_text("utf-8")
    assert "\t" not in text, "YAML forbids tabs for indentation"
    top = {line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z][\w-]*:", line)}
    assert {"services", "volumes"} <= top
    services = re.findall(
        r"^  ([a-z][\w-]*):\s*$", text.split("\nservices:", 1)[1].split("\nvolumes:", 1)[0], re.M
    )
    assert {"postgres", "mailpit", "hygiene-a", "hygiene-b"} <= set(services)
