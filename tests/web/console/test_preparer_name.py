"""The monthly report names its preparer by the display name given with `users add --name`."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.db import row_id
from hygiene.users import service as users
from hygiene.web.auth import SESSION_COOKIE
from tests.conftest import NOW, SECRET
from tests.reports.seed import seed
from tests.web.staff import console_cookie
from tests.web.test_console_auth import PASSWORD

EMAIL = "bao.tv@huyen.example"


def test_the_report_names_the_preparer_by_display_name(
    client: TestClient, session: Session, run_cli: Any
) -> None:
    seed(session)
    session.commit()
    added = run_cli("users", "add", EMAIL, "--role", "security", "--name", "Trần Văn Bảo")
    assert added.exit_code == 0, added.output
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", added.stdout)
    assert code
    user = users.complete_setup(
        session, email=EMAIL, code=code.group(0), password=PASSWORD, secret=SECRET.encode(), now=NOW
    )
    session.commit()
    client.cookies.set(SESSION_COOKIE, console_cookie(session, row_id(user.id)))

    page = client.get("/console/compliance/report")

    assert page.status_code == 200
    assert "Người lập: Trần Văn Bảo." in page.text
    assert EMAIL not in page.text
