"""A remote SPARQL 1.1 endpoint as a store: Query, Update and Graph Store protocols over HTTP.

The location is the server's base URL (``http://127.0.0.1:7878``, Oxigraph server layout:
``/query``, ``/update``, ``/store``) or its query endpoint (``.../query`` or ``.../sparql``),
with the update endpoint beside it. One update request per article, or per batch of articles,
keeps writes atomic on servers that run each update in a transaction (Oxigraph, GraphDB, Virtuoso).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import httpx
import pyoxigraph as ox

from .errors import QueryError, StoreError
from .store import GraphWrite, QueryResult, Term, bind_parameters

_SELECT_ACCEPT = "application/sparql-results+json"


def endpoints(url: str) -> tuple[str, str, str]:
    """Give the query, update and graph-store URLs for a store URL, by the server's usual layout.

    ``.../query`` (Oxigraph, Fuseki): updates at ``.../update``; ``.../sparql`` (Virtuoso,
    Neptune, Blazegraph): updates at the same URL; ``.../repositories/NAME`` (GraphDB, RDF4J):
    updates at ``.../statements``; a bare base URL is an Oxigraph server's root.
    """
    base = url.rstrip("/")
    if base.endswith("/query"):
        root = base[: -len("/query")]
        return base, root + "/update", root + "/store"
    if base.endswith("/sparql"):
        return base, base, base[: -len("/sparql")] + "/store"
    if re.search(r"/repositories/[^/]+$", base):
        return base, base + "/statements", base + "/rdf-graphs/service"
    return base + "/query", base + "/update", base + "/store"


def _term(binding: dict) -> Term:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


class RemoteStore:
    """A store behind a SPARQL 1.1 endpoint; queries see the union of named graphs."""

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.location = url
        self.query_url, self.update_url, self.store_url = endpoints(url)
        self._timeout = timeout
        self._http = httpx.Client(timeout=timeout)

    def _post(self, url: str, **kwargs: object) -> httpx.Response:
        try:
            resp = self._http.post(url, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as exc:
            raise StoreError(f"{url}: SPARQL server did not answer in {self._timeout:.0f} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"{url}: SPARQL server unreachable ({exc})") from exc
        if resp.status_code == 400:
            raise QueryError(f"{url}: server refused the request: {resp.text.strip()[:300]}")
        if resp.status_code >= 300:
            raise StoreError(f"{url}: HTTP {resp.status_code}: {resp.text.strip()[:300]}")
        return resp

    def update(self, sparql: str) -> None:
        """Run one SPARQL update (one request, one transaction on the server)."""
        self._post(self.update_url, content=sparql.encode("utf-8"),
                   headers={"Content-Type": "application/sparql-update"})

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        self.write_graphs([GraphWrite(graph_iri, ntriples)])

    def add_to_graph(self, graph_iri: str, ntriples: str) -> None:
        self.write_graphs([GraphWrite(graph_iri, ntriples, replace=False)])

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        # one request, one transaction on the server, for the whole batch
        parts = []
        for w in writes:
            g = ox.NamedNode(w.graph_iri)
            if w.replace:
                parts.append(f"DROP SILENT GRAPH {g}")
            if w.ntriples.strip():
                parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{w.ntriples}\n}} }}")
        if parts:
            self.update(" ;\n".join(parts))

    def drop_graph(self, graph_iri: str) -> None:
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph_iri)}")

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        text = bind_parameters(sparql, bindings)
        resp = self._post(
            self.query_url,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query",
                     "Accept": f"{_SELECT_ACCEPT}, application/n-triples;q=0.9"},
        )
        ctype = resp.headers.get("content-type", "")
        if "n-triples" in ctype or "turtle" in ctype:
            triples = tuple(t for t in ox.parse(resp.content, format=ox.RdfFormat.N_TRIPLES))
            return QueryResult(kind="graph", triples=triples)  # type: ignore[arg-type]
        try:
            data = json.loads(resp.content)
        except ValueError as exc:
            # a server that times out mid-stream may answer 200 with truncated JSON
            raise StoreError(f"{self.query_url}: incomplete results (server timeout?)") from exc
        if "boolean" in data:
            return QueryResult(kind="ask", boolean=bool(data["boolean"]))
        names = tuple(data["head"].get("vars", []))
        rows = tuple(
            tuple(_term(b[n]) if n in b else None for n in names) for b in data["results"]["bindings"]
        )
        return QueryResult(kind="select", variables=names, rows=rows)

    def graphs(self) -> list[str]:
        res = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in res.records())

    def dump_nquads(self) -> bytes:
        try:
            resp = self._http.get(self.store_url, headers={"Accept": "application/n-quads"})
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.store_url}: SPARQL server unreachable ({exc})") from exc
        if resp.status_code < 300 and "n-quads" in resp.headers.get("content-type", ""):
            return resp.content
        # not every server gives the whole dataset over the graph store protocol: ask SPARQL
        res = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in res.rows).encode("utf-8")

    def flush(self) -> None:
        pass  # each update request is durable when the server answers it

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
