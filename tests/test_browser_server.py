"""The web app in headless Chromium against a real server, network blocked but for 127.0.0.1: find, read, stay inert."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from conftest import CRAFTED, HOSTILE_NAME
from reformkg.cli import app as cli_app
from reformkg.config import Settings
from reformkg.server import create_app
from reformkg.store import EmbeddedStore

CHROMIUM = Path("/usr/bin/chromium")
ANNOUNCE = CRAFTED[0][4].split(". ")[0] + "."
# an article of our own, ingested through the real pipeline, whose text tries every trick
HOSTILE_ARTICLE = """Northshire Council backs new fund

Northshire Council announced the £5m Riverside Renewal Fund on Monday. <script>window.__pwned = 21</script>
Council leader Bo Sample said the Riverside Renewal Fund would help Northshire. "><img src=x onerror="window.__pwned = 22">
Read the plan at <a href="javascript:window.__pwned = 23">this link</a> or javascript:window.__pwned = 24 today.
"""

pytestmark = [
    pytest.mark.browser, pytest.mark.server, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def base_url(crafted_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server over the crafted articles plus HOSTILE_ARTICLE ingested by ``reformkg ingest``."""
    from typer.testing import CliRunner

    root = tmp_path_factory.mktemp("browser-server")
    store = root / "store"
    (root / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    done = CliRunner().invoke(cli_app, ["ingest", str(root / "hostile.txt"), "--store", str(store), "--quiet"])
    assert done.exit_code == 0, done.stderr
    # the crafted articles' graphs are copied in as they are (no second resolution of their entities)
    with EmbeddedStore(crafted_store, read_only=True) as source, EmbeddedStore(store) as target:
        for graph in source.graphs():
            triples = source.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").triples
            target.replace_graph(graph, "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples))
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(store=str(store))), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(5)



@pytest.fixture()
def page(browser, base_url: str):
    """A fresh page that may reach only the test server; it records blocked requests, errors and dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(base_url + "/"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    p = context.new_page()
    p.blocked, p.errors, p.dialogs = blocked, [], []  # type: ignore[attr-defined]
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    p.base = base_url  # type: ignore[attr-defined]
    yield p
    context.close()


def _wait(target, expression: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not target.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def test_browser_server_search_entity_network_and_evidence(page) -> None:
    page.goto(page.base + "/")
    page.fill("#q", "ann exampel")
    _wait(page, "Array.from(document.querySelectorAll('#suggestions option')).some(o => o.value === 'Ann Example')",
          timeout=10)
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    page.click("#hits a >> nth=0")
    page.wait_for_url("**/entity?iri=*")
    assert page.text_content("#entity-name").startswith("Ann Example")
    frame = page.locator("#network").element_handle().content_frame()
    _wait(frame, "window.reformkg && window.reformkg.stable")
    labels = frame.evaluate("window.reformkg.nodes.get().map(n => n.label)")
    assert {"Ann Example", "Care Futures Fund"} <= set(labels)
    assert frame.evaluate("document.querySelector('canvas') !== null")
    row = page.locator("tr.relation", has_text="announced")
    assert row.locator("a.other").text_content() == "Care Futures Fund"
    row.locator("a.evidence-link").click()
    page.wait_for_url("**/article?iri=*")
    marked = page.locator("mark.evidence")
    assert "".join(marked.all_text_contents()) == ANNOUNCE
    assert marked.first.is_visible()
    page.locator("a.mention", has_text="Care Futures Fund").first.click()
    page.wait_for_url("**/entity?iri=*")
    assert page.text_content("#entity-name").startswith("Care Futures Fund")
    assert page.blocked == [] and page.errors == [] and page.dialogs == []


def test_browser_server_hostile_article_is_shown_never_run(page) -> None:
    page.goto(page.base + "/search?q=Riverside+Renewal+Fund")
    page.locator("#hits a", has_text="Riverside Renewal Fund").first.click()
    page.wait_for_url("**/entity?iri=*")
    page.goto(page.base + page.locator("#entity-articles a").first.get_attribute("href"))
    page.mouse.move(300, 300)
    shown = page.text_content("#article-text")
    for trick in ("<script>window.__pwned = 21</script>", '"><img src=x onerror="window.__pwned = 22">',
                  '<a href="javascript:window.__pwned = 23">', "javascript:window.__pwned = 24"):
        assert trick in shown
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("Array.from(document.links).filter(a => !a.href.startsWith(location.origin)).length") == 0
    assert page.locator("a.mention").count() > 0
    assert page.blocked == [] and page.errors == [] and page.dialogs == []


def test_browser_server_hostile_entity_page_and_its_network_stay_inert(page) -> None:
    page.goto(page.base + "/search?q=" + "script")
    page.locator("#hits a", has_text=HOSTILE_NAME).click()
    page.wait_for_url("**/entity?iri=*")
    assert page.text_content("#entity-name").startswith(HOSTILE_NAME)
    frame = page.locator("#network").element_handle().content_frame()
    _wait(frame, "window.reformkg && window.reformkg.stable")
    page.mouse.move(640, 600)
    for target in (page, frame):
        assert target.evaluate("typeof window.__pwned") == "undefined"
        assert target.evaluate("document.querySelectorAll('img').length") == 0
    assert page.blocked == [] and page.errors == [] and page.dialogs == []
