"""Bounded input: a streaming import that still changes nothing on a bad last row, error lists
that stop at 200 entries plus a total, and zip bombs refused before they are inflated."""

import csv
import resource
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.errors import ImportRejected, InvalidInput
from hygiene.inventory import validate
from tests.helpers import snapshot
from tests.inventory.test_import_sheets import run

HEADER = ["employee_id", "full_name", "unit", "email", "system", "kind"]


def many_rows(path: Path, count: int, last: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(count):
            writer.writerow(
                [
                    f"CB{n:06d}",
                    f"Cán bộ {n}",
                    f"Đơn vị {n % 7}",
                    f"cb{n}@xa.example",
                    "Zalo",
                    "messaging",
                ]
            )
        if last:
            writer.writerow(last)
    return path


def test_a_bad_last_row_after_many_chunks_changes_nothing(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes
) -> None:
    count = validate.CHUNK_ROWS * 3
    bad = ["CB999999", "Cuối cùng", "Đơn vị 1", "not-an-email", "Zalo", "messaging"]
    path = many_rows(tmp_path / "a.csv", count, last=bad)
    before = snapshot(engine)

    with pytest.raises(ImportRejected) as caught:
        run(session, path, audit_key)
    session.commit()  # whatever the importer left pending: nothing

    [problem] = caught.value.problems
    assert (problem.line, problem.field, problem.value) == (count + 2, "email", "not-an-email")
    assert snapshot(engine) == before


def test_error_lists_stop_at_200_entries_plus_the_total(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows([f"CB{n}", f"A {n}", "U", "bad@", "Zalo", ""] for n in range(5000))

    with pytest.raises(ImportRejected) as caught:
        run(session, path, audit_key)

    assert len(caught.value.problems) == 200
    assert caught.value.total == 5000
    assert "5.000" in caught.value.render("vi")  # counts grouped per locale (i18n.t)


def zip_bomb(path: Path, inflated: int) -> Path:
    """A workbook whose sheet part inflates to `inflated` bytes of spaces."""
    block = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // len(block)):
                member.write(block)
    return path


def test_a_300_mb_zip_bomb_is_refused_before_it_is_inflated(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", 300 * (1 << 20))
    assert path.stat().st_size < 400_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with pytest.raises(InvalidInput) as caught:
        run(session, path, audit_key)

    assert caught.value.code == "importer.xlsx_too_big"
    assert "bom nén" in caught.value.render("vi")
    assert "zip bomb" in caught.value.render("en")
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kb < 50_000


def test_a_part_compressed_past_the_ratio_limit_is_refused(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = zip_bomb(tmp_path / "dense.xlsx", 20 * (1 << 20))

    with pytest.raises(InvalidInput) as caught:
        run(session, path, audit_key)

    assert caught.value.code == "importer.xlsx_ratio"
