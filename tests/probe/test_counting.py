"""Counting saved logins: real-format stores, the private copy, and every failure mode."""

import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest

from hygiene.probe import counting
from hygiene.probe.counting import Count, count_chromium_logins, count_firefox_logins
from tests.probe.builders import (
    OLD_LOGINS_TABLE,
    Login,
    sample_logins,
    write_login_data,
    write_logins_json,
)


def test_it_counts_the_logins_in_a_chrome_login_data_file(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", sample_logins(3))

    assert count_chromium_logins(path) == Count(3)


def test_it_skips_never_save_for_this_site_rows(tmp_path: Path) -> None:
    never = Login("https://blocked.example.vn/", "", "", never_save=True)
    path = write_login_data(tmp_path / "Login Data", [*sample_logins(2), never])

    assert count_chromium_logins(path).saved_logins == 2


def test_it_counts_every_row_when_the_schema_has_no_blacklisted_column(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", sample_logins(4), table=OLD_LOGINS_TABLE)

    assert count_chromium_logins(path).saved_logins == 4


def test_it_counts_an_empty_store_as_zero(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", [])

    assert count_chromium_logins(path) == Count(0)


def test_it_deletes_the_copy_after_counting(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", sample_logins(1))
    copies: list[Path] = []

    def recording_copy(src: Path, dst: Path) -> None:
        copies.append(dst)
        shutil.copyfile(src, dst)

    count_chromium_logins(path, copy=recording_copy)

    assert len(copies) == 1
    assert not copies[0].exists()
    assert not copies[0].parent.exists()


def test_it_deletes_the_copy_of_a_corrupt_database_too(tmp_path: Path) -> None:
    path = tmp_path / "Login Data"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    copies: list[Path] = []

    def recording_copy(src: Path, dst: Path) -> None:
        copies.append(dst)
        shutil.copyfile(src, dst)

    result = count_chromium_logins(path, copy=recording_copy)

    assert result.error == "corrupt"
    assert not copies[0].parent.exists()


def test_it_never_changes_the_browser_file(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", sample_logins(2))
    before = (path.read_bytes(), path.stat().st_mtime_ns)

    count_chromium_logins(path)

    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Login Data"]  # no journal, no -wal


def test_it_reports_locked_when_the_file_cannot_be_copied(tmp_path: Path) -> None:
    """Simulates Windows, where a running browser can open ``Login Data`` without read sharing
    and any copy fails with a sharing violation (PermissionError). Tests run as root on Linux,
    where chmod 000 does not stop reading, so the copy function is replaced by one raising the
    same error a Windows copy raises."""
    path = write_login_data(tmp_path / "Login Data", sample_logins(2))

    def sharing_violation(src: Path, dst: Path) -> None:
        raise PermissionError(13, "The process cannot access the file", str(src))

    result = count_chromium_logins(path, copy=sharing_violation)

    assert result.saved_logins is None
    assert result.error == "locked"
    assert result.reason == "could not copy the login database (PermissionError)"


def test_it_still_counts_while_another_connection_holds_an_exclusive_lock(tmp_path: Path) -> None:
    """What a running browser does on Linux: Chromium keeps its login database open with an
    EXCLUSIVE lock. A second SQLite connection here takes that lock (BEGIN EXCLUSIVE with an
    uncommitted insert). The probe copies the file's bytes without taking any lock, so it counts
    the committed rows, neither blocking nor failing, and the holder's transaction survives."""
    path = write_login_data(tmp_path / "Login Data", sample_logins(3))
    with closing(sqlite3.connect(path, isolation_level=None)) as browser:
        browser.execute("BEGIN EXCLUSIVE")
        browser.execute(
            "INSERT INTO logins (origin_url, signon_realm, date_created, blacklisted_by_user,"
            " scheme) VALUES ('https://pending.vn/', 'https://pending.vn/', 1, 0, 0)"
        )
        other = sqlite3.connect(path, timeout=0)
        with closing(other), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("SELECT COUNT(*) FROM logins").fetchone()  # the lock is real

        result = count_chromium_logins(path)

        browser.execute("COMMIT")
    assert result == Count(3)


def test_it_reports_corrupt_for_bytes_that_are_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "Login Data"
    path.write_bytes(b"this is not a database at all " * 40)

    result = count_chromium_logins(path)

    assert (result.saved_logins, result.error) == (None, "corrupt")


def test_it_reports_corrupt_for_a_truncated_database(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", sample_logins(50))
    path.write_bytes(path.read_bytes()[:5000])

    result = count_chromium_logins(path)

    assert (result.saved_logins, result.error) == (None, "corrupt")


def test_it_reports_corrupt_when_there_is_no_logins_table(tmp_path: Path) -> None:
    path = tmp_path / "Login Data"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE meta(key, value)")

    result = count_chromium_logins(path)

    assert result == Count(None, "corrupt", "no logins table in the login database")


def test_the_authorizer_refuses_to_read_a_username(tmp_path: Path) -> None:
    path = write_login_data(tmp_path / "Login Data", sample_logins(1))
    with closing(sqlite3.connect(path)) as db:
        db.set_authorizer(counting.count_only_authorizer)
        assert db.execute("SELECT COUNT(*) FROM logins").fetchone() == (1,)
        for column in ("username_value", "password_value", "origin_url", "signon_realm"):
            with pytest.raises(sqlite3.DatabaseError, match=r"prohibited|not authorized"):
                db.execute(f"SELECT {column} FROM logins")
        with pytest.raises(sqlite3.DatabaseError, match=r"prohibited|not authorized"):
            db.execute("SELECT COUNT(*) FROM logins WHERE username_value LIKE 'a%'")


def test_it_counts_firefox_logins_json_entries(tmp_path: Path) -> None:
    path = write_logins_json(tmp_path / "logins.json", sample_logins(5))

    assert count_firefox_logins(path) == Count(5)


def test_a_firefox_profile_without_logins_json_has_none(tmp_path: Path) -> None:
    assert count_firefox_logins(tmp_path / "logins.json") == Count(0)


def test_it_reports_unreadable_for_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "logins.json"
    path.write_text(
        '{"nextId": 2, "logins": [{"id": 1, "hostname": "https://a.vn"', encoding="utf-8"
    )

    assert count_firefox_logins(path) == Count(None, "unreadable", "logins.json is not valid JSON")


def test_it_reports_unreadable_for_json_without_a_logins_list(tmp_path: Path) -> None:
    path = tmp_path / "logins.json"
    path.write_text('{"nextId": 1, "logins": {"id": 1}}', encoding="utf-8")

    assert count_firefox_logins(path).error == "unreadable"


def test_it_reports_unreadable_for_bytes_that_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "logins.json"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")

    assert count_firefox_logins(path).error == "unreadable"


def test_it_counts_when_the_temp_folder_has_diacritics_spaces_and_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Vietnamese Windows account puts %TEMP% under C:\\Users\\Nguyễn Văn A\\…; the copy's
    sqlite URI must still point at the right file."""
    temp = tmp_path / "Nguyễn Văn A #1 ?x" / "Temp"
    temp.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = write_login_data(tmp_path / "Login Data", sample_logins(2))

    assert count_chromium_logins(path) == Count(2)
    assert list(temp.iterdir()) == []


def test_a_copy_held_for_a_moment_is_still_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows an antivirus scan can hold the fresh copy briefly: the delete is retried."""
    path = write_login_data(tmp_path / "Login Data", sample_logins(1))
    real_rmtree = shutil.rmtree
    attempts: list[Path] = []

    def held_once(target: Path, *args: object, **kwargs: object) -> None:
        attempts.append(Path(target))
        if len(attempts) == 1:
            raise PermissionError(32, "The process cannot access the file")
        real_rmtree(target)

    monkeypatch.setattr(counting, "_REMOVE_PAUSE", 0)
    monkeypatch.setattr(shutil, "rmtree", held_once)

    assert count_chromium_logins(path) == Count(1)
    assert len(attempts) == 2
    assert not attempts[0].exists()
