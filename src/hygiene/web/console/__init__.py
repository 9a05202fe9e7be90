"""The admin and security-officer consoles under /console (server-rendered pages).

Admins keep the inventory, imports and deliveries; security officers publish advisories and
review compliance and the log (inventory read-only). Sign-in, first-time setup and sign-out
are hygiene.web.console.auth. Every change is an audit event with the
console user as its actor.
"""

from fastapi import APIRouter

from hygiene.web.console import (
    access,
    advisories,
    auditlog,
    auth,
    compliance,
    deliveries,
    exposures,
    home,
    imports,
    incidents,
    inventory,
    monthly,
    sources,
    units,
)

router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    home,
    units,
    inventory,
    imports,
    deliveries,
    advisories,
    compliance,
    monthly,
    auditlog,
    exposures,
    sources,
    incidents,
    access,
):
    router.include_router(_module.router, prefix="/console")
