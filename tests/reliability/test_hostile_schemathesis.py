"""Schemathesis over /openapi.json, every operation, as each kind of caller: no 5xx, and every
documented answer matches its response schema. In-process ASGI transport, bounded examples."""

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.web.app import create_app
from tests.acks.builders import sent_message
from tests.conftest import NOW
from tests.reliability.hostile_helpers import ROLES, credentials_for, with_inbound_secret
from tests.web.portal_helpers import make_official
from tests.web.staff import api_token, make_user

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance]


def _reader(session: Session) -> dict[str, str]:
    make_user(session, "openapi-reader@huyen.example", "admin")
    return {"Authorization": f"Bearer {api_token(session, 'openapi-reader@huyen.example')}"}


def _operations(app: Any, headers: dict[str, str]) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]


def _exercise(operation: Any, headers: dict[str, str], cookies: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_without_5xx_and_as_documented(
    role: str, settings: Settings, deps: Deps, session: Session
) -> None:
    sent_message(session, make_official(session))  # rows for the listings to show
    session.commit()
    credentials = credentials_for(session, role)
    app = create_app(with_inbound_secret(settings, deps), runtime=Runtime(started_at=NOW))
    with TestClient(app):  # runs the lifespan once, as a server would
        # /openapi.json needs staff: every role fuzzes with the map a separate reader fetched.
        operations = _operations(app, _reader(session))
        assert len(operations) >= 20
        for operation in operations:
            _exercise(operation, credentials.headers, credentials.cookies)
