"""``reformkg serve``: a local web app and a read-only SPARQL 1.1 Protocol endpoint over the store.

``create_app(settings, options)`` gives the Starlette app (tested in process); ``serve()`` runs it
with uvicorn on 127.0.0.1; ``fetch_path()`` answers one request without listening (``--get``).
"""

from __future__ import annotations

from ..config import Settings
from .app import LOOPBACK_HOSTS, create_app
from .backend import ServeOptions

__all__ = ["ServeOptions", "create_app", "fetch_path", "serve"]


def fetch_path(settings: Settings, options: ServeOptions, path: str) -> tuple[int, str, bytes]:
    """Give the status, media type and body the app answers to ``GET path`` (no socket opened)."""
    import asyncio

    import httpx

    async def _get() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings, options))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get(path if path.startswith("/") else "/" + path, follow_redirects=True)

    resp = asyncio.run(_get())
    return resp.status_code, resp.headers.get("content-type", ""), resp.content


def serve(settings: Settings, options: ServeOptions | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the app until interrupted; anything but a loopback host accepts any Host header."""
    import uvicorn

    hosts = LOOPBACK_HOSTS if host in LOOPBACK_HOSTS else ["*"]
    app = create_app(settings, options, allowed_hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
