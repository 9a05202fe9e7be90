"""The REST API: every /api/v1 route (JSON, paged lists with a total) and its docs page.

Every route declares its rule with a dependency of hygiene.web.auth; API tokens
(`Authorization: Bearer …`) act as their console user.
"""

from fastapi import FastAPI

from hygiene.web.api import (
    accounts,
    acks,
    advisories,
    audit,
    docs,
    imports,
    inbound,
    incidents,
    messages,
    officials,
    probe,
    reports,
    sources,
    units,
)

ROUTERS = (
    units,
    officials,
    accounts,
    imports,
    advisories,
    messages,
    acks,
    inbound,
    incidents,
    probe,
    reports,
    audit,
    sources,
)


def install(app: FastAPI) -> None:
    for module in ROUTERS:
        app.include_router(module.router)
    docs.install(app)
