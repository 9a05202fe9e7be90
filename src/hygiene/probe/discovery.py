"""Find the current user's browser profiles: Chromium family (Chrome, Edge, Cốc Cốc, Brave,
Chromium) and Firefox, on Windows, Linux and macOS.

Only folder names and file existence are looked at here; no file is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hygiene.probe.host import LINUX, MACOS, WINDOWS, Host

CHROMIUM = "chromium-family"
FIREFOX = "firefox"

# Where a Chromium profile keeps saved logins. "Login Data For Account" holds the passwords Chrome
# saves to the signed-in Google account (recent versions); both count as saved in the browser.
CHROMIUM_LOGIN_FILES = ("Login Data", "Login Data For Account")
FIREFOX_LOGIN_FILE = "logins.json"

# Folders Chromium creates for its own use, not for a person.
_CHROMIUM_NON_PROFILES = {"System Profile", "Guest Profile"}
_FIREFOX_PROFILE_MARKERS = ("prefs.js", "times.json", FIREFOX_LOGIN_FILE, "key4.db")


@dataclass(frozen=True)
class Browser:
    id: str
    name: str
    kind: str
    windows: tuple[str, ...]  # relative to %LOCALAPPDATA% (Chromium) or %APPDATA% (Firefox)
    linux: tuple[str, ...]  # relative to the home folder; ".config/" follows XDG_CONFIG_HOME
    macos: tuple[str, ...]  # relative to ~/Library/Application Support


BROWSERS = (
    Browser(
        "chrome",
        "Chrome",
        CHROMIUM,
        windows=("Google/Chrome/User Data",),
        linux=(".config/google-chrome",),
        macos=("Google/Chrome",),
    ),
    Browser(
        "edge",
        "Edge",
        CHROMIUM,
        windows=("Microsoft/Edge/User Data",),
        linux=(".config/microsoft-edge",),
        macos=("Microsoft Edge",),
    ),
    Browser(
        "coccoc",
        "Cốc Cốc",
        CHROMIUM,
        windows=("CocCoc/Browser/User Data",),
        linux=(".config/coccoc-browser", ".config/coccoc"),
        macos=("Coc Coc/Browser",),
    ),
    Browser(
        "brave",
        "Brave",
        CHROMIUM,
        windows=("BraveSoftware/Brave-Browser/User Data",),
        linux=(".config/BraveSoftware/Brave-Browser",),
        macos=("BraveSoftware/Brave-Browser",),
    ),
    Browser(
        "chromium",
        "Chromium",
        CHROMIUM,
        windows=("Chromium/User Data",),
        linux=(".config/chromium", "snap/chromium/common/chromium"),
        macos=("Chromium",),
    ),
    Browser(
        "firefox",
        "Firefox",
        FIREFOX,
        windows=("Mozilla/Firefox/Profiles",),
        linux=(
            ".mozilla/firefox",
            "snap/firefox/common/.mozilla/firefox",
            ".var/app/org.mozilla.firefox/.mozilla/firefox",
        ),
        macos=("Firefox/Profiles",),
    ),
)
BROWSERS_BY_ID = {browser.id: browser for browser in BROWSERS}


@dataclass(frozen=True)
class Profile:
    browser: Browser
    name: str  # the folder name only; this is what a report may show
    path: Path  # never leaves the probe


def discover(host: Host) -> list[Profile]:
    """Every profile of every known browser, in a stable order (browser, then folder name)."""
    profiles: list[Profile] = []
    for browser in BROWSERS:
        seen: set[str] = set()
        for root in browser_roots(browser, host):
            for folder in _subfolders(root):
                if folder.name not in seen and _is_profile(browser, folder):
                    seen.add(folder.name)
                    profiles.append(Profile(browser, folder.name, folder))
    return profiles


def browser_roots(browser: Browser, host: Host) -> list[Path]:
    """The folders that may hold this browser's profiles on this host (existing or not)."""
    if host.system == WINDOWS:
        base = host.env_path("APPDATA" if browser.kind == FIREFOX else "LOCALAPPDATA")
        return [base.joinpath(*rel.split("/")) for rel in browser.windows] if base else []
    if host.system == MACOS:
        support = host.home / "Library" / "Application Support"
        return [support.joinpath(*rel.split("/")) for rel in browser.macos]
    if host.system == LINUX:
        return [_linux_path(host, rel) for rel in browser.linux]
    return []


def _linux_path(host: Host, relative: str) -> Path:
    config_home: Path | None = host.env_path("XDG_CONFIG_HOME")
    if config_home is not None and relative.startswith(".config/"):
        return config_home.joinpath(*relative.split("/")[1:])
    return host.home.joinpath(*relative.split("/"))


def _subfolders(root: Path) -> list[Path]:
    try:
        return sorted(entry for entry in root.iterdir() if entry.is_dir())
    except OSError:  # absent root (browser not installed) or not listable
        return []


def _is_profile(browser: Browser, folder: Path) -> bool:
    if browser.kind == FIREFOX:
        return any((folder / marker).is_file() for marker in _FIREFOX_PROFILE_MARKERS)
    has_logins = any((folder / name).is_file() for name in CHROMIUM_LOGIN_FILES)
    if has_logins:
        return True
    return folder.name not in _CHROMIUM_NON_PROFILES and (folder / "Preferences").is_file()
