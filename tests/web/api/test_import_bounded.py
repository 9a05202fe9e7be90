"""Bounded input on the real server: a 300 KB workbook that would inflate to 300 MB, and a CSV
of 300,000 bad rows, each get a clear answer in Vietnamese and English while the `hygiene serve`
process stays under 300 MB of peak RSS (VmHWM, read from /proc)."""

import csv
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.reports import compliance, tally
from hygiene.settings import Settings
from hygiene.users import service as users
from tests.conftest import SECRET
from tests.helpers import snapshot
from tests.inventory.test_import_limits import zip_bomb
from tests.serve_helpers import serve_env, serving
from tests.web.staff import ADMIN_EMAIL, make_user

LIMIT_KB = 300 * 1024


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def upload(base: str, auth: dict[str, str], path: Path, locale: str) -> httpx.Response:
    headers = {**auth, "Accept-Language": locale}
    with path.open("rb") as handle:
        return httpx.post(
            f"{base}/api/v1/import",
            files={"file": (path.name, handle)},
            headers=headers,
            timeout=600,
        )


def bad_rows(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_id", "full_name", "unit", "email", "system"])
        writer.writerows(
            [f"CB{n}", f"Cán bộ {n}", "Phòng Nội vụ", "bad@", "Zalo"] for n in range(count)
        )
    return path


def test_a_zip_bomb_and_300000_bad_rows_are_answered_within_300_mb(
    tmp_path: Path, db_url: str, session: Session, engine: Engine
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    token = users.issue_token(  # valid now: the server runs on the real clock
        session,
        email=ADMIN_EMAIL,
        name="t",
        secret=SECRET.encode(),
        now=datetime.now(UTC),
        actor="t",
    )
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    bomb = zip_bomb(tmp_path / "bomb.xlsx", 300 * (1 << 20))
    bad = bad_rows(tmp_path / "bad.csv", 300_000)
    served_settings = Settings(secret_key=SECRET, database_url=db_url)
    at = compliance.clock_at(served_settings, datetime.now(UTC))
    tally.sync(session, policies=served_settings.policies, at=at)  # what the server's start does
    session.commit()
    before = snapshot(engine)

    with serving(tmp_path, serve_env(db_url, tmp_path), "--no-scheduler") as served:
        base = served.base
        bomb_vi, bomb_en = upload(base, auth, bomb, "vi"), upload(base, auth, bomb, "en")
        rows_vi, rows_en = upload(base, auth, bad, "vi"), upload(base, auth, bad, "en")
        peak_kb = peak_rss_kb(served.pid)

    assert bomb.stat().st_size < 400_000
    assert (bomb_vi.status_code, bomb_en.status_code) == (400, 400)
    assert "bom nén" in bomb_vi.json()["message"]
    assert "zip bomb" in bomb_en.json()["message"]
    assert (rows_vi.status_code, rows_en.status_code) == (422, 422)
    body = rows_vi.json()
    assert (len(body["problems"]), body["total"]) == (200, 300_000)
    assert "300.000 lỗi" in body["message"]
    assert "200" in body["note"]
    assert "300,000 error(s)" in rows_en.json()["message"]
    assert len(rows_vi.content) < 200_000
    assert peak_kb < LIMIT_KB, f"server peak RSS {peak_kb // 1024} MB"
    assert snapshot(engine) == before
