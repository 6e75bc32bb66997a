"""Settings + ServeOptions -> a Starlette app: the SPARQL 1.1 endpoint, HTML pages and a JSON API.

Every page escapes what it shows (Jinja2 autoescape) and carries a Content-Security-Policy whose
script nonce changes per response, so article text that holds markup is shown, never run. The
network view is rendered in a sandboxed frame of its own. ReformKGError subclasses become HTTP
statuses in one handler (``_on_error``), like datasette's ``handle_exception``.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..bounded import CARD_ARTICLES, CARD_RELATIONS
from ..config import Settings
from ..errors import QueryError, ReformKGError
from ..explore import build_network, entity_card, find_entity
from ..model import Link
from ..query import bind_values, get_saved_query, list_saved_queries, serialize_result
from ..render import render_network_html
from ..sparql_guard import check_query
from ..store import QueryResult
from ..vocab import RKG
from .backend import QueryRunner, ServeOptions, StoreHolder, cap_result
from .plumbing import NoSniff, TooLarge, request_params
from .protocol import PREFIXES, choose_format, encode_result
from .views import SearchIndex, article_view, link_text, list_articles, term_of

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "server"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]
_PAGE_CSP = ("default-src 'self'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; "
             "frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")
# the network frame runs vis-network's inline scripts, but may load and send nothing
_FRAME_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
              "font-src data:; base-uri 'none'; form-action 'none'")


def link(path: str, **params: Any) -> str:
    """Give an app-relative URL with its query parameters encoded (never a caller's raw URL)."""
    clean = {k: v for k, v in params.items() if v is not None and v != ""}
    return path + ("?" + urlencode(clean) if clean else "")


def _safe_url(url: str | None) -> str | None:
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def _cells(result: QueryResult, truncated: bool) -> dict:
    def cell(t: Any) -> dict:
        if t is None:
            return {"text": ""}
        if isinstance(t, ox.NamedNode):
            return {"text": t.value, "href": link("/entity", iri=t.value)}
        return {"text": t.value}

    if result.kind == "ask":
        return {"boolean": result.boolean, "columns": [], "rows": [], "truncated": False}
    if result.kind == "graph":
        rows = [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in result.triples]
        return {"boolean": None, "columns": ["subject", "predicate", "object"], "rows": rows, "truncated": truncated}
    return {"boolean": None, "columns": list(result.variables), "rows": [[cell(t) for t in r] for r in result.rows],
            "truncated": truncated}


class _App:
    """The routes of one server: a store holder, a query runner and the page templates."""

    def __init__(self, settings: Settings, options: ServeOptions) -> None:
        self.settings, self.options = settings, options
        self.holder = StoreHolder(settings.store)
        self.runner = QueryRunner(self.holder, options)
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
        self.env.globals.update(link=link, prefixes=PREFIXES)
        self._index: tuple[int, SearchIndex] | None = None

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        html = self.env.get_template(name).render(nonce=nonce, options=self.options, **context)
        return HTMLResponse(html, status_code=status, headers={
            "Content-Security-Policy": _PAGE_CSP.format(nonce=nonce), "X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer"})

    async def search_index(self) -> SearchIndex:
        """Give the name index of the current store, rebuilt only after the store has changed."""

        def fresh(store: Any) -> SearchIndex:
            generation = self.holder.generation  # current() ran just before: a change bumped it
            if self._index is None or self._index[0] != generation:
                self._index = (generation, SearchIndex(store))
            return self._index[1]

        return await self.runner.call(fresh)

    # ---- SPARQL 1.1 Protocol ------------------------------------------------------------------
    async def sparql(self, request: Request) -> Response:
        params = await request_params(request, self.options.max_request_bytes)
        if "update" in params or request.headers.get("content-type", "").startswith("application/sparql-update"):
            raise QueryError("SPARQL update refused: this endpoint is read-only (change the store with 'reformkg ingest')")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            raise QueryError("default-graph-uri and named-graph-uri are not supported: queries see the union of "
                             "all article graphs (use GRAPH in the query)")
        text = params.get("query")
        if not text:
            return self.page(request, "editor.html", query="", table=None, error=None, formats=[])
        check_query(text, allow_service=self.options.allow_service)
        result, truncated = await self.runner.query(text)
        fmt = choose_format(result.kind, request.headers.get("accept", ""), params.get("format") or params.get("output"))
        encoded = encode_result(result, fmt)
        headers = {"X-ReformKG-Truncated": "true"} if truncated else {}
        return Response(encoded.body, media_type=encoded.media_type, headers=headers)

    # ---- pages --------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        articles = await self.runner.call(list_articles)
        endpoint = str(request.url_for("sparql"))
        return self.page(request, "index.html", articles=articles, location=self.settings.store, endpoint=endpoint)

    async def search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        hits = (await self.search_index()).search(q, limit=25)
        return self.page(request, "search.html", q=q, hits=hits)

    async def _entity_iri(self, request: Request) -> str:
        iri, name = request.query_params.get("iri"), request.query_params.get("name")
        if iri:
            term_of(iri)
            return iri
        if name:
            return await self.runner.call(lambda store: find_entity(store, name))
        raise QueryError("give ?iri= or ?name= of an entity")

    async def entity(self, request: Request) -> Response:
        iri = await self._entity_iri(request)
        is_article = await self.runner.call(lambda s: s.query(f"ASK {{ {term_of(iri)} a <{RKG.Article}> }}").boolean)
        if is_article:
            return RedirectResponse(link("/article", iri=iri), status_code=303)
        articles, relations = _card_limits(request)
        card = await self.runner.call(lambda store: entity_card(store, iri, articles, relations))
        return self.page(request, "entity.html", card=card)

    async def network(self, request: Request) -> Response:
        iri = await self._entity_iri(request)
        graph = await self.runner.call(lambda store: build_network(store, {iri}))
        page = render_network_html(graph, title=graph.nodes[iri]["label"] if iri in graph else "ReformKG")
        return HTMLResponse(page, headers={"Content-Security-Policy": _FRAME_CSP})

    async def article(self, request: Request) -> Response:
        iri = request.query_params.get("iri") or ""
        evidence = request.query_params.get("evidence")
        view = await self.runner.call(lambda store: article_view(store, iri, evidence))
        return self.page(request, "article.html", view=view, evidence_asked=bool(evidence),
                         source_url=_safe_url(view.url))

    async def queries(self, request: Request) -> Response:
        return self.page(request, "queries.html", queries=list_saved_queries(), values={})

    async def _run_saved(self, request: Request) -> tuple[Any, dict[str, str], QueryResult, bool]:
        q = get_saved_query(request.path_params["name"])
        values = {k: v for k, v in request.query_params.items() if v != "" and k != "format"}
        bound = bind_values(q, values)
        result = await self.runner.call(lambda store: store.query(q.sparql, bound))
        capped, truncated = cap_result(result, self.options.max_rows)
        return q, values, capped, truncated

    async def saved_query(self, request: Request) -> Response:
        q, values, result, truncated = await self._run_saved(request)
        return self.page(request, "saved_query.html", q=q, values=values, table=_cells(result, truncated))

    async def editor(self, request: Request) -> Response:
        query = request.query_params.get("query", "")
        if len(query.encode("utf-8")) > self.options.max_request_bytes:
            raise QueryError(f"query longer than {self.options.max_request_bytes} bytes")
        table, error = None, None
        if query.strip():
            try:
                check_query(query, allow_service=self.options.allow_service)
                result, truncated = await self.runner.query(query)
                table = _cells(result, truncated)
            except QueryError as exc:
                error = str(exc)  # shown beside the query so it can be fixed
        return self.page(request, "editor.html", query=query or _EXAMPLE, table=table, error=error,
                         formats=["json", "xml", "csv", "tsv"] if table and table["columns"] != ["subject", "predicate", "object"]
                         else ["turtle", "nt", "jsonld"])

    # ---- JSON API -----------------------------------------------------------------------------
    async def api_search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        limit = _int(request.query_params.get("limit", "10"), "limit", 1, 100)
        hits = (await self.search_index()).search(q, limit=limit)
        return JSONResponse({"query": q, "hits": [h.to_json() for h in hits]})

    async def api_entity(self, request: Request) -> Response:
        iri = await self._entity_iri(request)
        articles, relations = _card_limits(request)
        card = await self.runner.call(lambda store: entity_card(store, iri, articles, relations))
        return JSONResponse(card.to_json())

    async def api_article(self, request: Request) -> Response:
        iri = request.query_params.get("iri") or ""
        view = await self.runner.call(lambda store: article_view(store, iri, request.query_params.get("evidence")))
        return JSONResponse(view.to_json())

    async def api_queries(self, request: Request) -> Response:
        return JSONResponse([q.to_json() for q in list_saved_queries()])

    async def api_saved_query(self, request: Request) -> Response:
        _q, _values, result, truncated = await self._run_saved(request)
        body = serialize_result(result, "json")
        return Response(body, media_type="application/sparql-results+json",
                        headers={"X-ReformKG-Truncated": "true"} if truncated else {})

    async def _links(self, request: Request) -> tuple[str, list[Link]]:
        params = await request_params(request, self.options.max_request_bytes)
        text, title, url = params.get("text", ""), params.get("title"), params.get("url")
        if "body" in params:  # JSON {"text": ..., "title": ..., "url": ...} or a plain-text body
            try:
                data = json.loads(params["body"]) if request.headers.get("content-type", "").startswith(
                    "application/json") else {"text": params["body"]}
            except ValueError as exc:
                raise QueryError(f"request body is not JSON ({exc})") from exc
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise QueryError('send {"text": "the article text"} (title and url optional)')
            text, title, url = data["text"], data.get("title"), data.get("url")
        if not text.strip():
            raise QueryError("no article text given: post it as 'text'")
        links = await self.runner.call(lambda store: link_text(store, text, title, url))
        return text, list(links)

    async def api_link(self, request: Request) -> Response:
        _, links = await self._links(request)
        return JSONResponse({"links": [lk.to_json() for lk in links]})

    async def link_page(self, request: Request) -> Response:
        text, links = ("", []) if request.method == "GET" else await self._links(request)
        return self.page(request, "link.html", text=text, links=links, posted=request.method == "POST")


_EXAMPLE = """PREFIX rkg: <https://w3id.org/reformkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?fund ?name WHERE { ?fund a rkg:Fund ; skos:prefLabel ?name } LIMIT 20"""


def _card_limits(request: Request) -> tuple[int, int]:
    """How many of an entity's most recent articles and relations a card request asks for."""
    return (_int(request.query_params.get("articles", str(CARD_ARTICLES)), "articles", 0, 10_000),
            _int(request.query_params.get("relations", str(CARD_RELATIONS)), "relations", 0, 10_000))


def _int(value: str, name: str, low: int, high: int) -> int:
    if not value.isdigit() or not low <= int(value) <= high:
        raise QueryError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/sparql"))


def _on_error(app: _App):  # type: ignore[no-untyped-def]
    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, TooLarge):
            status, message = 413, str(exc)
        else:
            status, message = getattr(exc, "http_status", 500), str(exc)
        if request.url.path.startswith("/sparql"):
            return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return app.page(request, "error.html", status=status, message=message)

    return handle


