"""POST /api/v1/inbound/sms: an SMS reply relayed by the gateway. Public, signed.

The gateway signs the exact bytes of the request body with the shared secret
`channels.sms.inbound_secret` (env HYGIENE_CHANNELS__SMS__INBOUND_SECRET):

    X-Hygiene-Signature: sha256=<hex HMAC-SHA256(inbound_secret, raw body)>

(the bare hex digest is accepted too). The body is either form-encoded or JSON, with the sender's
phone in `from` (or `phone`, `sender`) and the text in `text` (or `body`, `message`), e.g.

    from=%2B84912345678&text=HYG+ABCD-2345
    {"from": "0912345678", "text": "ABCD2345"}

The text is "HYG <code>" or just the code. The sender must be the phone of the official the code
was sent to. Answers: 200 {"ok": true, ...} when recorded; 200 {"ok": false, "error", "reply"}
when the code is refused (do not retry: the reply text may be relayed to the sender); 401 for a
bad or missing signature; 422 without a sender or text; 503 while no inbound secret is set.
"""

import hashlib
import hmac
import json
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from hygiene import i18n
from hygiene.acks import service as acks
from hygiene.bootstrap import Deps
from hygiene.errors import HygieneError
from hygiene.inventory import values
from hygiene.inventory.models import Official
from hygiene.web.api.acks import ack_out
from hygiene.web.api.common import PREFIX
from hygiene.web.auth import PublicDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/inbound")
SIGNATURE_HEADER = "X-Hygiene-Signature"
_SENDER_KEYS, _TEXT_KEYS = ("from", "phone", "sender"), ("text", "body", "message")


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _verify(deps: Deps, body: bytes, header: str | None) -> None:
    secret = deps.settings.channels.sms.inbound_secret
    if secret is None:
        raise HTTPException(503, "inbound.not_configured")
    expected = hmac.new(secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()
    given = (header or "").strip().removeprefix("sha256=")
    if not hmac.compare_digest(expected, given):
        raise HTTPException(401, "inbound.bad_signature")


def _fields(body: bytes, content_type: str) -> tuple[str, str]:
    try:
        if "json" in content_type:
            data = json.loads(body.decode("utf-8"))
            pairs = {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        else:
            pairs = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
    except (UnicodeDecodeError, ValueError):
        pairs = {}
    sender = next((pairs[k] for k in _SENDER_KEYS if pairs.get(k)), "")
    text = next((pairs[k] for k in _TEXT_KEYS if pairs.get(k)), "")
    if not sender or not text:
        raise HTTPException(422, "inbound.bad_request")
    return sender, text


def code_in(text: str) -> str:
    """ "HYG ABCD-2345", "hyg abcd2345" or "ABCD-2345" -> the code part."""
    words = text.split()
    if words and words[0].upper() == "HYG":
        words = words[1:]
    return "".join(words)[:64]


@router.post("/sms", tags=["acks"])
def inbound_sms(
    request: Request,
    deps: DepsDep,
    session: SessionDep,
    _: PublicDep,
    body: Annotated[bytes, Depends(raw_body)],
) -> Response:
    _verify(deps, body, request.headers.get(SIGNATURE_HEADER))
    sender, text = _fields(body, request.headers.get("content-type", ""))
    phone = _phone(sender)
    locale, now, zone, typed = (
        deps.settings.locale,
        deps.clock.now(),
        deps.settings.zone,
        code_in(text),
    )
    try:
        acks.guard(
            session, client=f"sms:{phone}", typed=typed, secret=deps.secret, now=now, zone=zone
        )
        result = acks.acknowledge(
            session,
            typed=typed,
            how="sms",
            actor=f"sms:{phone}",
            now=now,
            secret=deps.secret,
            zone=zone,
            sender_phone=phone,
        )
    except HygieneError as exc:
        session.commit()
        message = exc.render(locale)
        return JSONResponse({"ok": False, "error": exc.code, "message": message, "reply": message})
    return _recorded(session, result, locale)


def _phone(sender: str) -> str | None:
    """The sender as a stored phone number; one that is not a phone is a bad request (422)."""
    try:
        return values.phone(sender)
    except values.FieldError:
        raise HTTPException(422, "inbound.bad_request") from None


def _recorded(session: Session, result: acks.AckResult, default_locale: str) -> Response:
    """The acknowledgement, with a reply in the official's language for the gateway to relay."""
    official = session.get(Official, result.official_id)
    reply_locale = i18n.normalise_locale(official.locale if official else default_locale)
    answer = ack_out(result, reply_locale).model_dump()
    return JSONResponse({**answer, "reply": i18n.t("ack.sms_ok", reply_locale)})
