"""The hygiene-probe command: summary, --json, --send to a real local server, exit codes."""

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hygiene.probe.cli import main
from hygiene.probe.host import LINUX
from hygiene.probe.send import is_plain_http_to_another_machine
from tests.probe.builders import Tree, sample_logins
from tests.probe.conftest import ReportServer

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SCRIPT = Path(sys.executable).with_name("hygiene-probe")


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    tree = Tree(tmp_path, LINUX)
    tree.chrome_logins("chrome", "Default", sample_logins(3))
    tree.chrome_logins("coccoc", "Profile 1", sample_logins(1))
    tree.firefox_logins("q1w2.default-release", sample_logins(2))
    return tree


def run(tree: Tree, *args: str) -> int:
    return main(list(args), host=tree.host(), now=NOW)


def test_without_flags_it_prints_a_bilingual_summary(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tree) == 0

    out = capsys.readouterr().out
    assert "Chrome / Default: 3 mật khẩu đã lưu / 3 saved passwords" in out
    assert "Cốc Cốc / Profile 1: 1 mật khẩu đã lưu / 1 saved password\n" in out
    assert "Firefox / q1w2.default-release: 2 mật khẩu đã lưu / 2 saved passwords" in out
    assert "không lưu mật khẩu trong trình duyệt" in out


def test_lang_en_prints_english_only(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tree, "--lang", "en") == 0

    out = capsys.readouterr().out
    assert "Chrome / Default: 3 saved passwords\n" in out
    assert "mật khẩu" not in out


def test_lang_vi_prints_vietnamese_only(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tree, "--lang", "vi") == 0

    out = capsys.readouterr().out
    assert "Chrome / Default: 3 mật khẩu đã lưu\n" in out
    assert "saved password" not in out


def test_the_summary_names_errors_and_policies(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree.chromium_profile("edge", "Default") / "Login Data").write_bytes(b"garbage" * 100)
    managed = tree.policy_root / "etc/opt/chrome/policies/managed"
    managed.mkdir(parents=True)
    (managed / "p.json").write_text('{"PasswordManagerEnabled": false}', encoding="utf-8")

    assert run(tree, "--lang", "en") == 0

    out = capsys.readouterr().out
    assert "Edge / Default: could not count (database damaged)" in out
    assert "Chrome / Default: 3 saved passwords — a policy turns the password manager off" in out


def test_an_empty_pc_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], host=Tree(tmp_path).host(), now=NOW) == 0

    assert (
        "Không tìm thấy hồ sơ trình duyệt nào. / No browser profiles found."
        in capsys.readouterr().out
    )


def test_json_prints_the_report(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tree, "--json") == 0

    report = json.loads(capsys.readouterr().out)
    assert report["generated_at"] == "2026-03-02T03:00:00Z"
    assert [(e["browser"], e["saved_logins"]) for e in report["profiles"]] == [
        ("chrome", 3),
        ("coccoc", 1),
        ("firefox", 2),
    ]


