"""`hygiene users deactivate|reactivate|reset|tokens|revoke-token`, `devices list|revoke`."""

import json
import re
from typing import Any

from sqlmodel import Session

from hygiene.audit import service as audit
from tests import factories

EMAIL = "it@huyen.example"


def add_user(run_cli: Any) -> str:
    added = run_cli("users", "add", EMAIL, "--role", "admin")
    assert added.exit_code == 0, added.output
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", added.stdout)
    assert code
    return code.group(0)


def test_tokens_are_listed_with_their_expiry_and_revoked_by_id(run_cli: Any) -> None:
    add_user(run_cli)
    issued = run_cli("users", "token", EMAIL, env={"HYGIENE_SECURITY__API_TOKEN_DAYS": "30"})
    assert issued.exit_code == 0, issued.output
    assert "30" in issued.output

    [row] = json.loads(run_cli("users", "tokens", EMAIL, "--format", "json").stdout)
    assert row["state"] == "đang dùng"
    assert row["expires_at"]
    revoked = run_cli("users", "revoke-token", str(row["id"]))
    assert revoked.exit_code == 0, revoked.output

    [after] = json.loads(run_cli("users", "tokens", EMAIL, "--format", "json").stdout)
    assert after["state"] == "đã thu hồi"


def test_deactivate_reactivate_and_reset_are_audited(run_cli: Any, session: Session) -> None:
    add_user(run_cli)
    for command in ("deactivate", "reactivate", "reset"):
        result = run_cli("users", command, EMAIL)
        assert result.exit_code == 0, result.output
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", result.stdout)  # the new setup code

    actions = [e["action"] for e in audit.export_rows(session)]
    assert actions[-3:] == [
        "console_user.deactivated",
        "console_user.reactivated",
        "console_user.reset",
    ]


def test_an_unknown_user_or_token_is_one_clear_line(run_cli: Any) -> None:
    assert run_cli("users", "deactivate", "nobody@x.example").exit_code == 1
    result = run_cli("users", "revoke-token", "999", env={"HYGIENE_LOCALE": "en"})
    assert result.exit_code == 1
    assert "No API token 999" in result.output


def test_devices_are_listed_and_revoked(run_cli: Any, session: Session) -> None:
    factories.official(session, factories.ident(factories.unit(session)), "CB001")
    session.commit()
    assert run_cli("devices", "add", "--official", "CB001", "--name", "PC-01").exit_code == 0

    [device] = json.loads(run_cli("devices", "list", "--format", "json").stdout)
    assert (device["name"], device["employee_id"]) == ("PC-01", "CB001")
    assert run_cli("devices", "revoke", str(device["id"])).exit_code == 0
    [after] = json.loads(run_cli("devices", "list", "--format", "json").stdout)
    assert after["state"] == "đã thu hồi"
