"""What the command line says about itself: `db upgrade` names what it did, a missing input file
is one translated line with exit 1, and console users carry a display name."""

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory

from hygiene import db


def _revisions() -> tuple[str, str]:
    engine = db.make_engine("sqlite://")
    try:
        script = ScriptDirectory.from_config(db.alembic_config(engine))
        head = script.get_current_head()
        assert head
        previous = script.get_revision(head).down_revision
    finally:
        engine.dispose()
    assert isinstance(previous, str)
    return previous, head


def test_db_upgrade_says_it_created_a_new_database(run_cli: Any, tmp_path: Path) -> None:
    _, head = _revisions()
    env = {"HYGIENE_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}

    created = run_cli("db", "upgrade", env=env)
    again = run_cli("db", "upgrade", env={**env, "HYGIENE_LOCALE": "en"})

    assert created.exit_code == 0, created.output
    assert created.stdout.strip() == f"Đã tạo cơ sở dữ liệu ở phiên bản {head}."
    assert again.stdout.strip() == (
        f"Database already at the latest version {head}; nothing changed."
    )


@pytest.mark.parametrize(
    ("locale", "said"),
    [("vi", "Đã nâng cấp cơ sở dữ liệu từ phiên bản {0} lên {1}."),
     ("en", "Database upgraded from version {0} to {1}.")],
)  # fmt: skip
def test_db_upgrade_says_from_which_version_to_which(
    run_cli: Any, tmp_path: Path, locale: str, said: str
) -> None:
    previous, head = _revisions()
    url = f"sqlite:///{tmp_path}/old.db"
    engine = db.make_engine(url)
    db.upgrade(engine, previous)
    engine.dispose()

    upgraded = run_cli("db", "upgrade", env={"HYGIENE_DATABASE_URL": url, "HYGIENE_LOCALE": locale})

    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.strip() == said.format(previous, head)


MISSING = [
    ["import", "{missing}"],
    ["exposures", "import", "{missing}", "--source", "CERT", "--reference", "CV 1"],
    ["advisories", "add", "--title", "T", "--body-file", "{missing}"],
    ["audit", "verify", "--checkpoints", "{missing}"],
    ["breach-index", "build", "{missing}", "-o", "{tmp}/index.bin"],
]


@pytest.mark.parametrize("command", MISSING, ids=lambda c: " ".join(c[:2]))
def test_a_missing_input_file_is_one_translated_line_and_exit_1(
    run_cli: Any, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "khong-co.csv"
    args = [a.format(missing=missing, tmp=tmp_path) for a in command]

    vi = run_cli(*args)
    en = run_cli(*args, env={"HYGIENE_LOCALE": "en"})

    assert vi.exit_code == 1, vi.output
    assert en.exit_code == 1, en.output
    assert vi.stderr.strip() == f"Lỗi: Không tìm thấy tệp {missing}."
    assert en.stderr.strip() == f"Error: No such file: {missing}."
    assert "Traceback" not in vi.output + en.output


def test_a_directory_given_as_the_file_is_named_as_such(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("import", str(tmp_path))

    assert result.exit_code == 1
    assert result.stderr.strip() == f"Lỗi: {tmp_path} là một thư mục, không phải tệp."


def test_a_console_user_is_added_and_renamed_with_a_display_name(run_cli: Any) -> None:
    added = run_cli(
        "users", "add", "an.ninh@huyen.example", "--role", "security", "--name", " Trần  Văn Bảo "
    )
    listed = json.loads(run_cli("users", "list", "--format", "json").stdout)
    table = run_cli("users", "list")
    renamed = run_cli("users", "set-name", "an.ninh@huyen.example", "Trần Thị Bình")
    after = json.loads(run_cli("users", "list", "--format", "json").stdout)
    cleared = run_cli("users", "set-name", "an.ninh@huyen.example", "")
    last = json.loads(run_cli("users", "list", "--format", "json").stdout)

    assert added.exit_code == 0, added.output
    assert listed[0]["display_name"] == "Trần Văn Bảo"
    assert "Trần Văn Bảo" in table.stdout
    assert renamed.exit_code == 0, renamed.output
    assert "«Trần Thị Bình»" in renamed.stdout
    assert after[0]["display_name"] == "Trần Thị Bình"
    assert cleared.exit_code == 0
    assert last[0]["display_name"] is None
