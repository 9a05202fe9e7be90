"""Is a managed browser policy turning the password manager off?

- Windows: ``HKLM`` then ``HKCU`` ``SOFTWARE\\Policies\\<vendor>\\<browser>``, value
  ``PasswordManagerEnabled`` (Firefox also ``OfferToSaveLogins``) = 0. The first hive that sets the
  value wins, as in Chrome (machine policy over user policy). Firefox also reads
  ``%ProgramFiles%\\Mozilla Firefox\\distribution\\policies.json``.
- Linux: the managed-policy JSON folders (``/etc/opt/chrome/policies/managed/*.json`` …) with
  ``"PasswordManagerEnabled": false``; Firefox ``/etc/firefox/policies/policies.json`` (or the
  install's ``distribution/policies.json``) with ``"PasswordManagerEnabled": false`` or
  ``"OfferToSaveLogins": false`` under ``"policies"``. "Recommended" policies are ignored: the user
  may override them.
- macOS (configuration profiles) is not checked.

Answer: True (a policy disables it), False (looked, nothing disables it), None (not checked here,
or a policy source could not be read and nothing else disables it).

The Cốc Cốc registry key and Linux folder are not documented publicly; both spellings seen in
deployment scripts are checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hygiene.probe.discovery import FIREFOX, Browser
from hygiene.probe.host import LINUX, WINDOWS, Host

_REGISTRY_KEYS = {
    "chrome": ("SOFTWARE\\Policies\\Google\\Chrome",),
    "edge": ("SOFTWARE\\Policies\\Microsoft\\Edge",),
    "coccoc": ("SOFTWARE\\Policies\\CocCoc\\CocCoc", "SOFTWARE\\Policies\\CocCoc"),
    "brave": ("SOFTWARE\\Policies\\BraveSoftware\\Brave",),
    "chromium": ("SOFTWARE\\Policies\\Chromium",),
    "firefox": ("SOFTWARE\\Policies\\Mozilla\\Firefox",),
}
_LINUX_MANAGED_DIRS = {
    "chrome": ("etc/opt/chrome/policies/managed",),
    "edge": ("etc/opt/edge/policies/managed",),
    "coccoc": ("etc/opt/coccoc/policies/managed", "etc/coccoc/policies/managed"),
    "brave": ("etc/brave/policies/managed",),
    "chromium": ("etc/chromium/policies/managed", "etc/chromium-browser/policies/managed"),
}
_LINUX_FIREFOX_FILES = (
    "etc/firefox/policies/policies.json",
    "usr/lib/firefox/distribution/policies.json",
    "usr/lib64/firefox/distribution/policies.json",
    "usr/lib/firefox-esr/distribution/policies.json",
)
_CHROMIUM_SWITCHES = ("PasswordManagerEnabled",)
_FIREFOX_SWITCHES = ("PasswordManagerEnabled", "OfferToSaveLogins")


def password_manager_disabled(browser: Browser, host: Host) -> bool | None:
    switches = _FIREFOX_SWITCHES if browser.kind == FIREFOX else _CHROMIUM_SWITCHES
    if host.system == WINDOWS:
        from_registry = _registry_disables(browser, host, switches)
        if browser.kind != FIREFOX or from_registry:
            return from_registry
        program_files = host.env_path("ProgramFiles")
        if program_files is None:
            return from_registry
        files = [program_files / "Mozilla Firefox" / "distribution" / "policies.json"]
        return _combine(from_registry, _files_disable(files, switches, nested=True))
    if host.system == LINUX:
        if browser.kind == FIREFOX:
            files = [_under(host.policy_root, rel) for rel in _LINUX_FIREFOX_FILES]
            return _files_disable(files, switches, nested=True)
        return _files_disable(_managed_files(browser, host), switches, nested=False)
    return None


def _registry_disables(browser: Browser, host: Host, switches: tuple[str, ...]) -> bool | None:
    if host.registry is None:
        return None
    for hive in ("HKLM", "HKCU"):
        for key in _REGISTRY_KEYS.get(browser.id, ()):
            for switch in switches:
                try:
                    value = host.registry(hive, key, switch)
                except OSError:
                    return None
                if value is not None:
                    return value == 0
    return False


def _managed_files(browser: Browser, host: Host) -> list[Path]:
    files: list[Path] = []
    for rel in _LINUX_MANAGED_DIRS.get(browser.id, ()):
        folder = _under(host.policy_root, rel)
        try:
            files.extend(sorted(path for path in folder.glob("*.json") if path.is_file()))
        except OSError:
            continue
    return files


def _files_disable(files: list[Path], switches: tuple[str, ...], *, nested: bool) -> bool | None:
    """True if any file sets a switch to false; None if none does but one could not be read."""
    unsure = False
    for path in files:
        try:
            data: Any = json.loads(path.read_bytes())
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            unsure = True
            continue
        if nested:
            data = data.get("policies") if isinstance(data, dict) else None
        if isinstance(data, dict) and any(data.get(switch) is False for switch in switches):
            return True
    return None if unsure else False


def _combine(first: bool | None, second: bool | None) -> bool | None:
    if first or second:
        return True
    if first is None or second is None:
        return None
    return False


def _under(root: Path, relative: str) -> Path:
    return root.joinpath(*relative.split("/"))
