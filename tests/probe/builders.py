"""Real-format browser login stores in temporary profile trees.

Chrome's ``Login Data`` uses the ``logins`` table of Chromium's login database (schema as of
version 40: columns from ``origin_url`` to ``date_last_filled``, the UNIQUE constraint and the
``meta`` table); Firefox's ``logins.json`` has the shape Firefox writes (``nextId``, ``logins``
with ``encryptedUsername`` / ``encryptedPassword`` …, ``version``).
"""

import json
import sqlite3
import uuid
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygiene.probe.host import LINUX, WINDOWS, Host

CHROME_LOGINS_TABLE = """
CREATE TABLE logins (
    origin_url VARCHAR NOT NULL,
    action_url VARCHAR,
    username_element VARCHAR,
    username_value VARCHAR,
    password_element VARCHAR,
    password_value BLOB,
    submit_element VARCHAR,
    signon_realm VARCHAR NOT NULL,
    date_created INTEGER NOT NULL,
    blacklisted_by_user INTEGER NOT NULL,
    scheme INTEGER NOT NULL,
    password_type INTEGER,
    times_used INTEGER,
    form_data BLOB,
    display_name VARCHAR,
    icon_url VARCHAR,
    federation_url VARCHAR,
    skip_zero_click INTEGER,
    generation_upload_status INTEGER,
    possible_username_pairs BLOB,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date_last_used INTEGER NOT NULL DEFAULT 0,
    moving_blocked_for BLOB,
    date_password_modified INTEGER NOT NULL DEFAULT 0,
    sender_email VARCHAR,
    sender_name VARCHAR,
    date_received INTEGER,
    sharing_notification_displayed INTEGER NOT NULL DEFAULT 0,
    keychain_identifier BLOB,
    sender_profile_image_url VARCHAR,
    date_last_filled INTEGER NOT NULL DEFAULT 0,
    UNIQUE (origin_url, username_element, username_value, password_element, signon_realm)
)
"""
# An older layout (before blacklisted_by_user existed in this form) to exercise the fallback.
OLD_LOGINS_TABLE = """
CREATE TABLE logins (
    origin_url VARCHAR NOT NULL,
    username_value VARCHAR,
    password_value BLOB,
    signon_realm VARCHAR NOT NULL
)
"""

# Windows/Linux paths of Chromium-family "User Data" folders, relative to LOCALAPPDATA / home.
CHROMIUM_WINDOWS = {
    "chrome": "Google/Chrome/User Data",
    "edge": "Microsoft/Edge/User Data",
    "coccoc": "CocCoc/Browser/User Data",
    "brave": "BraveSoftware/Brave-Browser/User Data",
    "chromium": "Chromium/User Data",
}
CHROMIUM_LINUX = {
    "chrome": ".config/google-chrome",
    "edge": ".config/microsoft-edge",
    "coccoc": ".config/coccoc-browser",
    "brave": ".config/BraveSoftware/Brave-Browser",
    "chromium": ".config/chromium",
}


@dataclass(frozen=True)
class Login:
    origin: str
    username: str
    password: str
    never_save: bool = False  # Chrome's "Never for this site": blacklisted_by_user = 1


def sample_logins(count: int, *, tag: str = "site") -> list[Login]:
    return [
        Login(f"https://{tag}{i}.example.gov.vn/login", f"user{i}@{tag}", f"pw-{tag}-{i}")
        for i in range(count)
    ]


