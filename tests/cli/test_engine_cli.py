"""`hygiene run …`, `outbox …`, `advisories …` and `serve`, end to end on the test database."""

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from hygiene.db import session_scope
from tests import factories as f
from tests.conftest import RunCli
from tests.helpers import snapshot

AT = "2026-03-02T08:00"  # local time, a Monday
DELIVER_AT = "2026-03-02T10:00"


def _district(engine: Engine) -> None:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
        for n in range(2):
            who = f.ident(f.official(session, unit, f"CB00{n}"))
            f.account(session, who, rotated=date(2025, 11, 1))


def test_it_plans_nothing_the_second_time(engine: Engine, run_cli: RunCli) -> None:
    _district(engine)
    run_cli("run", "plan", "--campaign", "rotation", "--at", AT)
    second = run_cli("run", "plan", "--campaign", "rotation", "--at", AT)
    assert second.exit_code == 0
    assert "0 tin nhắn" in second.output


def test_it_writes_nothing_on_a_dry_run(engine: Engine, run_cli: RunCli) -> None:
    _district(engine)
    before = snapshot(engine)
    result = run_cli("run", "plan", "--at", AT, "--dry-run")
    assert result.exit_code == 0
    assert "2 tin nhắn" in result.output
    assert snapshot(engine) == before


def test_it_delivers_to_files_until_a_channel_is_configured(
    engine: Engine, run_cli: RunCli, tmp_path: Path
) -> None:
    _district(engine)
    run_cli("run", "plan", "--campaign", "rotation", "--at", AT)
    result = run_cli("run", "deliver", "--at", DELIVER_AT)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "var" / "outbox").glob("*.eml"))) == 2


def test_it_lists_the_outbox_as_json(engine: Engine, run_cli: RunCli) -> None:
    _district(engine)
    run_cli("run", "plan", "--campaign", "rotation", "--at", AT)
    result = run_cli("outbox", "list", "--official", "CB001", "--format", "json")
    rows = json.loads(result.output)
    assert [(r["employee_id"], r["status"]) for r in rows] == [("CB001", "pending")]


def test_it_shows_a_sent_message_with_its_attempts(engine: Engine, run_cli: RunCli) -> None:
    _district(engine)
    run_cli("run", "plan", "--campaign", "rotation", "--at", AT)
    run_cli("run", "deliver", "--at", DELIVER_AT)
    detail = json.loads(run_cli("outbox", "show", "1", "--format", "json").output)
    assert detail["status"] == "sent"
    assert detail["attempt_list"][0]["outcome"] == "sent"


def test_it_refuses_to_retry_a_message_that_did_not_fail(engine: Engine, run_cli: RunCli) -> None:
    _district(engine)
    run_cli("run", "plan", "--campaign", "rotation", "--at", AT)
    result = run_cli("outbox", "retry", "1")
    assert result.exit_code == 1
    assert "pending" in result.output


def test_it_names_an_unknown_message(run_cli: RunCli) -> None:
    result = run_cli("outbox", "show", "99")
    assert result.exit_code == 1
    assert "99" in result.output


def test_it_refuses_an_invalid_instant(run_cli: RunCli) -> None:
    result = run_cli("run", "plan", "--at", "hôm qua")
    assert result.exit_code == 1
    assert "ISO" in result.output


def test_it_publishes_an_advisory_and_digests_it(
    engine: Engine, run_cli: RunCli, tmp_path: Path
) -> None:
    _district(engine)
    body = tmp_path / "body.txt"
    body.write_text("Kẻ gian cắt ghép ảnh để tống tiền: không chuyển tiền, báo công an.", "utf-8")
    added = run_cli(
        "advisories",
        "add",
        "--title",
        "Cảnh giác tống tiền",
        "--body-file",
        str(body),
        "--severity",
        "high",
        "--reference",
        "CV 123/UBND",
        "--requires-ack",
    )
    assert added.exit_code == 0, added.output
    digest = run_cli("run", "plan", "--campaign", "digest")
    assert "2 tin nhắn" in digest.output


def test_it_refuses_an_advisory_with_a_link(run_cli: RunCli, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Xem chi tiết tại https://example.vn", "utf-8")
    result = run_cli("advisories", "add", "--title", "T", "--body-file", str(body))
    assert result.exit_code == 1


def test_it_lists_advisories(run_cli: RunCli, tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Không lưu mật khẩu trên trình duyệt.", "utf-8")
    run_cli("advisories", "add", "--title", "Trình duyệt", "--body-file", str(body))
    rows = json.loads(run_cli("advisories", "list", "--format", "json").output)
    assert [r["title"] for r in rows] == ["Trình duyệt"]


def test_it_has_nothing_to_serve_without_web_and_scheduler(run_cli: RunCli) -> None:
    result = run_cli("serve", "--no-web", "--no-scheduler")
    assert result.exit_code == 0
    assert "Không có gì để chạy" in result.output
