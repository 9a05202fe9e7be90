"""Counts in CLI tables are written per locale with Babel (1.200 / 1,200), like the console's;
ids stay as they are."""

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import HEADER, write_csv

MANY = 1200


def _sheet(tmp_path: Path) -> Path:
    rows = [
        [f"CB{i:05d}", "Nguyễn Văn An", "Phòng Nội vụ", f"an{i}@xa.example", "", "vi",
         "Email công vụ", "email", f"an{i}@xa.example", "15/01/2026", "có"]
        for i in range(MANY)
    ]  # fmt: skip
    return write_csv(tmp_path / "ds.csv", rows, HEADER)


@pytest.mark.parametrize(("env", "written"), [({}, "1.200"), ({"HYGIENE_LOCALE": "en"}, "1,200")])
def test_the_report_table_groups_its_counts(
    run_cli: Any, tmp_path: Path, env: dict[str, str], written: str
) -> None:
    assert run_cli("import", str(_sheet(tmp_path))).exit_code == 0

    shown = run_cli("report", "compliance", "--as-of", "02/03/2026", env=env)

    assert shown.exit_code == 0, shown.output
    assert written in shown.stdout
    assert "1200" not in shown.stdout
    label = "All units" if env else "Tổng cộng"  # the sum row, named (not "*")
    lines = shown.stdout.splitlines()
    [total] = [line.split() for line in lines if line.startswith((label, "*"))]
    assert " ".join(total[: len(label.split())]) == label
    assert total[-1] == "—"  # no advisory to acknowledge: no figure, as on the console