def write_login_data(
    path: Path, logins: Sequence[Login], *, table: str = CHROME_LOGINS_TABLE
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR)"
        )
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("version", "40"), ("last_compatible_version", "40")]
        )
        db.execute(table)
        full = "blacklisted_by_user" in table
        for i, login in enumerate(logins):
            if full:
                db.execute(
                    "INSERT INTO logins (origin_url, action_url, username_element, username_value,"
                    " password_element, password_value, submit_element, signon_realm, date_created,"
                    " blacklisted_by_user, scheme, password_type, times_used, form_data)"
                    " VALUES (?, ?, 'username', ?, 'password', ?, '', ?, ?, ?, 0, 0, 1, X'')",
                    (
                        login.origin,
                        login.origin + "/submit",
                        "" if login.never_save else login.username,
                        b"" if login.never_save else b"v10" + login.password.encode(),
                        login.origin.rsplit("/", 1)[0] + "/",
                        13_300_000_000_000_000 + i,
                        1 if login.never_save else 0,
                    ),
                )
            else:
                db.execute(
                    "INSERT INTO logins VALUES (?, ?, ?, ?)",
                    (login.origin, login.username, login.password.encode(), login.origin),
                )
    return path


def write_logins_json(path: Path, logins: Sequence[Login]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [
        {
            "id": i + 1,
            "hostname": login.origin.rsplit("/", 1)[0],
            "httpRealm": None,
            "formSubmitURL": login.origin,
            "usernameField": "username",
            "passwordField": "password",
            # Firefox stores these encrypted; plaintext canaries here make any leak visible.
            "encryptedUsername": "MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA" + login.username,
            "encryptedPassword": "MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA" + login.password,
            "guid": "{" + str(uuid.UUID(int=i + 1)) + "}",
            "encType": 1,
            "timeCreated": 1_700_000_000_000 + i,
            "timeLastUsed": 1_700_000_000_000 + i,
            "timePasswordChanged": 1_700_000_000_000 + i,
            "timesUsed": 1,
            "syncCounter": 0,
            "everSynced": False,
            "encryptedUnknownFields": None,
        }
        for i, login in enumerate(logins)
    ]
    document = {
        "nextId": len(entries) + 1,
        "logins": entries,
        "potentiallyVulnerablePasswords": [],
        "dismissedBreachAlertsByLoginGUID": {},
        "version": 3,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class Tree:
    """A user's home (Linux) or AppData (Windows) in a temporary folder, and the Host to match."""

    def __init__(self, base: Path, system: str = LINUX) -> None:
        self.base = base
        self.system = system
        self.home = base / "home" / "canbo"
        self.local_appdata = self.home / "AppData" / "Local"
        self.roaming_appdata = self.home / "AppData" / "Roaming"
        self.policy_root = base / "policy-root"
        self.home.mkdir(parents=True, exist_ok=True)
        self.policy_root.mkdir(parents=True, exist_ok=True)

    def host(self, **changes: Any) -> Host:
        env = {}
        if self.system == WINDOWS:
            env = {"LOCALAPPDATA": str(self.local_appdata), "APPDATA": str(self.roaming_appdata)}
        fields: dict[str, Any] = {
            "system": self.system,
            "home": self.home,
            "env": env,
            "policy_root": self.policy_root,
            "registry": None,
        }
        fields.update(changes)
        return Host(**fields)

    def chromium_profile(self, browser: str, profile: str = "Default") -> Path:
        if self.system == WINDOWS:
            root = self.local_appdata.joinpath(*CHROMIUM_WINDOWS[browser].split("/"))
        else:
            root = self.home.joinpath(*CHROMIUM_LINUX[browser].split("/"))
        folder = root / profile
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Preferences").write_text("{}", encoding="utf-8")
        return folder

    def chrome_logins(
        self, browser: str, profile: str, logins: Sequence[Login], **kwargs: str
    ) -> Path:
        return write_login_data(
            self.chromium_profile(browser, profile) / "Login Data", logins, **kwargs
        )

    def firefox_profile(self, name: str = "a1b2c3d4.default-release") -> Path:
        if self.system == WINDOWS:
            folder = self.roaming_appdata / "Mozilla" / "Firefox" / "Profiles" / name
        else:
            folder = self.home / ".mozilla" / "firefox" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "prefs.js").write_text("// Mozilla User Preferences\n", encoding="utf-8")
        return folder

    def firefox_logins(self, name: str, logins: Sequence[Login]) -> Path:
        return write_logins_json(self.firefox_profile(name) / "logins.json", logins)
