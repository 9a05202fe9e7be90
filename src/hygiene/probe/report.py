"""Build the report: a JSON-able dict, and nothing in it that came from inside a login store.

Shape (schema_version 1)::

    {
      "schema_version": 1,
      "probe_version": "0.1.0",
      "hostname": "PC-VANTHU-01",
      "os": "Windows 10",
      "generated_at": "2026-03-02T03:00:00Z",
      "profiles": [
        {"browser": "chrome", "profile": "Default", "saved_logins": 3, "error": null,
         "reason": null, "policy_disables_password_manager": false}
      ]
    }

``browser`` is a stable id (chrome, edge, coccoc, brave, chromium, firefox); ``profile`` is the
profile folder name, never a path; ``error`` is null or locked / corrupt / unreadable, with a fixed
English ``reason`` written by the probe.
"""

from __future__ import annotations

import platform
import shutil
import socket
from datetime import datetime, timezone
from typing import TypedDict

from hygiene.probe import PROBE_VERSION, SCHEMA_VERSION
from hygiene.probe.counting import (
    CopyFile,
    Count,
    add,
    count_chromium_logins,
    count_firefox_logins,
)
from hygiene.probe.discovery import (
    CHROMIUM_LOGIN_FILES,
    FIREFOX,
    FIREFOX_LOGIN_FILE,
    Profile,
    discover,
)
from hygiene.probe.host import Host
from hygiene.probe.policy import password_manager_disabled


class ProfileEntry(TypedDict):
    browser: str
    profile: str
    saved_logins: int | None
    error: str | None
    reason: str | None
    policy_disables_password_manager: bool | None


class Report(TypedDict):
    schema_version: int
    probe_version: str
    hostname: str
    os: str
    generated_at: str
    profiles: list[ProfileEntry]


def build_report(
    *,
    host: Host,
    now: datetime,
    hostname: str | None = None,
    os_name: str | None = None,
    copy: CopyFile = shutil.copyfile,
) -> Report:
    """Probe every profile on ``host``; ``now`` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    policies: dict[str, bool | None] = {}
    entries: list[ProfileEntry] = []
    for profile in discover(host):
        browser = profile.browser
        if browser.id not in policies:
            policies[browser.id] = password_manager_disabled(browser, host)
        count = count_profile(profile, copy=copy)
        entries.append(
            {
                "browser": browser.id,
                "profile": profile.name,
                "saved_logins": count.saved_logins,
                "error": count.error,
                "reason": count.reason,
                "policy_disables_password_manager": policies[browser.id],
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "probe_version": PROBE_VERSION,
        "hostname": hostname if hostname is not None else socket.gethostname(),
        "os": os_name if os_name is not None else _os_name(),
        "generated_at": _utc_iso(now),
        "profiles": entries,
    }


def count_profile(profile: Profile, *, copy: CopyFile = shutil.copyfile) -> Count:
    if profile.browser.kind == FIREFOX:
        return count_firefox_logins(profile.path / FIREFOX_LOGIN_FILE)
    stores = [profile.path / name for name in CHROMIUM_LOGIN_FILES]
    return add(count_chromium_logins(path, copy=copy) for path in stores if path.is_file())


def _os_name() -> str:
    return f"{platform.system()} {platform.release()}".strip()


def _utc_iso(now: datetime) -> str:
    return now.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