def test_send_posts_the_report_with_the_bearer_token(
    tree: Tree, report_server: ReportServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(tree, "--send", report_server.endpoint(), "--token", "dev-tok-123")

    assert code == 0
    [request] = report_server.requests
    assert (request.method, request.path) == ("POST", "/api/v1/probe/reports")
    assert request.headers["Authorization"] == "Bearer dev-tok-123"
    assert request.headers["Content-Type"].startswith("application/json")
    body = json.loads(request.body.decode("utf-8"))
    assert body["schema_version"] == 1
    assert [(e["browser"], e["profile"], e["saved_logins"]) for e in body["profiles"]] == [
        ("chrome", "Default", 3),
        ("coccoc", "Profile 1", 1),
        ("firefox", "q1w2.default-release", 2),
    ]
    out = capsys.readouterr()
    assert "HTTP 201" in out.out
    assert "dev-tok-123" not in out.out + out.err


def test_the_token_can_come_from_the_environment(
    tree: Tree, report_server: ReportServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HYGIENE_PROBE_TOKEN", "env-tok")

    assert run(tree, "--send", report_server.endpoint()) == 0
    assert report_server.requests[0].headers["Authorization"] == "Bearer env-tok"


def test_a_server_error_exits_1_with_a_clear_message(
    tree: Tree, report_server: ReportServer, capsys: pytest.CaptureFixture[str]
) -> None:
    report_server.status = 500

    code = run(tree, "--send", report_server.endpoint(), "--token", "t")

    assert code == 1
    err = capsys.readouterr().err
    assert "Gửi báo cáo thất bại: máy chủ trả lời HTTP 500." in err
    assert "Sending the report failed: the server answered HTTP 500." in err


def test_a_rejected_token_exits_1(
    tree: Tree, report_server: ReportServer, capsys: pytest.CaptureFixture[str]
) -> None:
    report_server.status = 401

    assert run(tree, "--send", report_server.endpoint(), "--token", "bad", "--lang", "en") == 1
    assert "the server answered HTTP 401" in capsys.readouterr().err


@pytest.mark.parametrize("status", [302, 303, 307])
def test_a_redirect_is_not_followed(
    tree: Tree, report_server: ReportServer, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    """urllib would follow a 302/303 with a GET carrying the same Authorization header to
    wherever Location points; the probe stops and reports the status instead."""
    report_server.status = status
    report_server.location = report_server.endpoint("/elsewhere")

    code = run(tree, "--send", report_server.endpoint(), "--token", "t", "--lang", "en")

    assert code == 1
    assert [r.path for r in report_server.requests] == ["/api/v1/probe/reports"]
    assert f"HTTP {status}" in capsys.readouterr().err


def test_an_unreachable_server_exits_1(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe_port:
        probe_port.bind(("127.0.0.1", 0))
        port = probe_port.getsockname()[1]
    # the port is closed again: nothing listens there

    code = run(
        tree,
        "--send",
        f"http://127.0.0.1:{port}/api/v1/probe/reports",
        "--token",
        "t",
        "--lang",
        "en",
    )

    assert code == 1
    assert "could not reach the server (ConnectionRefusedError)" in capsys.readouterr().err


def test_a_silent_server_times_out_with_exit_1(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as silent:  # accepts the connection (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/api/v1/probe/reports"

        code = run(tree, "--send", url, "--token", "t", "--timeout", "0.3", "--lang", "en")

    assert code == 1
    assert "the server did not answer in time" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["--send", "http://127.0.0.1:9/api/v1/probe/reports"],  # no token
        ["--send", "ftp://server/api/v1/probe/reports", "--token", "t"],
        ["--send", "not a url", "--token", "t"],
        ["--lang", "fr"],
        ["--timeout", "0", "--send", "http://127.0.0.1:9/", "--token", "t"],
        ["--bogus"],
    ],
)
def test_usage_errors_exit_2(
    tree: Tree, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tree, *args) == 2
    assert "usage: hygiene-probe" in capsys.readouterr().err


def test_the_console_script_documents_exit_codes() -> None:
    result = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, check=False)

    assert result.returncode == 0
    assert "exit codes" in result.stdout
    for line in ("0  thành công / success", "1  gửi báo cáo thất bại", "2  dùng sai tuỳ chọn"):
        assert line in result.stdout


def test_the_console_script_probes_the_real_home(tree: Tree) -> None:
    env = {**os.environ, "HOME": str(tree.home), "XDG_CONFIG_HOME": str(tree.home / ".config")}

    result = subprocess.run(
        [SCRIPT, "--json"], capture_output=True, text=True, check=False, env=env
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(e["browser"], e["saved_logins"]) for e in report["profiles"]] == [
        ("chrome", 3),
        ("coccoc", 1),
        ("firefox", 2),
    ]


def test_python_dash_m_runs_the_probe() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hygiene.probe", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert (result.returncode, result.stdout.strip()) == (0, "hygiene-probe 0.1.0")


@pytest.mark.parametrize(
    ("url", "flagged"),
    [
        ("http://10.0.0.5/api/v1/probe/reports", True),
        ("http://hygiene.ubnd.local/api/v1/probe/reports", True),
        ("https://10.0.0.5/api/v1/probe/reports", False),
        ("http://127.0.0.1:8000/api/v1/probe/reports", False),
        ("http://localhost/api/v1/probe/reports", False),
    ],
)
def test_plain_http_to_another_machine_is_flagged(url: str, flagged: bool) -> None:
    assert is_plain_http_to_another_machine(url) is flagged


def test_json_output_is_ascii_and_keeps_vietnamese_profile_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Windows console or a redirected file may not encode Vietnamese; escaped JSON always can."""
    tree = Tree(tmp_path, LINUX)
    tree.firefox_logins("k2j4.Hồ sơ công việc", sample_logins(1))

    assert main(["--json"], host=tree.host(), now=NOW) == 0

    out = capsys.readouterr().out
    assert out.isascii()
    assert json.loads(out)["profiles"][0]["profile"] == "k2j4.Hồ sơ công việc"
