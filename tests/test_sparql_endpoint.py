"""The /sparql endpoint through real clients (SPARQLWrapper, rdflib's SPARQLStore) on 127.0.0.1:<free port>."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import uvicorn
from rdflib.compare import to_isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from reformkg.config import Settings
from reformkg.server import ServeOptions, create_app
from reformkg.store import EmbeddedStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

pytestmark = pytest.mark.server

PEOPLE = """PREFIX rkg: <https://w3id.org/reformkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?name WHERE { ?e a rkg:Person ; skos:prefLabel ?name } ORDER BY ?e"""
ASK_PERSON = "ASK { ?e a <https://w3id.org/reformkg/ontology#Person> }"
ASK_NOTHING = "ASK { ?e a <https://w3id.org/reformkg/ontology#NoSuchClass> }"
FUNDS = """PREFIX rkg: <https://w3id.org/reformkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?f a rkg:Fund ; skos:prefLabel ?name } WHERE { ?f a rkg:Fund ; skos:prefLabel ?name }"""


@pytest.fixture(scope="module")
def expected(seed_store: Path) -> dict:
    """What the store itself answers, read directly (the server must agree)."""
    with EmbeddedStore(seed_store, read_only=True) as st:
        people = {(r["e"], r["name"]) for r in st.query(PEOPLE).values()}
        funds = rdflib.Graph()
        for t in st.query(FUNDS).triples:
            funds.parse(data=f"{t.subject} {t.predicate} {t.object} .", format="nt")
    assert people and len(funds) > 0
    return {"people": people, "funds": funds}


@pytest.fixture(scope="module")
def endpoint(seed_store: Path) -> Iterator[str]:
    """A real server over the seed store on a free loopback port, in a thread."""
    app = create_app(Settings(store=str(seed_store)), ServeOptions(max_rows=1000))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/sparql"
    server.should_exit = True
    thread.join(5)


def _wrapper(url: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    w = SPARQLWrapper(url)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    w.setMethod(method)
    return w


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparql_endpoint_select_json_and_xml_with_sparqlwrapper(endpoint: str, expected: dict, method: str) -> None:
    data = _wrapper(endpoint, PEOPLE, JSON, method).query().convert()
    assert {(b["e"]["value"], b["name"]["value"]) for b in data["results"]["bindings"]} == expected["people"]
    doc = _wrapper(endpoint, PEOPLE, XML, method).query().convert()
    rows = set()
    for result in doc.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.nodeValue for b in result.getElementsByTagName("binding")}
        rows.add((values["e"], values["name"]))
    assert rows == expected["people"]


def test_sparql_endpoint_select_csv_and_tsv_with_sparqlwrapper(endpoint: str, expected: dict) -> None:
    text = _wrapper(endpoint, PEOPLE, CSV).query().convert().decode("utf-8")
    assert {(r["e"], r["name"]) for r in csv.DictReader(io.StringIO(text))} == expected["people"]
    lines = _wrapper(endpoint, PEOPLE, TSV).query().convert().decode("utf-8").splitlines()
    assert lines[0] == "?e\t?name"
    parsed = {tuple(line.split("\t")) for line in lines[1:]}
    assert parsed == {(f"<{e}>", rdflib.Literal(n).n3()) for e, n in expected["people"]}


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparql_endpoint_ask_with_sparqlwrapper(endpoint: str, fmt: str) -> None:
    def ask(q: str) -> bool:
        answer = _wrapper(endpoint, q, fmt).query().convert()
        if fmt == JSON:
            return answer["boolean"]
        return answer.getElementsByTagName("boolean")[0].firstChild.nodeValue == "true"

    assert ask(ASK_PERSON) is True
    assert ask(ASK_NOTHING) is False


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparql_endpoint_ask_in_csv_and_tsv(endpoint: str, fmt: str) -> None:
    assert _wrapper(endpoint, ASK_PERSON, fmt).query().convert().decode().split() == ["boolean", "true"]
    assert _wrapper(endpoint, ASK_NOTHING, fmt).query().convert().decode().split() == ["boolean", "false"]


