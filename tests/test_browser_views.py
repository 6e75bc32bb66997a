"""The views in a real headless Chromium, network blocked: they draw, stay quiet, keep hostile text inert, show cards."""

from __future__ import annotations

import json
import time
from pathlib import Path

import networkx as nx
import pytest
from conftest import HOSTILE_ALIAS, HOSTILE_NAME
from reformkg.cli import app
from reformkg.render import PHYSICS_MAX_NODES, render_network_html

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install -y chromium; scripts/install-test-deps.sh)"),
]



class Visit:
    """One page in a fresh context with the network blocked, recording what it tried and said."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())

    def _route(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def wait(self, expression: str, timeout: float = 60) -> None:
        # polled from here: the page's CSP forbids the eval that page.wait_for_function relies on
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            assert time.monotonic() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.05)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)


@pytest.fixture()
def visit(browser):
    visits: list[Visit] = []

    def open_page(path: Path) -> Visit:
        visits.append(Visit(browser, path))
        return visits[-1]

    yield open_page
    for v in visits:
        v.context.close()


def _render(runner, store: Path, out: Path, *args: str) -> Path:
    result = runner.invoke(app, ["render", "--out", str(out), "--store", str(store), *args])
    assert result.exit_code == 0, result.stderr
    return out


def test_browser_views_seed_network_draws_every_entity_offline(runner, seed_store: Path, tmp_path: Path, visit):
    v = visit(_render(runner, seed_store, tmp_path / "seed.html"))
    v.wait("window.reformkg && window.reformkg.stable")
    stats = json.loads(runner.invoke(app, ["stats", "--store", str(seed_store), "--format", "json"]).stdout)
    assert v.js("window.reformkg.nodes.length") == sum(stats["entities"].values()) > 0
    # one edge per statement (a relation stated in two articles is two edges, each with its evidence)
    triples = v.js("new Set(window.reformkg.edges.get().map(e => e.from + ' ' + e.predicate + ' ' + e.to)).size")
    assert triples == sum(stats["relations"].values()) <= v.js("window.reformkg.edges.length")
    assert v.js("window.reformkg.network.body.data.nodes.length") == sum(stats["entities"].values())
    assert v.errors == [] and v.blocked == [] and v.dialogs == []
    assert v.js("document.querySelectorAll('.legend li').length") == sum(1 for n in stats["entities"].values() if n)


def test_browser_views_hostile_text_never_executes(runner, crafted_store: Path, tmp_path: Path, visit):
    path = _render(runner, crafted_store, tmp_path / "hostile.html", "--focus", HOSTILE_NAME, "--depth", "2")
    v = visit(path)
    v.wait("window.reformkg && window.reformkg.stable")
    iri = v.js("(name) => window.reformkg.nodes.get().find(n => n.label === name).iri", HOSTILE_NAME)
    v.js("(iri) => window.reformkg.showCard(iri)", iri)
    # hover the hostile node: vis-network's own tooltip must show the raw text, as text
    point = v.js("(iri) => { const s = window.reformkg, id = s.idOf(iri); "
                 "return s.network.canvasToDOM(s.network.getPositions([id])[id]); }", iri)
    box = v.page.locator("#graph").bounding_box()
    v.page.mouse.move(box["x"] + point["x"] - 3, box["y"] + point["y"])
    v.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    v.wait("(() => { const t = document.querySelector('div.vis-tooltip'); "
           "return t && t.style.visibility !== 'hidden' && t.textContent.length > 0; })()", timeout=10)
    tooltip = v.js("document.querySelector('div.vis-tooltip').textContent")
    assert HOSTILE_NAME in tooltip and HOSTILE_ALIAS.replace("\u2028", "") in tooltip.replace("\u2028", "")
    assert "&amp;" not in tooltip and "&lt;" not in tooltip
    # innerText turns line breaks into <br>: nothing else may appear inside the tooltip
    assert v.js("document.querySelectorAll('div.vis-tooltip *:not(br)').length") == 0
    assert v.js("typeof window.__pwned") == "undefined"
    assert v.dialogs == [] and v.errors == [] and v.blocked == []
    assert v.js("document.querySelectorAll('img').length") == 0
    assert v.js("document.querySelectorAll('script').length") == 3
    assert v.js("document.title") == f"ReformKG: {HOSTILE_NAME}"
    assert v.js("document.querySelector('#card h2').textContent") == HOSTILE_NAME
    names = v.js("Array.from(document.querySelectorAll('#card li')).map(li => li.textContent)")
    assert HOSTILE_NAME in names and HOSTILE_ALIAS in names
    # tooltips are plain text: the raw characters, no entities shown to the reader
    title = v.js("(iri) => window.reformkg.nodes.get(window.reformkg.idOf(iri)).title", iri)
    assert HOSTILE_NAME in title and "&amp;" not in title and "&lt;" not in title
    # the hostile article's javascript: URL is shown as text, never as a link
    assert v.js("Array.from(document.querySelectorAll('a')).filter(a => !/^https?:/.test(a.href)).length") == 0


def test_browser_views_click_on_a_node_shows_its_card(crafted_store: Path, runner, tmp_path: Path, visit):
    v = visit(_render(runner, crafted_store, tmp_path / "click.html"))
    v.wait("window.reformkg && window.reformkg.stable")
    assert v.js("window.reformkg.nodes.length") == 8
    node = v.js("window.reformkg.nodes.get().find(n => n.label === 'Care Futures Fund').id")
    point = v.js("(id) => { const n = window.reformkg.network; return n.canvasToDOM(n.getPositions([id])[id]); }",
                 node)
    box = v.page.locator("#graph").bounding_box()
    v.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    v.wait("document.querySelector('#card h2') !== null", timeout=10)
    card = v.page.locator("#card")
    assert card.locator("h2").text_content() == "Care Futures Fund"
    text = card.text_content()
    assert "£40,000,000" in text and "The £40m Care Futures Fund will be allocated to Northshire." in text
    link = card.locator("a").first
    assert link.get_attribute("href") == "https://example.org/care-futures"
    assert v.errors == [] and v.blocked == []


def test_browser_views_timeline_chart_loads_quietly(runner, crafted_store: Path, tmp_path: Path, visit):
    out = tmp_path / "timeline.html"
    result = runner.invoke(app, ["timeline", "--out", str(out), "--store", str(crafted_store)])
    assert result.exit_code == 0, result.stderr
    events = json.loads(runner.invoke(app, ["timeline", "--store", str(crafted_store), "--format", "json"]).stdout)
    v = visit(out)
    v.wait("document.readyState === 'complete'")
    assert v.js("document.querySelectorAll('circle.event').length") == sum(1 for e in events if e["date"])
    assert v.js("document.querySelectorAll('tr.event-row').length") == len(events)
    assert v.errors == [] and v.blocked == [] and v.dialogs == []


@pytest.mark.slow
def test_browser_views_large_graph_is_drawn_where_python_laid_it_out(tmp_path: Path, visit):
    n = PHYSICS_MAX_NODES * 3
    g = nx.MultiDiGraph(articles={"urn:a": {"title": "A <b>title</b>", "date": "2024-01-01", "url": None}})
    for i in range(n):
        g.add_node(f"urn:e:{i}", label=f"entity {i}", type="Fund", aliases=[], identifiers=[], amount_gbp=None,
                   articles=["urn:a"], posts=[])
    for i in range(n):
        g.add_edge(f"urn:e:{i}", f"urn:e:{(i * 7 + 1) % n}", predicate="funds", evidence=f"Sentence {i}.",
                   article="urn:a")
    path = tmp_path / "large.html"
    path.write_text(render_network_html(g), encoding="utf-8")
    v = visit(path)
    v.wait("window.reformkg && window.reformkg.stable", timeout=120)
    assert v.js("window.reformkg.nodes.length") == n and v.js("window.reformkg.edges.length") == n
    moved = v.js("""() => { const s = window.reformkg, pos = s.network.getPositions();
        return s.nodes.get().filter(n => Math.abs(pos[n.id].x - n.x) > 0.5 || Math.abs(pos[n.id].y - n.y) > 0.5).length; }""")
    assert moved == 0  # physics stayed off: the page shows the layout computed in Python
    assert v.errors == [] and v.blocked == []
