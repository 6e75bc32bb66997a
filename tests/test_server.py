"""The web app in process: pages, JSON API, escaping of hostile text, routes that must not leak, ``serve --get``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from conftest import CRAFTED, HOSTILE_NAME, HOSTILE_TITLE
from reformkg.cli import app as cli_app
from reformkg.config import Settings
from reformkg.server import ServeOptions, create_app
from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
ANNOUNCE = CRAFTED[0][4].split(". ")[0] + "."  # "Health Secretary Ann Example announced the ... on Monday."


@pytest.fixture(scope="module")
def seed(seed_store: Path) -> TestClient:
    return TestClient(create_app(Settings(store=str(seed_store))), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def crafted(crafted_store: Path) -> TestClient:
    return TestClient(create_app(Settings(store=str(crafted_store))), base_url="http://127.0.0.1")


def css(el: lxml.html.HtmlElement, selector: str) -> list:
    """Give the elements under ``el`` matching a simple CSS selector (tag, #id, .class, descendants)."""
    path = "."
    for part in selector.split():
        tag, ident, cls = re.fullmatch(r"([a-z0-9]*)(?:#([\w-]+))?(?:\.([\w-]+))?", part).groups()  # type: ignore[union-attr]
        conds = ([f"@id='{ident}'"] if ident else []) + (
            [f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')"] if cls else [])
        path += f"//{tag or '*'}" + "".join(f"[{c}]" for c in conds)
    return el.xpath(path)


def _doc(resp) -> lxml.html.HtmlElement:
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(resp.text)


def _iri(client: TestClient, name: str) -> str:
    hits = client.get("/api/search", params={"q": name}).json()["hits"]
    assert hits and hits[0]["label"] == name, hits
    return hits[0]["iri"]


def test_server_home_lists_the_founding_articles(seed: TestClient) -> None:
    doc = _doc(seed.get("/"))
    links = css(doc, "#articles a")
    assert len(links) == 5
    assert all(parse_qs(urlsplit(a.get("href")).query)["iri"][0].startswith("https://w3id.org/reformkg/id/article/")
               for a in links)


def test_server_search_forgives_typos(seed: TestClient) -> None:
    hits = seed.get("/api/search", params={"q": "dean russel"}).json()["hits"]
    assert hits[0]["label"] == "Dean Russell" and hits[0]["type"] == "Person"
    doc = _doc(seed.get("/search", params={"q": "dean russel"}))
    first = css(doc, "#hits a")[0]
    assert first.text_content() == "Dean Russell" and first.get("href").startswith("/entity?iri=")


def test_server_entity_page_shows_card_relations_and_network(crafted: TestClient) -> None:
    iri = _iri(crafted, "Ann Example")
    doc = _doc(crafted.get("/entity", params={"iri": iri}))
    assert css(doc, "#entity-name")[0].text_content().startswith("Ann Example")
    row = next(r for r in css(doc, "tr.relation") if "announced" in r.text_content())
    assert css(row, "a.other")[0].text_content() == "Care Futures Fund"
    assert css(row, "blockquote")[0].text_content() == ANNOUNCE
    target = parse_qs(urlsplit(css(row, "a.evidence-link")[0].get("href")).query)
    assert target["evidence"] == [ANNOUNCE]
    frame = css(doc, "iframe#network")[0]
    assert frame.get("sandbox") == "allow-scripts" and frame.get("src") == f"/network?iri={iri.replace(':', '%3A').replace('/', '%2F')}"
    net = crafted.get(frame.get("src"))
    assert "default-src 'none'" in net.headers["content-security-policy"]
    data = json.loads(css(lxml.html.fromstring(net.text), "#rkg-data")[0].text)
    assert {"Ann Example", "Care Futures Fund"} <= {n["label"] for n in data["nodes"]}


def test_server_entity_card_lists_as_many_as_asked_and_says_how_many_in_all(crafted: TestClient) -> None:
    iri = _iri(crafted, "Better Homes Programme")
    full = crafted.get("/api/entity", params={"iri": iri}).json()
    assert (full["articles_total"], full["articles_listed"], full["relations_total"]) == (2, 2, 3)
    few = crafted.get("/api/entity", params={"iri": iri, "articles": "1", "relations": "1"}).json()
    assert (few["articles_listed"], few["relations_listed"], few["relations_total"]) == (1, 1, 3)
    assert few["articles"] == full["articles"][:1] and few["relations"] == full["relations"][:1]
    doc = _doc(crafted.get("/entity", params={"iri": iri, "articles": "1", "relations": "1"}))
    assert len(css(doc, "#entity-articles li")) == 1 and len(css(doc, "tr.relation")) == 1
    more = parse_qs(urlsplit(css(doc, "a#more-articles")[0].get("href")).query)
    assert more["articles"] == ["2"] and "3 in all" in css(doc, "#relation-counts")[0].text_content()
    assert len(css(_doc(crafted.get(css(doc, "a#more-relations")[0].get("href"))), "tr.relation")) == 3
    assert crafted.get("/api/entity", params={"iri": iri, "articles": "-1"}).status_code == 400


def test_server_article_page_links_mentions_and_highlights_evidence(crafted: TestClient) -> None:
    iri = _iri(crafted, "Ann Example")
    card = crafted.get("/api/entity", params={"iri": iri}).json()
    article = next(r for r in card["relations"] if r["predicate"] == "announced")["article"]["iri"]
    doc = _doc(crafted.get("/article", params={"iri": article, "evidence": ANNOUNCE}))
    assert "".join(m.text_content() for m in css(doc, "mark.evidence")) == ANNOUNCE
    mentions = {a.text_content(): a.get("href") for a in css(doc, "a.mention")}
    assert mentions["Ann Example"] == f"/entity?iri={iri.replace(':', '%3A').replace('/', '%2F')}"
    assert css(doc, "#article-text")[0].text_content() == CRAFTED[0][4]
    api = crafted.get("/api/article", params={"iri": article}).json()
    ann = next(m for m in api["mentions"] if m["entity"] == iri)
    assert api["text"][ann["start"]:ann["end"]] == "Ann Example"


def test_server_hostile_names_titles_and_urls_stay_text(crafted: TestClient) -> None:
    iri = _iri(crafted, HOSTILE_NAME)
    for resp in (crafted.get("/entity", params={"iri": iri}), crafted.get("/search", params={"q": HOSTILE_NAME}),
                 crafted.get("/")):
        doc = _doc(resp)
        assert css(doc, "img") == []
        scripts = css(doc, "script")
        assert len(scripts) == 1 and scripts[0].get("nonce")  # only the page's own
        assert "nonce-" + scripts[0].get("nonce") in resp.headers["content-security-policy"]
    article = next(iter(crafted.get("/api/entity", params={"iri": iri}).json()["articles"]))["iri"]
    resp = crafted.get("/article", params={"iri": article})
    doc = _doc(resp)
    assert css(doc, "img") == [] and len(css(doc, "script")) == 1
    assert css(doc, "h1")[0].text_content() == HOSTILE_TITLE
    assert HOSTILE_NAME in css(doc, "#article-text")[0].text_content()
    assert not [a for a in doc.iter("a") if (a.get("href") or "").lower().startswith("javascript")]


def test_server_saved_queries_page_has_a_form_for_each_query(seed: TestClient) -> None:
    from reformkg.query import list_saved_queries

    doc = _doc(seed.get("/queries"))
    for q in list_saved_queries():
        form = css(doc, f"#q-{q.name} form")[0]
        assert {i.get("name") for i in css(form, "input")} == {p.name for p in q.parameters}
    table = css(_doc(seed.get("/queries/funds")), "table.results")[0]
    assert len(css(table, "tr")) > 1
    api = seed.get("/api/queries/funds").json()
    assert len(api["results"]["bindings"]) == len(css(table, "tr")) - 1


@pytest.mark.parametrize("path, status", [
    ("/queries/no-such-query", 400), ("/queries/..%2F..%2Fetc%2Fpasswd", 404), ("/queries/%2e%2e", 400),
    ("/api/queries/funds?nonsense=1", 400), ("/entity?iri=not%20an%20iri", 400), ("/article?iri=http://x/none", 400),
    ("/api/search?q=x&limit=0", 400),
])
def test_server_bad_requests_get_clear_errors(seed: TestClient, path: str, status: int) -> None:
    resp = seed.get(path)
    assert resp.status_code == status
    assert "root:" not in resp.text


def test_server_editor_runs_queries_and_refuses_service(seed: TestClient, url_listener) -> None:
    doc = _doc(seed.get("/query", params={"query": "SELECT ?a WHERE { ?a a <https://w3id.org/reformkg/ontology#Article> }"}))
    assert len(css(doc, "table.results tr")) == 6
    doc = _doc(seed.get("/query", params={"query": f"SELECT * WHERE {{ SERVICE <{url_listener.url}> {{ ?s ?p ?o }} }}"}))
    assert "SERVICE refused" in css(doc, "#query-error")[0].text_content()
    assert url_listener.requests == []


NEW_ARTICLE = ("Suffolk leaders met on Tuesday to review progress.\n\nThe council said the Better Care Fund would pay "
               "for two new discharge teams this winter.\n")


def test_server_link_api_finds_the_funds_an_article_names(seed: TestClient) -> None:
    for kwargs in ({"json": {"text": NEW_ARTICLE, "title": "Winter plans"}},
                   {"content": NEW_ARTICLE.encode(), "headers": {"Content-Type": "text/plain"}}):
        resp = seed.post("/api/link", **kwargs)
        assert resp.status_code == 200, resp.text
        best = resp.json()["links"][0]
        assert (best["name"], best["type"]) == ("Better Care Fund", "Fund")
        assert best["evidence"] == "The council said the Better Care Fund would pay for two new discharge teams this winter."
    doc = _doc(seed.post("/link", data={"text": NEW_ARTICLE}))
    assert "Better Care Fund" in [a.text_content() for a in css(doc, "#links a")]


@pytest.mark.parametrize("kwargs", [
    {"json": {"title": "no text"}}, {"json": ["a list"]}, {"data": {"text": "  "}},
    {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
])
def test_server_link_api_refuses_requests_without_text(seed: TestClient, kwargs: dict) -> None:
    resp = seed.post("/api/link", **kwargs)
    assert resp.status_code == 400 and resp.json()["error"]


def test_server_refuses_other_host_names_and_missing_stores(seed: TestClient, tmp_path: Path) -> None:
    assert seed.get("/", headers={"Host": "attacker.example"}).status_code == 400
    gone = TestClient(create_app(Settings(store=str(tmp_path / "none"))), base_url="http://127.0.0.1")
    resp = gone.get("/api/search", params={"q": "x"})
    assert resp.status_code == 503 and "no store here" in resp.json()["error"]


def test_server_cli_get_prints_one_response(runner, seed_store: Path) -> None:
    ok = runner.invoke(cli_app, ["serve", "--store", str(seed_store), "--get", "/api/search?q=norfolk"])
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["hits"][0]["label"] == "Norfolk"
    bad = runner.invoke(cli_app, ["serve", "--store", str(seed_store), "--get", "/sparql?query=DROP%20ALL"])
    assert bad.exit_code == 1
    assert "read-only" in bad.stdout and "HTTP 400" in bad.stderr


def test_server_default_options_are_loopback_and_bounded() -> None:
    options = ServeOptions()
    assert (options.timeout, options.max_rows, options.max_request_bytes, options.allow_service) == (10.0, 10_000, 65536, False)


@pytest.mark.server
def test_server_over_a_remote_sparql_store(seed_store: Path, tmp_path: Path) -> None:
    import shutil
    import socket
    import subprocess
    import sys
    import time

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = Path(sys.executable).parent / "oxigraph"
    proc = subprocess.Popen([str(binary), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        remote = TestClient(create_app(Settings(store=f"http://127.0.0.1:{port}")), base_url="http://127.0.0.1")
        hits = remote.get("/api/search", params={"q": "dean russel"}).json()["hits"]
        assert hits[0]["label"] == "Dean Russell"
        assert _doc(remote.get("/entity", params={"iri": hits[0]["iri"]})).xpath("//h1")[0].text_content().startswith(
            "Dean Russell")
        count = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://w3id.org/reformkg/ontology#Article> }"
        assert remote.get("/sparql", params={"query": count, "format": "csv"}).text.split() == ["n", "5"]
        assert remote.post("/sparql", data={"update": "DROP ALL"}).status_code == 400
    finally:
        proc.terminate()
        proc.wait(10)