@pytest.mark.parametrize("fmt", [TURTLE, N3, XML, JSONLD])
def test_sparql_endpoint_construct_with_sparqlwrapper(endpoint: str, expected: dict, fmt: str) -> None:
    result = _wrapper(endpoint, FUNDS, fmt).query()
    converted = result.convert()
    if isinstance(converted, bytes):  # Turtle and N3 come back as text
        converted = rdflib.Graph().parse(data=converted.decode("utf-8"), format="turtle")
    assert to_isomorphic(converted) == to_isomorphic(expected["funds"])


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_sparql_endpoint_select_ask_construct_with_rdflib_sparqlstore(endpoint: str, expected: dict, fmt: str) -> None:
    g = rdflib.Graph(SPARQLStore(endpoint, returnFormat=fmt, method="POST_FORM"))
    rows = {(str(r.e), str(r.name)) for r in g.query(PEOPLE)}
    assert rows == expected["people"]
    if fmt != "csv":  # the CSV results format has no boolean, so rdflib cannot read ASK from it
        assert g.query(ASK_PERSON).askAnswer is True
        assert g.query(ASK_NOTHING).askAnswer is False
    constructed = g.query(FUNDS).graph
    assert to_isomorphic(constructed) == to_isomorphic(expected["funds"])


def test_sparql_endpoint_refuses_updates_from_clients(endpoint: str) -> None:
    w = SPARQLWrapper(endpoint, updateEndpoint=endpoint)
    w.setMethod(POST)
    w.setQuery("INSERT DATA { <http://example.org/x> a <https://w3id.org/reformkg/ontology#Person> }")
    with pytest.raises(QueryBadFormed, match="read-only"):
        w.query()
    store = SPARQLUpdateStore(endpoint, endpoint)
    with pytest.raises(Exception, match="400"):
        store.update("DROP ALL")
    assert _wrapper(endpoint, "ASK { <http://example.org/x> ?p ?o }", JSON).query().convert()["boolean"] is False
    assert _wrapper(endpoint, ASK_PERSON, JSON).query().convert()["boolean"] is True


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z . service silent <{url}> { ?s ?p ?o } } LIMIT 1",
    r"SELECT * WHERE { \u0053ERVICE <{url}> { ?s ?p ?o } }",
    "PREFIX : <{url}> SELECT * WHERE { SERVICESILENT:{} }",
])
def test_sparql_endpoint_refuses_service_and_fetches_nothing(endpoint: str, url_listener, query: str) -> None:
    w = _wrapper(endpoint, query.replace("{url}", url_listener.url), JSON)
    with pytest.raises(QueryBadFormed, match="SERVICE refused"):
        w.query()
    assert url_listener.requests == []


# ---- in process: the protocol's corners, the limits, and a store that changes underneath ------------

@pytest.fixture(scope="module")
def client(seed_store: Path):
    from starlette.testclient import TestClient

    return TestClient(create_app(Settings(store=str(seed_store)), ServeOptions(max_request_bytes=2000)),
                      base_url="http://127.0.0.1")


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv", "text/csv"), ("image/png", "application/sparql-results+json"),
])
def test_sparql_endpoint_negotiates_results_formats(client, accept: str, media: str) -> None:
    resp = client.get("/sparql", params={"query": PEOPLE}, headers={"Accept": accept})
    assert resp.status_code == 200
    assert resp.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_sparql_endpoint_construct_in_each_rdf_format(client, expected: dict, accept: str, fmt: str) -> None:
    resp = client.post("/sparql", content=FUNDS.encode(), headers={"Content-Type": "application/sparql-query",
                                                                   "Accept": accept})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith(accept)
    assert to_isomorphic(rdflib.Graph().parse(data=resp.text, format=fmt)) == to_isomorphic(expected["funds"])


def test_sparql_endpoint_format_parameter_and_form_post(client) -> None:
    resp = client.post("/sparql", data={"query": ASK_PERSON, "format": "xml"})
    assert resp.headers["content-type"].startswith("application/sparql-results+xml")
    assert "<boolean>true</boolean>" in resp.text


def test_sparql_endpoint_caps_rows_and_says_so(seed_store: Path, expected: dict) -> None:
    from starlette.testclient import TestClient

    app = create_app(Settings(store=str(seed_store)), ServeOptions(max_rows=3))
    resp = TestClient(app, base_url="http://127.0.0.1").get("/sparql", params={"query": PEOPLE})
    assert len(expected["people"]) > 3
    assert len(resp.json()["results"]["bindings"]) == 3
    assert resp.headers["x-reformkg-truncated"] == "true"


