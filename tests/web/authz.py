"""Which rule a route declares: the one dependency of hygiene.web.auth found in its dependant.

A route with no rule (or two) cannot be checked, and tests/web/test_authz.py fails on it.
"""

from collections.abc import Callable, Iterator
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.routing import Mount

from hygiene.web import auth


def dependency_of(alias: Any) -> Callable[..., Any]:
    """The function behind an Annotated[..., Depends(f)] alias."""
    call: Callable[..., Any] = get_args(alias)[1].dependency
    return call


RULES: dict[Callable[..., Any], str] = {
    dependency_of(dep): name
    for dep, name in (
        (auth.PublicDep, "public"),
        (auth.OfficialDep, "official"),
        (auth.AdminDep, "admin"),
        (auth.SecurityDep, "security"),
        (auth.StaffDep, "staff"),
        (auth.DeviceDep, "device"),
    )
}
# Which callers each rule lets in.
ALLOWED = {
    "public": {"anonymous", "official", "admin", "security"},
    "official": {"official"},
    "admin": {"admin"},
    "security": {"security"},
    "staff": {"admin", "security"},
    "device": set(),  # probe devices only, with their own tokens: tests/devices/
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def rule_of(route: RouteContext) -> str | None:
    """The route's rule, or None when it declares none or several."""
    dependant = getattr(route, "dependant", None)
    if not isinstance(route.original_route, APIRoute) or dependant is None:
        return None
    found = {RULES[call] for call in _calls(dependant) if call in RULES}
    return found.pop() if len(found) == 1 else None


def is_static(route: RouteContext) -> bool:
    original = route.original_route
    return isinstance(original, Mount) and isinstance(original.app, StaticFiles)


def checked_routes(app: FastAPI) -> Iterator[tuple[RouteContext, str | None]]:
    """Every route (included routers flattened) but the static mounts, with its rule (None =
    a failure). Router-level dependencies count: the effective dependant is inspected."""
    for route in iter_route_contexts(app.routes):
        if not is_static(route):
            yield route, rule_of(route)


def unruled(app: FastAPI) -> list[str]:
    return [
        f"{sorted(r.methods or ['*'])} {r.path}" for r, rule in checked_routes(app) if rule is None
    ]