def create_app(settings: Settings, options: ServeOptions | None = None,
               allowed_hosts: list[str] | None = None) -> Starlette:
    """Give the web app over the settings' store: endpoint ``/sparql``, pages and ``/api/``.

    ``allowed_hosts`` defaults to the loopback names, so a page elsewhere cannot reach the
    server through DNS rebinding.
    """
    a = _App(settings, options or ServeOptions())
    routes = [
        Route("/", a.home), Route("/search", a.search), Route("/entity", a.entity),
        Route("/network", a.network), Route("/article", a.article), Route("/queries", a.queries),
        Route("/queries/{name}", a.saved_query), Route("/query", a.editor),
        Route("/sparql", a.sparql, methods=["GET", "POST"], name="sparql"),
        Route("/api/search", a.api_search), Route("/api/entity", a.api_entity),
        Route("/api/article", a.api_article), Route("/api/queries", a.api_queries),
        Route("/api/queries/{name}", a.api_saved_query), Route("/api/link", a.api_link, methods=["POST"]),
        Route("/link", a.link_page, methods=["GET", "POST"]),
    ]
    handler = _on_error(a)
    return Starlette(routes=routes, middleware=[Middleware(NoSniff),
                                 Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)],
                     exception_handlers={ReformKGError: handler, TooLarge: handler})
