"""Request body limits, enforced while the body arrives, before any of it is parsed.

Multipart bodies (spreadsheet uploads) may hold `security.upload_max_mb` MB, every other body
(JSON, forms) `security.json_max_kb` KB. A body whose Content-Length is over the limit is refused
on the first read, before a byte is taken from the socket; a chunked body is counted as it comes
and refused as soon as it passes the limit. So an anonymous 100 MB JSON body costs the server
at most one read buffer, never 100 MB of memory.

The refusal is an HTTPException(413) raised from `receive()` inside the route's body parsing, so
the app's own error handler answers it in the reader's language (JSON on /api, a page elsewhere).
"""

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, *, upload_bytes: int, other_bytes: int) -> None:
        self.app, self.upload_bytes, self.other_bytes = app, upload_bytes, other_bytes

    def limit_for(self, headers: Headers) -> int:
        multipart = headers.get("content-type", "").lower().startswith("multipart/form-data")
        return self.upload_bytes if multipart else self.other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.limit_for(headers)
        declared = headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited() -> Message:
            nonlocal received
            if too_large:
                raise _refusal()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _refusal()
            return message

        await self.app(scope, limited, send)


def _refusal() -> HTTPException:
    return HTTPException(413, detail="limits.too_large", headers={"Connection": "close"})
