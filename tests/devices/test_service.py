from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.devices import service as devices
from hygiene.devices.schemas import ReportIn
from tests.conftest import NOW, SECRET
from tests.helpers import write_csv
from tests.inventory.test_importer import run_import

KEY = SECRET.encode()


def report(*counts: int | None, **extra: object) -> ReportIn:
    profiles = [
        {
            "browser": "chrome",
            "profile": f"Profile {i}",
            "saved_logins": n,
            "error": None if n is not None else "locked",
            "policy_disables_password_manager": False,
        }
        for i, n in enumerate(counts)
    ]
    return ReportIn.model_validate(
        {
            "schema_version": 1,
            "probe_version": "0.1.0",
            "hostname": "PC-1",
            "os": "Windows 10",
            "generated_at": datetime(2026, 3, 2, tzinfo=UTC),
            "profiles": profiles,
            **extra,
        }
    )


@pytest.fixture
def inventory(session: Session, tmp_path: Path, audit_key: bytes) -> None:
    run_import(session, write_csv(tmp_path / "a.csv"), audit_key)


@pytest.mark.usefixtures("inventory")
def test_a_device_token_is_shown_once_and_stored_hashed(session: Session) -> None:
    device, token = devices.add_device(
        session, employee_id="CB001", name="PC-1", secret=KEY, now=NOW, actor="t"
    )

    assert token.startswith(devices.TOKEN_PREFIX)
    assert token not in device.token_hmac
    assert devices.device_for_token(session, token=token, secret=KEY) == device
    assert devices.device_for_token(session, token=token[:-1], secret=KEY) is None


@pytest.mark.usefixtures("inventory")
def test_a_report_with_saved_logins_marks_the_official(session: Session) -> None:
    first, _ = devices.add_device(
        session, employee_id="CB001", name="PC-1", secret=KEY, now=NOW, actor="t"
    )
    second, _ = devices.add_device(
        session, employee_id="CB002", name="PC-2", secret=KEY, now=NOW, actor="t"
    )

    row = devices.record_report(
        session, device=first, report=report(2, None, 1), secret=KEY, now=NOW
    )
    devices.record_report(session, device=second, report=report(0), secret=KEY, now=NOW)

    assert (row.saved_logins, row.unreadable_profiles) == (3, 1)
    assert devices.officials_with_saved_logins(session) == [first.official_id]
    assert [e["action"] for e in audit.export_rows(session)][-1] == "probe.reported"


def test_reports_with_unexpected_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        report(1, urls=["https://bank.example"])
    with pytest.raises(ValidationError):
        ReportIn.model_validate(
            {
                **report(1).model_dump(),
                "profiles": [
                    {"browser": "chrome", "profile": "Default", "saved_logins": 1, "username": "a"}
                ],
            }
        )
    with pytest.raises(ValidationError):
        ReportIn.model_validate(
            {
                **report(1).model_dump(),
                "profiles": [
                    {"browser": "chrome", "profile": "C:\\Users\\an\\AppData", "saved_logins": 1}
                ],
            }
        )
