"""An exposure import: matched accounts are forced to rotate now with a message naming the source
and reference; identifiers are masked; unmatched entries and combo passwords are kept nowhere."""

import hashlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.db import row_id, session_scope
from hygiene.errors import InvalidInput
from hygiene.exposures import queries
from hygiene.exposures import service as exposures
from hygiene.exposures.models import Exposure, ExposureMatch
from hygiene.exposures.service import ImportResult
from hygiene.inventory.models import Account, Official
from hygiene.outbox import compose
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f
from tests.conftest import SECRET
from tests.web.test_portal_canary import everything_in_the_database

NOW = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # Tuesday 03/03/2026, 14:00 in Hà Nội
SOURCE, REFERENCE = "Công an tỉnh Lai Châu", "CV 123/CAT-PA05"
COMBO_PASSWORD = "MatKhauBiLo#2026"


@pytest.fixture
def district(session: Session) -> dict[str, int]:
    unit = f.ident(f.unit(session, "UBND xã Bum Nưa"))
    hoa = f.ident(f.official(session, unit, "CB001", name="Lò Thị Hoa", phone="+84912345678"))
    duc = f.ident(f.official(session, unit, "CB002", name="Lò Văn Đức"))
    son = f.ident(f.official(session, unit, "CB003", name="Trần Văn Sơn"))
    feb = date(2026, 2, 1)
    ids = {
        "hoa_mail": f.ident(f.account(session, hoa, login="lo.hoa@xa.example", rotated=feb)),
        "hoa_zalo": f.ident(f.account(session, hoa, kind="messaging", system="Zalo", login="")),
        "duc_fb": f.ident(
            f.account(session, duc, kind="social", system="Facebook", login="ducfb86")
        ),
        "son_mail": f.ident(f.account(session, son, login="tran.son@xa.example")),
    }
    session.commit()
    return ids


def run(engine: Engine, settings: Settings, audit_key: bytes, data: bytes) -> ImportResult:
    with session_scope(engine) as session:
        return exposures.import_list(
            session, data=data, source=SOURCE, reference=REFERENCE, settings=settings, now=NOW,
            audit_key=audit_key, actor="cli:test",
        )  # fmt: skip


LINES = (
    f"LO.HOA@xa.example:{COMBO_PASSWORD}\n"  # combo line: only the identifier is read
    "ducfb86\n"
    "khong.ai.co@example.vn\n"  # unmatched
    "# a comment\n"
    "0999 888 777\n"  # unmatched
).encode()


def test_it_forces_the_matched_accounts_to_rotate_now(
    engine: Engine, settings: Settings, audit_key: bytes, district: dict[str, int]
) -> None:
    result = run(engine, settings, audit_key, LINES)

    assert (result.entries, result.matched, result.unmatched) == (4, 2, 2)
    assert (result.accounts, result.officials, result.planned) == (2, 2, 2)
    with Session(engine) as session:
        flagged = session.exec(
            select(col(Account.id)).where(col(Account.compromised_at).is_not(None))
        )
        assert sorted(row_id(i) for i in flagged) == sorted(
            [district["hoa_mail"], district["duc_fb"]]
        )
        stages = session.exec(select(Message.campaign, Message.stage, Message.kind)).all()
        assert sorted(stages) == [("rotation", "now", "rotation_now")] * 2


def test_the_rotate_now_message_carries_the_source_and_reference(
    engine: Engine, settings: Settings, audit_key: bytes, district: dict[str, int], deps: Deps
) -> None:
    run(engine, settings, audit_key, LINES)
    with Session(engine) as session:
        message = session.exec(
            select(Message).where(col(Message.payload).contains(str(district["duc_fb"])))
        ).one()
        official = session.get(Official, message.official_id)
        assert official is not None
        done = compose.compose(
            session,
            message,
            official,
            settings=settings,
            secret=SECRET.encode(),
            renderer=deps.renderer,
            readers=deps.readers,
        )
    text = done.rendered.text + done.rendered.html
    assert f"theo thông báo của {SOURCE}, số {REFERENCE}" in done.rendered.text
    assert REFERENCE in done.rendered.html
    assert "ducfb86" not in text  # masked: du***86


def test_unmatched_entries_and_combo_passwords_are_stored_nowhere(
    engine: Engine, settings: Settings, audit_key: bytes, district: dict[str, int]
) -> None:
    run(engine, settings, audit_key, LINES)
    dump = everything_in_the_database(engine, settings)
    for secret in (COMBO_PASSWORD, "khong.ai.co", "999888777"):
        assert secret.encode() not in dump
    with Session(engine) as session:
        shown = sorted(session.exec(select(ExposureMatch.shown)).all())
        events = [e for e in audit.export_rows(session) if "exposures" in repr(e)]
    assert shown == ["du***86", "lo***@…"]
    assert len(events) == 1
    assert COMBO_PASSWORD not in repr(events)


def test_it_matches_hashed_entries_and_a_csv_header(
    engine: Engine, settings: Settings, audit_key: bytes, district: dict[str, int]
) -> None:
    sha256_phone = hashlib.sha256(b"0912345678").hexdigest()  # national form: Hoa's Zalo
    sha1_mail = hashlib.sha1(b"tran.son@xa.example", usedforsecurity=False).hexdigest().upper()
    data = f"STT;Hash;Mật khẩu\n1;{sha256_phone};x\n2;{sha1_mail};y\n3;{'0' * 40};z\n".encode()

    result = run(engine, settings, audit_key, data)

    assert (result.entries, result.matched, result.accounts) == (3, 2, 2)
    with Session(engine) as session:
        hit = session.exec(select(ExposureMatch.account_id, ExposureMatch.matched_on)).all()
    assert sorted(hit) == sorted([(district["hoa_zalo"], "phone"), (district["son_mail"], "email")])


def test_a_csv_without_a_known_column_is_refused_and_changes_nothing(
    engine: Engine, settings: Settings, audit_key: bytes, district: dict[str, int]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        run(engine, settings, audit_key, b"name,password\nHoa,123\n")
    assert caught.value.code == "exposures.no_column"
    with Session(engine) as session:
        assert session.exec(select(Exposure)).all() == []


def test_the_listing_counts_open_and_rotated_accounts(
    engine: Engine, settings: Settings, audit_key: bytes, district: dict[str, int]
) -> None:
    run(engine, settings, audit_key, LINES)
    with session_scope(engine) as session:
        account = session.get(Account, district["duc_fb"])
        assert account is not None
        account.last_rotated_on = date(2026, 3, 4)
    with Session(engine) as session:
        [row] = queries.list_exposures(session, settings=settings, now=NOW)
        found = queries.matches(session, exposure_id=row.id, settings=settings)
    assert (row.source, row.reference, row.open, row.rotated) == (SOURCE, REFERENCE, 1, 1)
    assert sorted((m.system, m.status) for m in found) == [
        ("Email công vụ", "open"),
        ("Facebook", "rotated"),
    ]
