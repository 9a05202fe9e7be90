"""The officials' portal (/portal): server-rendered, Vietnamese first, no JavaScript needed.

Open to anyone: entering an acknowledgement code, the strength check, the advisories and the
threat guidance. Signed in (one-time code, see signin): my accounts, my declarations, my
anti-phishing phrase, reporting a threat. Every form carries the CSRF token.
"""

from fastapi import APIRouter

from hygiene.web.portal import forms, pages, signin

router = APIRouter(include_in_schema=False)
for _module in (signin, forms, pages):
    router.include_router(_module.router, prefix="/portal")
