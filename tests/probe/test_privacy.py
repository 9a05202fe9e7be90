"""Canary values planted in every store must never reach the report, the screen or the wire."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hygiene.probe.cli import main
from hygiene.probe.host import LINUX, WINDOWS
from hygiene.probe.report import build_report
from tests.probe.builders import Login, Tree
from tests.probe.conftest import ReportServer

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
CANARY_USER = "canary-user-nguyenvana@ubnd-muongte.gov.vn"
CANARY_PASSWORD = "Canary-P4ssw0rd-Lai-Chau-2026!"
CANARY_HOST = "canary-portal.muongte.gov.vn"
CANARY_URL = f"https://{CANARY_HOST}/dang-nhap"
CANARIES = (CANARY_USER, CANARY_PASSWORD, CANARY_HOST, "canary-")


def _canary_logins(n: int) -> list[Login]:
    return [
        Login(f"{CANARY_URL}/{i}", f"{CANARY_USER}-{i}", f"{CANARY_PASSWORD}-{i}") for i in range(n)
    ]


def _plant(tree: Tree) -> None:
    """Healthy, corrupt and malformed stores, all carrying the canaries."""
    tree.chrome_logins("chrome", "Default", _canary_logins(3))
    tree.chrome_logins("edge", "Profile 1", _canary_logins(2))
    tree.chrome_logins("coccoc", "Default", _canary_logins(1))
    tree.firefox_logins("c4n4.default-release", _canary_logins(2))
    corrupt = tree.chromium_profile("brave", "Default") / "Login Data"
    corrupt.write_bytes(b"SQLite format 3\x00" + (CANARY_USER + CANARY_PASSWORD).encode() * 50)
    malformed = tree.firefox_profile("broken.default") / "logins.json"
    malformed.write_text(
        f'{{"logins": [{{"hostname": "{CANARY_URL}", "encryptedPassword": "{CANARY_PASSWORD}"',
        encoding="utf-8",
    )


def _assert_clean(text: str, tree: Tree) -> None:
    for canary in CANARIES:
        assert canary not in text
    assert str(tree.base) not in text  # no full path either


@pytest.fixture(params=[LINUX, WINDOWS])
def tree(request: pytest.FixtureRequest, tmp_path: Path) -> Tree:
    tree = Tree(tmp_path, request.param)
    _plant(tree)
    return tree


def test_the_report_holds_no_canary(tree: Tree) -> None:
    report = build_report(host=tree.host(), now=NOW)

    serialized = json.dumps(report, ensure_ascii=False)
    assert len(report["profiles"]) == 6  # the probe did look at every store
    assert {e["error"] for e in report["profiles"]} == {None, "corrupt", "unreadable"}
    _assert_clean(serialized, tree)


def test_the_human_summary_and_json_output_hold_no_canary(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in ([], ["--lang", "en"], ["--lang", "vi"], ["--json"]):
        assert main(args, host=tree.host(), now=NOW) == 0
        out = capsys.readouterr()
        assert "mật khẩu" in out.out or "password" in out.out or "profiles" in out.out
        _assert_clean(out.out + out.err, tree)


def test_what_is_posted_holds_no_canary(
    tree: Tree, report_server: ReportServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--send", report_server.endpoint(), "--token", "tok"], host=tree.host(), now=NOW)

    assert code == 0
    [request] = report_server.requests
    posted = request.body.decode("utf-8") + json.dumps(request.headers)
    assert json.loads(request.body)["profiles"][0]["saved_logins"] == 3
    _assert_clean(posted, tree)
    out = capsys.readouterr()
    _assert_clean(out.out + out.err, tree)
