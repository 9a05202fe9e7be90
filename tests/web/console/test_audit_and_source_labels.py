"""The console's audit log names actions and actors by their labels ("Khóa người dùng trang
quản trị" by "Người dùng quản trị: …", not `console_user.deactivated` by `user:…`), and the
sources page and `sources list` name the kind of each source ("Active Directory", not `ad`)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene import i18n
from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.settings.sources import Kind
from hygiene.web.app import create_app
from tests.conftest import NOW
from tests.web.staff import sign_in_as


def _deactivation(session: Session, deps: Deps) -> None:
    audit.append(
        session, key=deps.audit_key, now=NOW, actor="user:it@huyen.example",
        action="console_user.deactivated", subject="user:cu@huyen.example",
    )  # fmt: skip
    session.commit()


@pytest.mark.parametrize(
    ("lang", "action", "actor"),
    [("vi", "Khóa người dùng trang quản trị", "Người dùng quản trị: it@huyen.example"),
     ("en", "Console user deactivated", "Console user: it@huyen.example")],
)  # fmt: skip
def test_the_log_shows_labels_for_actions_and_actors(
    client: TestClient, session: Session, deps: Deps, lang: str, action: str, actor: str
) -> None:
    sign_in_as(client, session, "security")
    _deactivation(session, deps)

    page = client.get("/console/audit", params={"lang": lang}).text

    assert f'title="console_user.deactivated">{action}</td>' in page
    assert f'title="user:it@huyen.example">{actor}</td>' in page
    assert ">console_user.deactivated<" not in page


def test_the_log_still_filters_by_the_stored_code(
    client: TestClient, session: Session, deps: Deps
) -> None:
    sign_in_as(client, session, "security")
    _deactivation(session, deps)

    page = client.get("/console/audit", params={"action": "console_user.deac"}).text

    assert "Khóa người dùng trang quản trị" in page
    assert "Tạo người dùng trang quản trị" not in page


def test_every_source_kind_has_a_label_in_both_languages() -> None:
    for kind in get_args(Kind):
        texts = i18n.catalogue().get(f"label.source_kind.{kind}", {})
        assert texts.get("vi"), kind
        assert texts.get("en"), kind


@pytest.fixture
def with_source(deps: Deps) -> Iterator[TestClient]:
    entries = {"ad": {"kind": "ad", "url": "ldaps://dc.example", "covers": ["Email công vụ"]}}
    deps.settings = deps.settings.model_copy(
        update={"sources": type(deps.settings.sources).model_validate(entries)}
    )
    with TestClient(create_app(deps, runtime=Runtime(started_at=NOW))) as client:
        yield client


def test_the_sources_page_names_the_kind(with_source: TestClient, session: Session) -> None:
    sign_in_as(with_source, session, "admin")

    page = with_source.get("/console/sources").text

    assert '<td title="ad">Active Directory</td>' in page


def test_sources_list_names_the_kind(run_cli: Any, cli_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "hygiene.toml"
    config.write_text(
        '[sources.zm]\nkind = "zimbra"\nurl = "https://mail.example"\ncovers = ["Email"]\n'
        f'secret_file = "{tmp_path / "zm.secret"}"\n',
        "utf-8",
    )
    (tmp_path / "zm.secret").write_text("s" * 40 + "\n", "utf-8")
    env = {**cli_env, "HYGIENE_CONFIG": str(config)}
    assert run_cli("db", "upgrade", env=env).exit_code == 0

    shown = run_cli("sources", "list", env=env)

    assert shown.exit_code == 0, shown.output
    assert "Thư điện tử Zimbra" in shown.stdout
