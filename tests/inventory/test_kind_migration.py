"""Migration 0011: the old `zalo` kind becomes `messaging`."""

from pathlib import Path

from sqlalchemy import text

from hygiene import db


def test_existing_zalo_accounts_move_to_messaging(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0007")
    now = "2026-01-01 00:00:00"
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO unit (id, name, created_at) VALUES (1, 'Phòng Nội vụ', :t)"),
            {"t": now},
        )
        c.execute(
            text(
                "INSERT INTO official (id, employee_id, full_name, unit_id, locale,"
                " preferred_channels, active, created_at, updated_at)"
                " VALUES (1, 'CB001', 'Hương', 1, 'vi', 'email', 1, :t, :t)"
            ),
            {"t": now},
        )
        for n, (system, kind) in enumerate([("Zalo", "zalo"), ("Email công vụ", "email")], 1):
            c.execute(
                text(
                    "INSERT INTO account (id, official_id, system, kind, login, mfa,"
                    " browser_saved, created_at, updated_at)"
                    " VALUES (:id, 1, :s, :k, '', 0, 0, :t, :t)"
                ),
                {"id": n, "s": system, "k": kind, "t": now},
            )

    db.upgrade(engine)

    with engine.connect() as c:
        rows = c.execute(text("SELECT system, kind FROM account"))
        kinds = {str(system): str(kind) for system, kind in rows}
    engine.dispose()
    assert kinds == {"Zalo": "messaging", "Email công vụ": "email"}
