"""The route table (method, path, auth rule, CSRF, in the OpenAPI schema) matches a committed
snapshot, tests/web/routes.txt, so moving modules around cannot change what the service answers.

A route added, removed or re-ruled on purpose: regenerate the snapshot with
`python -m tests.web.test_route_table > tests/web/routes.txt` and review the diff.
"""

from pathlib import Path

from fastapi import FastAPI

from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.web.app import create_app
from hygiene.web.security import require_csrf
from tests.web import authz

SNAPSHOT = Path(__file__).with_name("routes.txt")


def route_table(app: FastAPI) -> list[str]:
    """One line per (method, path): its rule, whether it needs CSRF, whether the schema shows it."""
    documented = {
        (method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
    }
    lines = set()
    for route, rule in authz.checked_routes(app):
        dependant = getattr(route, "dependant", None)
        csrf = dependant is not None and require_csrf in authz._calls(dependant)
        for method in sorted(route.methods or {"*"}):
            schema = (method, route.path) in documented
            flags = f"{'csrf' if csrf else '-'} {'schema' if schema else '-'}"
            lines.add(f"{method} {route.path} {rule or 'NO-RULE'} {flags}")
    return sorted(lines)


def test_the_route_table_matches_the_snapshot(deps: Deps) -> None:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))

    table = route_table(app)

    assert table == SNAPSHOT.read_text(encoding="utf-8").splitlines()


def test_a_changed_rule_shows_in_the_table(deps: Deps) -> None:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))
    app.add_api_route("/api/v1/extra", lambda: {"oops": True})

    table = route_table(app)

    assert "GET /api/v1/extra NO-RULE - schema" in table


if __name__ == "__main__":  # pragma: no cover - regenerates the snapshot
    from hygiene.bootstrap import build_deps
    from hygiene.clock import FixedClock
    from hygiene.settings import Settings
    from tests.conftest import NOW, SECRET

    settings = Settings(database_url="sqlite://", secret_key=SECRET)
    for line in route_table(create_app(build_deps(settings, clock=FixedClock(NOW)))):
        print(line)  # noqa: T201
