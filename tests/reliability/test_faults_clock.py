"""Clock skew: one of two instances runs 300 s ahead of (or behind) the other and the database,
with faketime on that process only. Leases follow the database's clock (outbox.service), so the
skewed instance never takes back rows the other is still sending, and the other never takes its
rows: 0 duplicates. Before leases moved to the database's clock, the instance ahead saw every
lease of the other as expired and 58 of 3,000 messages were accepted twice.

Messages are planned 10 minutes in the past, so both instances see them as due whatever their
clock, and each instance really takes a share. CI scale 600 messages, full scale 3,000.
"""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hygiene.audit import service as audit
from hygiene.campaigns import service as campaigns
from hygiene.db import session_scope
from hygiene.settings import Settings
from tests.conftest import SECRET
from tests.reliability.faults.harness import (
    Fleet,
    assert_all_delivered,
    record_tally,
    scaled,
    seed,
    sent_by_worker,
    service_env,
    sink,
    tail,
    tally,
    wait_settled,
    wait_until,
)

SKEW = 300
SKEWED = "giây so với cơ sở dữ liệu"  # the skewed instance's warning (delivery.clock.skewed)
# Debian's faketime package. Preloaded into that one process, not through the `faketime`
# wrapper: the wrapper forks, so stopping it would leave the service running.
LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def plan_in_the_past(engine: Engine, settings: Settings, count: int) -> int:
    with session_scope(engine) as session:
        planned = campaigns.plan(
            session=session,
            settings=settings,
            now=datetime.now(UTC) - timedelta(minutes=10),
            campaign="rotation",
            audit_key=audit.audit_key(SECRET.encode()),
            actor="reliability",
        ).planned
    assert planned == count
    return planned


def both_ticking(group: Fleet) -> None:
    """Until both instances run their delivery ticks: the campaign is planned only then. Planned
    before, it went to whichever instance started first; on a loaded machine that one could
    send all of it before the other had started, leaving nothing to prove."""
    group.wait_started()
    wait_until(lambda: SKEWED in group.log(1), timeout=120, what="the skewed instance's tick")


@pytest.mark.postgres
@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="needs Debian's faketime package (.ci/run)")
@pytest.mark.parametrize("offset", [SKEW, -SKEW], ids=["ahead", "behind"])
def test_an_instance_300_s_off_the_clock_sends_nothing_twice(
    engine: Engine, settings: Settings, tmp_path: Path, offset: int
) -> None:
    count = scaled(600, 3000)
    seed(engine, count)
    started = time.monotonic()
    with sink(tmp_path, delay=0.002) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        group = Fleet(env, tmp_path)
        try:
            group.start(1)
            group.env = {**env, "LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": f"{offset:+d}"}
            group.start(1)
            both_ticking(group)
            planned = plan_in_the_past(engine, settings, count)
            wait_settled(engine, group, timeout=scaled(300, 900))
        finally:
            group.stop()
    logs = group.logs()
    result = tally(engine, server)
    shares = sent_by_worker(engine)
    assert_all_delivered(result, planned, why=f"skew {offset:+d} s")
    assert result.duplicated == 0
    assert len(shares) == 2, f"both instances must send a share to prove anything: {shares}"
    assert "Traceback" not in logs, tail(logs)
    assert SKEWED in logs, "the skewed instance must warn about its clock"
    record_tally(
        f"clock-skew-{'ahead' if offset > 0 else 'behind'}",
        engine,
        result,
        scale=f"one of 2 instances {offset:+d} s (faketime)",
        seconds=time.monotonic() - started,
        notes="shares " + " / ".join(str(n) for n in sorted(shares.values(), reverse=True)),
    )
