"""Directory secrets never leave: every source kind is given a canary secret from its file, used
(the fakes check they received it), made to fail, and then the logs at DEBUG (every logger,
ldap3's and httpx's included), the CLI's output and every table are searched for it."""

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from hygiene.settings import Settings
from hygiene.sources import registry, service
from hygiene.sources.base import SourceError
from tests.conftest import NOW, SECRET
from tests.helpers import snapshot
from tests.sources.fakes import Fake, serve
from tests.sources.servers import free_port

CANARY = "canary-Mật-khẩu-thư-mục-51f0"


def _settings(db_url: str, tmp_path: Path, entries: dict[str, dict[str, Any]]) -> Settings:
    secret = tmp_path / "bind.secret"
    secret.write_text(CANARY + "\n")
    common = {"secret_file": str(secret), "covers": ["Email công vụ"], "timeout": 3}
    sources = {name: {**common, **entry} for name, entry in entries.items()}
    return Settings(database_url=db_url, data_dir=tmp_path, secret_key=SECRET, sources=sources)


def test_no_directory_secret_in_logs_runs_audit_or_output(
    engine: Engine,
    inventory: dict[str, int],
    db_url: str,
    tmp_path: Path,
    audit_key: bytes,
    caplog: pytest.LogCaptureFixture,
    run_cli: Any,
    cli_env: dict[str, str],
) -> None:
    caplog.set_level(logging.DEBUG)
    zimbra, graph = Fake([], CANARY, down=False), Fake([], "another-secret")  # graph refuses
    with serve("zimbra", zimbra) as zurl, serve("graph", graph) as gurl:
        entries = {
            "ldap": {"kind": "ad", "url": f"ldaps://127.0.0.1:{free_port()}", "bind": "ro"},
            "mail": {"kind": "zimbra", "url": zurl, "bind": "admin@xa.example"},
            "entra": {"kind": "graph", "url": gurl, "token_url": gurl, "tenant": "t"},
        }
        settings = _settings(db_url, tmp_path, entries)
        outcomes = []
        for name, config in settings.sources.entries.items():
            try:
                result = service.run(
                    engine=engine, settings=settings, name=name,
                    source=registry.build(name, config), now=NOW, key=audit_key, actor="t",
                )  # fmt: skip
                outcomes.append(result.source)
            except SourceError as exc:
                outcomes.append(exc.code)
        config_file = tmp_path / "hygiene.toml"
        config_file.write_text(
            f'[sources.mail]\nkind = "zimbra"\nurl = "{zurl}"\nbind = "admin@xa.example"\n'
            f'secret_file = "{tmp_path / "bind.secret"}"\ncovers = ["Email công vụ"]\n'
        )
        env = {**cli_env, "HYGIENE_CONFIG": str(config_file)}
        printed = run_cli("sources", "test", "mail", env=env).output
        printed += run_cli("sources", "sync", "--dry-run", env=env).output
        imported = run_cli("sources", "import", "mail", "--apply", env=env)
        assert imported.exit_code == 0, imported.output
        printed += imported.output
    assert outcomes == ["sources.unavailable", "mail", "sources.refused"]
    assert any(CANARY in body for _, _, body in zimbra.requests)  # the secret was really used
    assert any("client_secret" in body for _, _, body in graph.requests)
    assert CANARY not in caplog.text
    assert CANARY not in printed
    assert CANARY not in repr(snapshot(engine))
