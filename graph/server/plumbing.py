"""HTTP plumbing of the server: request parameters within a size limit, and a nosniff header on every response."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from ..errors import QueryError


class TooLarge(Exception):
    """A request body or query string over the size limit (answered 413)."""


async def request_params(request: Request, limit: int) -> dict[str, str]:
    """Give the query-string and body parameters of a request; a direct query body becomes ``query``."""
    if len(request.url.query) > limit:
        raise TooLarge(f"query string longer than {limit} bytes")
    params = dict(parse_qsl(request.url.query, keep_blank_values=True))
    if request.method != "POST":
        return params
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"request body longer than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"request body longer than {limit} bytes")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = bytes(body).decode("utf-8", errors="replace")
    if ctype == "application/x-www-form-urlencoded":
        params.update(parse_qsl(text, keep_blank_values=True))
    elif ctype in ("application/sparql-query", "application/sparql-update"):
        params["update" if ctype.endswith("update") else "query"] = text
    elif ctype in ("application/json", "text/plain"):
        params["body"] = text
    elif body:
        raise QueryError(f"unsupported content type {ctype or 'none'!r} (use application/sparql-query "
                         "or application/x-www-form-urlencoded)")
    return params


class NoSniff:
    """ASGI middleware: every response says ``X-Content-Type-Options: nosniff`` (errors are plain text)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_header(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-content-type-options"]
                message["headers"] = [*headers, (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, send_with_header if scope["type"] == "http" else send)
