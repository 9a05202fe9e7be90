"""A restore mid-delivery resends nothing until a person decides.

`hygiene backup` runs while the service sends a campaign; the service sends more, then dies
(SIGKILL); the backup is restored as the admin guide says (SQLite: the file copied back, `db
upgrade`, `audit verify`; PostgreSQL: `pg_restore` into an empty database) and the service is
started on it. The backup holds as pending or sending every message that was waiting when it was
taken, among them the ones delivered after it: before markers, the service sent all of those
again. Now it holds them (`hygiene outbox held`) and the SMTP server receives nothing while they
are held. The administrator then does what the guide recommends: cancels, by id, the held
messages whose Message-ID the mail server's log shows as accepted, and releases the rest
(`--all`). Each of those is delivered exactly once, so every official got the reminder once;
each decision is an audit event and the chain verifies.

CI scale: 400 messages, 5 s held; full scale: 3,000 messages, 30 s held.
"""

import re
import shutil
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from hygiene import db, i18n
from hygiene.audit.models import AuditEvent
from hygiene.restore.models import BackupMarker
from hygiene.settings import Settings
from tests.reliability.faults.harness import (
    HYGIENE,
    Fleet,
    Result,
    backend,
    district,
    pg_execute,
    record,
    scaled,
    sent_count,
    service_env,
    sink,
    statuses,
    tail,
    wait_until,
)


def hygiene(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(HYGIENE), *args], env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, f"hygiene {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


@dataclass
class Restored:
    url: str
    engine: Engine


@pytest.fixture
def restored_databases(engine: Engine) -> Iterator[list[str]]:
    """PostgreSQL databases this test creates (dropped afterwards)."""
    names: list[str] = []
    yield names
    for name in names:
        pg_execute(engine, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(
    settings: Settings, env: dict[str, str], dump: Path, engine: Engine, created: list[str]
) -> Restored:
    """As docs/admin-guide.en.md, 'Restore', says (the service is stopped)."""
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        live = Path(url.database)
        engine.dispose()  # the test's own connections to the old file (the service is stopped)
        shutil.copyfile(dump, live)
        for suffix in ("-wal", "-shm"):
            Path(f"{live}{suffix}").unlink(missing_ok=True)
        restored_url = settings.db_url
    else:
        name = f"hyg_restore_{uuid.uuid4().hex[:8]}"
        pg_execute(engine, f'CREATE DATABASE "{name}"')
        created.append(name)
        target = url.set(drivername="postgresql", database=name, query={})
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={target.render_as_string(False)}", str(dump)],
            check=True,
            capture_output=True,
        )
        restored_url = url.set(database=name).render_as_string(hide_password=False)
    env = {**env, "HYGIENE_DATABASE_URL": restored_url}
    hygiene(env, "db", "upgrade")
    hygiene(env, "audit", "verify")
    return Restored(restored_url, db.make_engine(restored_url))


def actions(engine: Engine) -> Counter[str]:
    query = select(col(AuditEvent.action), func.count()).group_by(col(AuditEvent.action))
    with Session(engine) as session:
        return Counter({action: int(n) for action, n in session.execute(query)})


