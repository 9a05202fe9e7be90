import json
from pathlib import Path
from typing import Any

from tests.helpers import write_csv


def test_devices_add_prints_a_token_once(run_cli: Any, tmp_path: Path) -> None:
    run_cli("import", str(write_csv(tmp_path / "a.csv")))

    added = run_cli("devices", "add", "--official", "CB001", "--name", "PC-VANTHU")
    unknown = run_cli("devices", "add", "--official", "NOBODY")
    events = [
        json.loads(line)
        for line in run_cli("audit", "export", "--format", "jsonl").stdout.splitlines()
    ]

    assert added.exit_code == 0
    assert added.stdout.strip().startswith("hygdev_")
    assert "hygiene-probe --send" in added.stderr
    assert unknown.exit_code == 1
    assert events[-1]["action"] == "device.added"
    assert added.stdout.strip() not in json.dumps(events)
