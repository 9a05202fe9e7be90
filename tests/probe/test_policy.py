"""Managed browser policies that turn the password manager off."""

import json
from datetime import UTC, datetime
from pathlib import Path

from hygiene.probe.discovery import BROWSERS_BY_ID
from hygiene.probe.host import LINUX, MACOS, WINDOWS, Host
from hygiene.probe.policy import password_manager_disabled
from hygiene.probe.report import build_report
from tests.probe.builders import Tree, sample_logins

CHROME = BROWSERS_BY_ID["chrome"]
EDGE = BROWSERS_BY_ID["edge"]
COCCOC = BROWSERS_BY_ID["coccoc"]
FIREFOX = BROWSERS_BY_ID["firefox"]


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


class FakeRegistry:
    """Maps (hive, key, value name) to a DWORD, like the values a GPO writes."""

    def __init__(self, values: dict[tuple[str, str, str], int]) -> None:
        self.values = values

    def __call__(self, hive: str, key: str, name: str) -> int | None:
        return self.values.get((hive, key, name))


def test_a_chrome_managed_policy_file_flips_the_report_flag(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    tree.chrome_logins("chrome", "Default", sample_logins(1))
    tree.chrome_logins("edge", "Default", sample_logins(1))
    before = build_report(host=tree.host(), now=datetime(2026, 3, 2, tzinfo=UTC))
    _write_json(
        tree.policy_root / "etc/opt/chrome/policies/managed/hygiene.json",
        {"PasswordManagerEnabled": False},
    )

    after = build_report(host=tree.host(), now=datetime(2026, 3, 2, tzinfo=UTC))

    flags = {e["browser"]: e["policy_disables_password_manager"] for e in after["profiles"]}
    assert [e["policy_disables_password_manager"] for e in before["profiles"]] == [False, False]
    assert flags == {"chrome": True, "edge": False}


def test_a_policy_that_keeps_the_manager_enabled_does_not_count(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    _write_json(
        tree.policy_root / "etc/opt/chrome/policies/managed/a.json",
        {"PasswordManagerEnabled": True},
    )

    assert password_manager_disabled(CHROME, tree.host()) is False


def test_recommended_policies_are_ignored(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    _write_json(
        tree.policy_root / "etc/opt/chrome/policies/recommended/a.json",
        {"PasswordManagerEnabled": False},
    )

    assert password_manager_disabled(CHROME, tree.host()) is False


def test_edge_and_coccoc_policy_folders_are_read(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    _write_json(
        tree.policy_root / "etc/opt/edge/policies/managed/p.json", {"PasswordManagerEnabled": False}
    )
    _write_json(
        tree.policy_root / "etc/opt/coccoc/policies/managed/p.json",
        {"PasswordManagerEnabled": False},
    )

    assert password_manager_disabled(EDGE, tree.host()) is True
    assert password_manager_disabled(COCCOC, tree.host()) is True
    assert password_manager_disabled(CHROME, tree.host()) is False


def test_an_unreadable_policy_file_makes_the_answer_unknown(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    folder = tree.policy_root / "etc/opt/chrome/policies/managed"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text("{PasswordManagerEnabled: false", encoding="utf-8")

    assert password_manager_disabled(CHROME, tree.host()) is None


def test_one_disabling_file_wins_over_a_broken_one(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    folder = tree.policy_root / "etc/opt/chrome/policies/managed"
    folder.mkdir(parents=True)
    (folder / "a-broken.json").write_text("{", encoding="utf-8")
    _write_json(folder / "b.json", {"PasswordManagerEnabled": False})

    assert password_manager_disabled(CHROME, tree.host()) is True


def test_firefox_policies_json_disables_the_password_manager(tmp_path: Path) -> None:
    tree = Tree(tmp_path, LINUX)
    path = tree.policy_root / "etc/firefox/policies/policies.json"
    assert password_manager_disabled(FIREFOX, tree.host()) is False

    _write_json(path, {"policies": {"PasswordManagerEnabled": False}})
    assert password_manager_disabled(FIREFOX, tree.host()) is True

    _write_json(path, {"policies": {"OfferToSaveLogins": False}})
    assert password_manager_disabled(FIREFOX, tree.host()) is True

    _write_json(path, {"PasswordManagerEnabled": False})  # not under "policies": Firefox ignores it
    assert password_manager_disabled(FIREFOX, tree.host()) is False


def test_windows_machine_policy_in_the_registry(tmp_path: Path) -> None:
    registry = FakeRegistry(
        {("HKLM", "SOFTWARE\\Policies\\Google\\Chrome", "PasswordManagerEnabled"): 0}
    )
    host = Tree(tmp_path, WINDOWS).host(registry=registry)

    assert password_manager_disabled(CHROME, host) is True
    assert password_manager_disabled(EDGE, host) is False


def test_windows_user_policy_applies_when_the_machine_sets_nothing(tmp_path: Path) -> None:
    registry = FakeRegistry(
        {("HKCU", "SOFTWARE\\Policies\\Microsoft\\Edge", "PasswordManagerEnabled"): 0}
    )

    assert password_manager_disabled(EDGE, Tree(tmp_path, WINDOWS).host(registry=registry)) is True


def test_windows_machine_policy_beats_user_policy(tmp_path: Path) -> None:
    key = "SOFTWARE\\Policies\\Google\\Chrome"
    registry = FakeRegistry(
        {("HKLM", key, "PasswordManagerEnabled"): 1, ("HKCU", key, "PasswordManagerEnabled"): 0}
    )

    assert (
        password_manager_disabled(CHROME, Tree(tmp_path, WINDOWS).host(registry=registry)) is False
    )


def test_windows_coccoc_and_firefox_registry_keys(tmp_path: Path) -> None:
    registry = FakeRegistry(
        {
            ("HKLM", "SOFTWARE\\Policies\\CocCoc\\CocCoc", "PasswordManagerEnabled"): 0,
            ("HKLM", "SOFTWARE\\Policies\\Mozilla\\Firefox", "OfferToSaveLogins"): 0,
        }
    )
    host = Tree(tmp_path, WINDOWS).host(registry=registry)

    assert password_manager_disabled(COCCOC, host) is True
    assert password_manager_disabled(FIREFOX, host) is True


def test_windows_firefox_distribution_policies_json(tmp_path: Path) -> None:
    program_files = tmp_path / "Program Files"
    _write_json(
        program_files / "Mozilla Firefox" / "distribution" / "policies.json",
        {"policies": {"PasswordManagerEnabled": False}},
    )
    host = Tree(tmp_path, WINDOWS).host(
        registry=FakeRegistry({}), env={"ProgramFiles": str(program_files)}
    )

    assert password_manager_disabled(FIREFOX, host) is True


def test_an_unreadable_registry_gives_unknown(tmp_path: Path) -> None:
    def denied(hive: str, key: str, name: str) -> int | None:
        raise PermissionError(5, "Access is denied")

    host = Tree(tmp_path, WINDOWS).host(registry=denied)

    assert password_manager_disabled(CHROME, host) is None


def test_without_a_registry_or_on_macos_the_answer_is_unknown(tmp_path: Path) -> None:
    assert password_manager_disabled(CHROME, Tree(tmp_path, WINDOWS).host()) is None
    assert password_manager_disabled(CHROME, Host(system=MACOS, home=tmp_path)) is None