def test_a_restore_mid_delivery_resends_nothing_until_released(
    engine: Engine, settings: Settings, tmp_path: Path, restored_databases: list[str]
) -> None:
    count, hold_for = scaled(400, 3000), scaled(5, 30)
    planned = district(engine, settings, count)
    started = time.monotonic()
    dump = tmp_path / ("backup.dump" if backend(engine) == "postgresql" else "backup.db")
    with sink(tmp_path, delay=0.02) as server:
        # Small batches sent one at a time, about 50 a second: the campaign is still being
        # sent when the backup is taken, and when the service dies.
        env = service_env(settings.db_url, tmp_path, server.port,
                          HYGIENE_DELIVERY__BATCH_SIZE="20",
                          HYGIENE_DELIVERY__CONCURRENCY="1")  # fmt: skip
        group = Fleet(env, tmp_path)
        try:
            service = group.start(1)[0]
            wait_until(lambda: sent_count(engine) >= count // 4, timeout=120, what="a quarter")
            taken = hygiene(env, "backup", "-o", str(dump))
            found = re.search(r"lúc đó có ([\d.]+) tin", taken.stdout)  # "1.234": Babel
            assert found, taken.stdout
            waiting_at_backup = int(found.group(1).replace(".", ""))
            assert waiting_at_backup > 0, "the campaign was over before the backup: too fast"
            at_backup = planned - waiting_at_backup
            wait_until(
                lambda: sent_count(engine) >= at_backup + waiting_at_backup // 2,
                timeout=120,
                what="half of the rest sent after the backup",
            )
            group.kill(service)  # the failure the backup is restored after
            before_restore = server.accepted()
            back = restore(settings, env, dump, engine, restored_databases)
            try:
                waiting = statuses(back.engine)
                in_backup = waiting["pending"] + waiting["sending"]
                group.env = {**env, "HYGIENE_DATABASE_URL": back.url}
                group.start(1)
                wait_until(
                    lambda: statuses(back.engine)["held"] == in_backup,
                    timeout=60,
                    what=f"{in_backup} held\n{tail(group.logs())}",
                )
                time.sleep(hold_for)
                resent_while_held = server.accepted() - before_restore
                listed = hygiene(group.env, "outbox", "held", "--format", "csv").stdout
                rows = [line.split(",") for line in listed.strip().splitlines()[1:]]
                held_ids = {int(row[0]): row[-1] for row in rows}
                delivered = sorted(pk for pk, mid in held_ids.items() if mid in before_restore)
                if delivered:
                    hygiene(group.env, "outbox", "cancel", *map(str, delivered))
                released_at = time.monotonic()
                decided = hygiene(group.env, "outbox", "release", "--all")
                released = len(held_ids) - len(delivered)
                wait_until(
                    lambda: (
                        statuses(back.engine)["pending"] + statuses(back.engine)["sending"] == 0
                    ),
                    timeout=scaled(120, 600),
                    what=f"delivery after the release\n{tail(group.logs())}",
                )
                recovery = time.monotonic() - released_at
                final = statuses(back.engine)
                logged = actions(back.engine)
                with Session(back.engine) as session:
                    [marker] = session.execute(select(BackupMarker)).scalars().all()
                hygiene(group.env, "audit", "verify")
            finally:
                back.engine.dispose()
        finally:
            group.stop()
    accepted = server.accepted()
    after_release = accepted - before_restore
    logs = group.logs()
    assert "Traceback" not in logs, tail(logs)
    assert f"đầu chuỗi nhật ký #{marker.audit_seq}" in taken.stdout, taken.stdout
    assert not resent_while_held, f"sent while held: {sorted(resent_while_held)[:10]}"
    assert len(held_ids) == in_backup == marker.held > 0
    assert marker.restored_at is not None
    assert marker.live_at is None
    assert delivered, "some held messages were delivered after the backup: the point of it"
    assert released > 0, "some held messages were never sent: releasing them must send them"
    said = f"Đã cho gửi {i18n.format_number(released)} tin bị giữ lại"
    assert said in decided.stdout, decided.stdout
    assert "Cơ sở dữ liệu này được khôi phục từ bản sao lưu" in logs
    # Each released message once after the release, nothing else; every message once in all.
    assert sorted(after_release.values()) == [1] * released, after_release.most_common(3)
    assert set(after_release) == {mid for pk, mid in held_ids.items() if pk not in delivered}
    assert len(accepted) == planned
    assert max(accepted.values()) == 1, accepted.most_common(3)
    assert final["sent"] + final["cancelled"] == planned, final
    assert final["cancelled"] == len(delivered)
    assert logged["outbox.restore_held"] == 1
    assert logged["message.cancelled"] == len(delivered)
    assert logged["message.released"] == released
    record(
        Result(
            scenario="restore-mid-delivery",
            backend=backend(engine),
            scale=f"{in_backup} held",
            runs=1,
            messages=planned,
            lost=planned - final["sent"] - final["cancelled"],
            duplicated=sum(n - 1 for n in accepted.values()),
            duplicate_bound=0,
            longest_recovery_seconds=round(recovery, 1),
            seconds=round(time.monotonic() - started, 1),
            notes=(
                f"backup after {at_backup} sent, service killed after {len(before_restore)}; "
                f"restored: {in_backup} held, 0 sent in {hold_for} s held; {len(delivered)} "
                f"cancelled by Message-ID (already accepted), {released} released and each "
                "sent once"
            ),
        )
    )