def test_sparql_endpoint_refuses_oversized_requests(client) -> None:
    padding = "#" + "x" * 3000 + "\n"
    assert client.post("/sparql", content=(padding + PEOPLE).encode(),
                       headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert client.get("/sparql", params={"query": padding + PEOPLE}).status_code == 413


@pytest.mark.parametrize("request_kwargs, message", [
    ({"data": {"update": "DROP ALL"}}, "read-only"),
    ({"content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}, "read-only"),
    ({"data": {"query": ASK_PERSON, "default-graph-uri": "http://g/"}}, "not supported"),
    ({"data": {"query": "SELECT * WHERE { ?s ?p }"}}, "syntax error"),
    ({"content": b"x", "headers": {"Content-Type": "image/png"}}, "unsupported content type"),
])
def test_sparql_endpoint_answers_bad_requests_with_400(client, request_kwargs: dict, message: str) -> None:
    resp = client.post("/sparql", **request_kwargs)
    assert resp.status_code == 400
    assert message in resp.text and "\n" == resp.text[-1] and resp.text.count("\n") == 1
    assert resp.headers["content-type"].startswith("text/plain") and resp.headers["x-content-type-options"] == "nosniff"


def test_sparql_endpoint_times_out_with_503(seed_store: Path) -> None:
    from starlette.testclient import TestClient

    app = create_app(Settings(store=str(seed_store)), ServeOptions(timeout=0.05))
    slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } }"
    started = time.monotonic()
    resp = TestClient(app, base_url="http://127.0.0.1").get("/sparql", params={"query": slow})
    assert resp.status_code == 503 and "did not finish in 0.05 s" in resp.text
    assert time.monotonic() - started < 0.6


def test_sparql_endpoint_abandoned_queries_keep_their_slot(seed_store: Path) -> None:
    from starlette.testclient import TestClient

    app = create_app(Settings(store=str(seed_store)), ServeOptions(timeout=0.05, max_concurrent=1))
    client = TestClient(app, base_url="http://127.0.0.1")
    slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } }"
    assert "did not finish" in client.get("/sparql", params={"query": slow}).text
    # the timed-out query still runs (pyoxigraph cannot cancel it), so it still holds the only slot
    busy = client.get("/sparql", params={"query": ASK_PERSON})
    assert busy.status_code == 503 and "server busy" in busy.text
    deadline = time.monotonic() + 300  # liveness only: on a loaded 2-core machine the query took over 30 s
    while client.get("/sparql", params={"query": ASK_PERSON}).status_code == 503:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_sparql_endpoint_with_service_allowed_does_fetch(seed_store: Path, url_listener) -> None:
    # the control for the refusal tests: only --allow-service lets a query reach another endpoint
    from starlette.testclient import TestClient

    app = create_app(Settings(store=str(seed_store)), ServeOptions(allow_service=True))
    resp = TestClient(app, base_url="http://127.0.0.1").get(
        "/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{url_listener.url}> {{ ?s ?p ?o }} }}"})
    assert resp.status_code >= 400
    assert url_listener.requests


def test_sparql_endpoint_sees_articles_stored_while_it_runs(seed_store: Path, tmp_path: Path) -> None:
    import shutil

    from starlette.testclient import TestClient

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    client = TestClient(create_app(Settings(store=str(store))), base_url="http://127.0.0.1")
    ask = {"query": "ASK { GRAPH <http://example.org/graph/new> { ?s ?p ?o } }"}
    assert client.get("/sparql", params=ask).json()["boolean"] is False
    before = client.get("/api/search", params={"q": "Zed Newcomer"}).json()["hits"]
    assert "Zed Newcomer" not in {h["label"] for h in before}
    person = ("<http://example.org/zed> a <https://w3id.org/reformkg/ontology#Person> ; "
              "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Zed Newcomer\" .")
    with EmbeddedStore(store) as writer:
        writer.replace_graph("http://example.org/graph/new", person)
        writer.close()
        # the writer is still open, as a running ingest would be; the next queries see its article
        answers = [client.get("/sparql", params=ask).json()["boolean"] for _ in range(5)]
    assert answers[-1] is True
    assert client.get("/api/search", params={"q": "Zed Newcomer"}).json()["hits"][0]["iri"] == "http://example.org/zed"
