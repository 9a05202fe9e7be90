"""Count saved logins without reading them.

Chromium family: the browser keeps ``Login Data`` open (and on Windows may refuse to share it), so
the file is copied into a fresh private temporary folder, the copy is opened read-only
(``file:…?mode=ro``) and the only statements run are ``PRAGMA table_info(logins)`` (column names,
to know whether ``blacklisted_by_user`` exists) and ``SELECT COUNT(*) FROM logins [WHERE
blacklisted_by_user = 0]``. A SQLite authorizer denies every other read, so no username, password
or URL value can be selected even by mistake. The copy is deleted before returning.

Firefox: ``logins.json`` is parsed and ``len(data["logins"])`` kept; the parsed data is dropped at
once (the usernames and passwords in it are encrypted by Firefox anyway; the site names are not).

Failures are results, not exceptions: ``locked`` (the file could not be copied or opened),
``corrupt`` (not a usable login database), ``unreadable`` (malformed or unexpected JSON). Reasons
are fixed texts from this module, never an exception message, which could hold a path or bytes.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

LOCKED = "locked"
CORRUPT = "corrupt"
UNREADABLE = "unreadable"

CopyFile = Callable[[Path, Path], Any]

_COUNT_SAVED = "SELECT COUNT(*) FROM logins WHERE blacklisted_by_user = 0"
_COUNT_ALL = "SELECT COUNT(*) FROM logins"
_REMOVE_ATTEMPTS = 5
_REMOVE_PAUSE = 0.2  # seconds


@dataclass(frozen=True)
class Count:
    saved_logins: int | None
    error: str | None = None
    reason: str | None = None

    @classmethod
    def failed(cls, error: str, reason: str) -> Count:
        return cls(None, error, reason)


def add(counts: Iterable[Count]) -> Count:
    """Sum per-file counts of one profile; the first failure wins (a partial sum would mislead)."""
    total = 0
    for count in counts:
        if count.saved_logins is None:
            return count
        total += count.saved_logins
    return Count(total)


def count_chromium_logins(path: Path, *, copy: CopyFile = shutil.copyfile) -> Count:
    """Saved logins in one Chromium ``Login Data`` file, counted on a private copy."""
    workdir = Path(tempfile.mkdtemp(prefix="hygiene-probe-"))  # mode 0700: the copy is private
    try:
        snapshot = workdir / "logins.sqlite"
        try:
            copy(path, snapshot)
        except FileNotFoundError:
            return Count.failed(UNREADABLE, "the login database disappeared while probing")
        except OSError as exc:
            return Count.failed(LOCKED, f"could not copy the login database ({type(exc).__name__})")
        return _count_snapshot(snapshot)
    finally:
        _remove(workdir)


def _remove(workdir: Path) -> None:
    """Delete the private copy. On Windows an antivirus scan may hold a fresh file for a moment,
    so a failed delete is retried briefly rather than leaving a copy of the store behind."""
    for _attempt in range(_REMOVE_ATTEMPTS - 1):
        try:
            shutil.rmtree(workdir)
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(_REMOVE_PAUSE)
        else:
            return
    shutil.rmtree(workdir, ignore_errors=True)


def _count_snapshot(snapshot: Path) -> Count:
    uri = snapshot.resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return Count.failed(LOCKED, "could not open the copied login database")
    try:
        connection.set_authorizer(count_only_authorizer)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(logins)")}
        if not columns:
            return Count.failed(CORRUPT, "no logins table in the login database")
        query = _COUNT_SAVED if "blacklisted_by_user" in columns else _COUNT_ALL
        row = connection.execute(query).fetchone()
    except sqlite3.DatabaseError:
        return Count.failed(CORRUPT, "the login database is damaged or not SQLite")
    finally:
        connection.close()
    return Count(int(row[0]))


def count_only_authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: Any
) -> int:
    """Allow exactly what counting needs; deny reading any column value of any table."""
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and arg2 == "count":
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 == "table_info" and arg2 == "logins":
        return sqlite3.SQLITE_OK
    # COUNT(*) reports a read of no column (""); the filter reads blacklisted_by_user, a 0/1 flag.
    if action == sqlite3.SQLITE_READ and arg1 == "logins" and arg2 in ("", "blacklisted_by_user"):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def count_firefox_logins(path: Path) -> Count:
    """Entries in a Firefox ``logins.json``; a profile without the file has none."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Count(0)
    except OSError as exc:
        return Count.failed(LOCKED, f"could not read logins.json ({type(exc).__name__})")
    try:
        data = json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both derive from it
        return Count.failed(UNREADABLE, "logins.json is not valid JSON")
    finally:
        del raw
    logins = data.get("logins") if isinstance(data, dict) else None
    del data
    if not isinstance(logins, list):
        return Count.failed(UNREADABLE, "logins.json has no list of logins")
    return Count(len(logins))
