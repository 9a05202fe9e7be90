"""The portal's strength check with a breach index: a leaked password is reported with its count
(vi/en), context words are refused, the kept score is capped, and the password is kept nowhere."""

import logging
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from hygiene.audit import service as audit
from hygiene.breach import build as builder
from hygiene.inventory.models import Account
from hygiene.settings import Settings
from tests.breach.corpus import write_corpus
from tests.conftest import SECRET
from tests.web.portal_helpers import make_official, sign_in
from tests.web.test_portal_canary import everything_in_the_database, everything_on_disk, strength

CANARY = f"Canary{uuid.uuid4().hex[:12]}Quokka"
LEAKED = {"matkhau@123": 31_337, CANARY: 7}


@pytest.fixture
def index(tmp_path: Path) -> Path:
    corpus = write_corpus(tmp_path / "pwned.txt", LEAKED, random_entries=2_000)
    builder.build(source=corpus, target=tmp_path / "breach.idx")
    corpus.unlink()
    return tmp_path / "breach.idx"


@pytest.fixture
def settings(db_url: str, tmp_path: Path, index: Path) -> Settings:
    return Settings(
        database_url=db_url, data_dir=tmp_path / "var", secret_key=SECRET, breach={"index": index}
    )


def test_it_says_how_many_leaks_a_password_appears_in(client: TestClient) -> None:
    page = strength(client, "matkhau@123")
    assert page.status_code == 200
    assert "Mật khẩu này xuất hiện trong 31.337 vụ lộ lọt đã biết." in page.text
    assert "hãy chọn mật khẩu khác" in page.text


def test_it_says_so_in_english(client: TestClient) -> None:
    client.cookies.set("hygiene_lang", "en")
    page = strength(client, "matkhau@123")
    assert "This password appears in 31,337 known leaks." in page.text


def test_an_unknown_password_is_reported_absent(client: TestClient) -> None:
    page = strength(client, "ngựa pin đúng kẹp giấy buổi sáng")
    assert "Không thấy mật khẩu này trong danh sách mật khẩu đã bị lộ." in page.text


def test_it_refuses_the_officials_own_name_and_caps_the_kept_score(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    sign_in(client, settings)
    mail = session.exec(select(Account).order_by(col(Account.id))).first()
    assert mail is not None
    assert mail is not None
    session.commit()
    page = strength(client, "Lò-Thị-Hoa: một buổi sáng mùa thu rất đẹp", account=str(mail.id))
    session.expire_all()
    assert "Mật khẩu chứa tên của bạn." in page.text
    assert session.get_one(Account, mail.id).strength_score == 0


def test_the_canary_is_kept_nowhere_though_it_is_in_the_index(
    client: TestClient,
    session: Session,
    settings: Settings,
    engine: Engine,
    runner: CliRunner,
    cli_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    index: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    make_official(session)
    sign_in(client, settings)
    mail = session.exec(select(Account).order_by(col(Account.id))).first()
    assert mail is not None
    session.commit()
    responses = [strength(client, CANARY), strength(client, CANARY, account=str(mail.id))]
    from hygiene.cli import app

    cli = runner.invoke(
        app,
        ["check-password", "--for", "CB001", "--account", "Zalo"],
        env={**cli_env, "HYGIENE_BREACH__INDEX": str(index)},
        input=CANARY + "\n",
    )
    assert cli.exit_code == 0, cli.output
    assert "7 vụ lộ lọt" in cli.output
    assert all("7 vụ lộ lọt" in r.text for r in responses)
    seen = [r.text + repr(r.headers) for r in responses] + [cli.output, caplog.text]
    assert not [s for s in seen if CANARY in s]
    assert CANARY.encode() not in everything_in_the_database(engine, settings)
    assert CANARY.encode() not in everything_on_disk(settings)
    assert CANARY.encode() not in index.read_bytes()
    assert CANARY not in repr(list(audit.export_rows(session)))
