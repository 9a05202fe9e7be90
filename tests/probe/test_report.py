"""Discovery of profiles across browsers and the report built from them."""

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from hygiene.probe import PROBE_VERSION
from hygiene.probe.discovery import discover
from hygiene.probe.host import LINUX, MACOS, WINDOWS, Host
from hygiene.probe.report import Report, build_report
from tests.probe.builders import Tree, sample_logins, write_login_data, write_logins_json

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
ENTRY_KEYS = {
    "browser",
    "profile",
    "saved_logins",
    "error",
    "reason",
    "policy_disables_password_manager",
}


def _counts(report: Report) -> dict[tuple[str, str], int | None]:
    return {(e["browser"], e["profile"]): e["saved_logins"] for e in report["profiles"]}


def _report(host: Host, **kwargs: Any) -> Report:
    return build_report(host=host, now=NOW, hostname="PC-VANTHU-01", os_name="Linux 6", **kwargs)


def test_it_counts_every_browser_profile_on_linux(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    tree.chrome_logins("chrome", "Default", sample_logins(3))
    tree.chrome_logins("chrome", "Profile 1", sample_logins(1))
    tree.chrome_logins("edge", "Default", sample_logins(2))
    tree.chrome_logins("coccoc", "Default", sample_logins(4))
    tree.chrome_logins("brave", "Default", [])
    tree.chrome_logins("chromium", "Default", sample_logins(5))
    tree.firefox_logins("a1b2c3d4.default-release", sample_logins(6))

    report = _report(tree.host())

    assert _counts(report) == {
        ("chrome", "Default"): 3,
        ("chrome", "Profile 1"): 1,
        ("edge", "Default"): 2,
        ("coccoc", "Default"): 4,
        ("brave", "Default"): 0,
        ("chromium", "Default"): 5,
        ("firefox", "a1b2c3d4.default-release"): 6,
    }


def test_it_counts_every_browser_profile_on_windows(tmp_path: Path) -> None:
    tree = Tree(tmp_path, WINDOWS)
    tree.chrome_logins("chrome", "Default", sample_logins(2))
    tree.chrome_logins("edge", "Profile 3", sample_logins(1))
    tree.chrome_logins("coccoc", "Default", sample_logins(7))
    tree.firefox_logins("x9y8z7.default", sample_logins(2))

    report = _report(tree.host())

    assert _counts(report) == {
        ("chrome", "Default"): 2,
        ("edge", "Profile 3"): 1,
        ("coccoc", "Default"): 7,
        ("firefox", "x9y8z7.default"): 2,
    }


def test_it_finds_macos_profiles_under_application_support(tmp_path: Path) -> None:
    home = tmp_path / "Users" / "canbo"
    support = home / "Library" / "Application Support"
    write_login_data(support / "Google" / "Chrome" / "Default" / "Login Data", sample_logins(2))
    write_logins_json(
        support / "Firefox" / "Profiles" / "abc.default" / "logins.json", sample_logins(1)
    )

    report = _report(Host(system=MACOS, home=home))

    assert _counts(report) == {("chrome", "Default"): 2, ("firefox", "abc.default"): 1}


def test_it_follows_xdg_config_home(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    config = tmp_path / "elsewhere"
    write_login_data(config / "google-chrome" / "Default" / "Login Data", sample_logins(2))

    report = _report(tree.host(env={"XDG_CONFIG_HOME": str(config)}))

    assert _counts(report) == {("chrome", "Default"): 2}


def test_it_adds_the_account_store_to_the_profile_store(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    folder = tree.chrome_logins("chrome", "Default", sample_logins(2))
    write_login_data(folder.parent / "Login Data For Account", sample_logins(3, tag="acct"))

    assert _counts(_report(tree.host())) == {("chrome", "Default"): 5}


def test_a_profile_without_a_login_store_counts_zero_and_system_folders_are_skipped(
    tmp_path: Path,
) -> None:
    tree = Tree(tmp_path, LINUX)
    tree.chromium_profile("chrome", "Default")  # Preferences only: never saved a password
    tree.chromium_profile("chrome", "System Profile")
    (tree.home / ".config" / "google-chrome" / "Crashpad").mkdir()
    tree.firefox_profile("new.default-release")  # prefs.js only

    assert _counts(_report(tree.host())) == {
        ("chrome", "Default"): 0,
        ("firefox", "new.default-release"): 0,
    }


def test_no_browsers_gives_an_empty_list(tmp_path: Path) -> None:
    assert _report(Tree(tmp_path).host())["profiles"] == []


def test_profiles_are_folder_names_never_paths(tmp_path: Path) -> None:
    tree = Tree(tmp_path, WINDOWS)
    tree.chrome_logins("chrome", "Profile 1", sample_logins(1))
    tree.firefox_logins("k3j2.default-release", sample_logins(1))

    report = _report(tree.host())

    names = [e["profile"] for e in report["profiles"]]
    assert names == ["Profile 1", "k3j2.default-release"]
    assert str(tmp_path) not in json.dumps(report)


def test_the_report_has_exactly_the_documented_fields(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    tree.chrome_logins("chrome", "Default", sample_logins(1))

    report = _report(tree.host())

    assert set(report) == {
        "schema_version",
        "probe_version",
        "hostname",
        "os",
        "generated_at",
        "profiles",
    }
    assert report["schema_version"] == 1
    assert report["probe_version"] == PROBE_VERSION
    assert (report["hostname"], report["os"]) == ("PC-VANTHU-01", "Linux 6")
    assert [set(entry) for entry in report["profiles"]] == [ENTRY_KEYS]
    assert json.loads(json.dumps(report)) == report


def test_generated_at_is_utc_iso_with_z(tmp_path: Path) -> None:
    hanoi = timezone(timedelta(hours=7))

    report = _report(Tree(tmp_path).host())
    local = build_report(host=Tree(tmp_path).host(), now=datetime(2026, 3, 2, 10, 0, tzinfo=hanoi))

    assert report["generated_at"] == "2026-03-02T03:00:00Z"
    assert local["generated_at"] == "2026-03-02T03:00:00Z"


def test_a_naive_now_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_report(host=Tree(tmp_path).host(), now=datetime(2026, 3, 2, 3, 0))  # noqa: DTZ001


def test_one_failing_profile_does_not_stop_the_others(tmp_path: Path) -> None:
    """Locked (copy refused, as on Windows), corrupt and malformed stores each get an error code
    while the healthy profiles around them are counted."""
    tree = Tree(tmp_path, LINUX)
    locked = tree.chrome_logins("chrome", "Default", sample_logins(2))
    tree.chrome_logins("chrome", "Profile 1", sample_logins(3))
    (tree.chromium_profile("edge", "Default") / "Login Data").write_bytes(b"\x00garbage" * 100)
    tree.firefox_profile("bad.default").joinpath("logins.json").write_text("{not json", "utf-8")
    tree.firefox_logins("good.default", sample_logins(1))

    def copy_refusing_locked(src: Path, dst: Path) -> None:
        if src == locked:
            raise PermissionError(32, "The process cannot access the file")
        shutil.copyfile(src, dst)

    report = _report(tree.host(), copy=copy_refusing_locked)

    outcome = {
        (e["browser"], e["profile"]): (e["saved_logins"], e["error"]) for e in report["profiles"]
    }
    assert outcome == {
        ("chrome", "Default"): (None, "locked"),
        ("chrome", "Profile 1"): (3, None),
        ("edge", "Default"): (None, "corrupt"),
        ("firefox", "bad.default"): (None, "unreadable"),
        ("firefox", "good.default"): (1, None),
    }
    assert all(e["reason"] for e in report["profiles"] if e["error"])


def test_discovery_lists_profiles_in_a_stable_order(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    for name in ("Profile 2", "Default", "Profile 1"):
        tree.chrome_logins("chrome", name, [])
    tree.chrome_logins("edge", "Default", [])

    found = [(p.browser.id, p.name) for p in discover(tree.host())]

    assert found == [
        ("chrome", "Default"),
        ("chrome", "Profile 1"),
        ("chrome", "Profile 2"),
        ("edge", "Default"),
    ]
