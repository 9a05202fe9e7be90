"""Checkpoints leave the database (issue 13, item 3): `hygiene audit checkpoint` and the daily job
email the line to every active security officer through the outbox (vi and en), and the line from
the email is what `audit verify --checkpoints` reads. The monthly report prints it:
tests/web/console/test_checkpoint_on_report.py."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from hygiene import jobs
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.bootstrap import Deps, build_deps
from hygiene.channels.base import OutgoingMessage
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock, as_utc
from hygiene.outbox import rules
from hygiene.outbox.delivery import Deliverer
from hygiene.outbox.models import Message
from hygiene.restore import notice as restore
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser
from tests.conftest import NOW, SECRET

OFFICER, OTHER, ADMIN = "an-ninh@huyen.example", "bao.mat@huyen.example", "it@huyen.example"


def staff(session: Session) -> None:
    session.add_all(
        [
            ConsoleUser(email=OFFICER, roles="security", display_name="Trần Văn Bảo",
                        locale="vi", created_at=NOW),
            ConsoleUser(email=OTHER, roles="admin,security", display_name="Lê Thu",
                        locale="en", created_at=NOW),
            ConsoleUser(email=ADMIN, roles="admin", locale="vi", created_at=NOW),
            ConsoleUser(email="cu@huyen.example", roles="security", active=False,
                        created_at=NOW),
        ]
    )  # fmt: skip
    audit.append(session, key=audit.audit_key(SECRET.encode()), now=NOW, actor="test",
                 action="test.event", subject="x")  # fmt: skip
    session.commit()


def after_the_cli(session: Session, settings: Settings) -> FixedClock:
    """The CLI stamps messages with the real clock: deliver from a moment after that, inside the
    send window."""
    due = session.exec(select(func.max(Message.next_attempt_at))).one()
    session.rollback()
    assert due is not None
    at = as_utc(due) + timedelta(minutes=1)
    while not rules.in_window(at, settings.delivery, settings.zone):
        at += timedelta(minutes=30)
    return FixedClock(at)


def deliver(engine: Engine, settings: Settings, clock: FixedClock) -> dict[str, OutgoingMessage]:
    email = MemoryChannel("email")
    deps = build_deps(settings, clock=clock, engine=engine)
    deliverer = Deliverer(
        engine=engine, settings=settings, secret=SECRET.encode(),
        audit_key=audit.audit_key(SECRET.encode()), channels={"email": email}, clock=clock,
        worker="w1", renderer=deps.renderer, readers=deps.readers, hold_restored=restore.notice,
    )  # fmt: skip
    asyncio.run(deliverer.drain())
    return {m.to: m for m in email.sent}


def test_audit_checkpoint_emails_the_line_to_every_security_officer(
    session: Session,
    engine: Engine,
    settings: Settings,
    clock: FixedClock,
    run_cli: Callable[..., Any],
) -> None:
    staff(session)

    result = run_cli("audit", "checkpoint")
    line = result.output.strip().splitlines()[-1]
    sent = deliver(engine, settings, after_the_cli(session, settings))

    assert result.exit_code == 0, result.output
    assert "xếp thư gửi 2 cán bộ an ninh" in result.output
    assert sorted(sent) == sorted([OFFICER, OTHER])  # not the admin, not the deactivated officer
    vi, en = sent[OFFICER], sent[OTHER]
    assert vi.subject.startswith("Điểm kiểm tra nhật ký tuân thủ #1 ngày ")
    assert "Kính gửi đồng chí Trần Văn Bảo" in vi.text
    assert line in vi.text
    assert line in (vi.html or "")
    taken = checkpoints.from_line(line)
    assert taken is not None
    local = taken.at.astimezone(settings.zone).strftime("%d/%m/%Y %H:%M")
    assert f"lúc {local}" in vi.text  # local time (Hà Nội), dd/mm/yyyy
    assert "Mã xác nhận" not in vi.text
    assert en.subject.startswith("Compliance log checkpoint #1 of ")
    assert line in en.text
    assert "audit verify --checkpoints" in en.text


def test_the_emailed_text_is_what_verify_reads(
    session: Session,
    engine: Engine,
    settings: Settings,
    clock: FixedClock,
    run_cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    staff(session)
    run_cli("audit", "checkpoint")
    kept = tmp_path / "thu-da-luu.txt"
    sent = deliver(engine, settings, after_the_cli(session, settings))
    kept.write_text(sent[OFFICER].text, "utf-8")

    result = run_cli("audit", "verify", "--checkpoints", str(kept))

    assert result.exit_code == 0, result.output
    assert "cả 1 điểm kiểm tra" in result.output


def test_the_daily_job_queues_the_checkpoint_and_remembers_it(session: Session, deps: Deps) -> None:
    staff(session)

    issued = jobs.checkpoint_job(deps)
    queued = session.exec(
        select(Message).where(col(Message.campaign) == checkpoints.CAMPAIGN)
    ).all()
    job = jobs.build_scheduler(deps, {}).get_job(jobs.CHECKPOINT_JOB)

    assert issued.recipients == 2
    assert {m.payload for m in queued} == {issued.checkpoint.line()}
    assert len(queued) == 2
    kept = checkpoints.last_sent(deps.settings.checkpoint_path)
    assert kept == checkpoints.Claim(issued.checkpoint.seq, issued.checkpoint.head_hash)
    assert isinstance(job.trigger, CronTrigger)
    assert "hour='7'" in str(job.trigger)
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
