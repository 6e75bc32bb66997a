"""The network and timeline pages, parsed: offline, escaped, legend, sizes, layouts; the render command's filters."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from conftest import HOSTILE_ALIAS, HOSTILE_NAME, HOSTILE_TITLE
from hypothesis import given
from hypothesis import strategies as st
from reformkg.cli import app
from reformkg.explore import ArticleRef, TimelineEvent, build_network
from reformkg.render import (
    PHYSICS_MAX_NODES,
    layout_positions,
    render_network_html,
    render_timeline_html,
    script_json,
)
from reformkg.store import open_store


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, scripts, title, texts by tag."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.texts: list[tuple[str, str]] = []
        self._open: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        where = self._open[-1] if self._open else ""
        if where == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        self.texts.append((where, data))

    def data(self) -> dict:
        return json.loads(next(body for attrs, body in self.scripts if attrs.get("id") == "rkg-data"))


def _offline(page: Page, text: str) -> None:
    assert not [t for t, a in page.tags if t in ("script", "img", "link", "iframe") and ("src" in a or "href" in a)]
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", text, re.IGNORECASE)
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//|@import", text, re.IGNORECASE)


@pytest.fixture()
def crafted_graph(crafted_store: Path) -> nx.MultiDiGraph:
    store = open_store(str(crafted_store), read_only=True)
    try:
        return build_network(store)
    finally:
        store.close()


@given(st.text())
def test_render_script_json_round_trips_and_cannot_close_a_script(value: str) -> None:
    text = script_json({"v": value, "list": [value]})
    assert json.loads(text) == {"v": value, "list": [value]}
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}


def test_render_network_page_is_offline_and_hostile_text_is_inert(crafted_graph) -> None:
    text = render_network_html(crafted_graph, title=HOSTILE_TITLE)
    page = Page(text)
    _offline(page, text)
    assert [t for t, _ in page.tags if t == "img"] == []  # no injected element survived as markup
    assert len(page.scripts) == 3 and all("src" not in a for a, _ in page.scripts)
    assert ("title", HOSTILE_TITLE) in page.texts and ("h1", HOSTILE_TITLE) in page.texts
    data = page.data()
    hostile = next(n for n in data["nodes"] if n["label"] == HOSTILE_NAME)
    assert hostile["aliases"] == [HOSTILE_ALIAS]  # raw text: the page sets it as text, never as markup
    assert "&amp;" not in json.dumps(data) and "&lt;" not in json.dumps(data)
    articles = {a["iri"].rsplit("/", 1)[-1]: a for a in data["articles"]}
    assert articles["craft-c"]["title"] == HOSTILE_TITLE
    # the page links an article only for an http(s) URL: check the guard is there
    assert "/^https?:\\/\\//i.test(a.url)" in text


def test_render_network_data_has_every_node_edge_evidence_and_card(crafted_graph) -> None:
    data = Page(render_network_html(crafted_graph)).data()
    assert len(data["nodes"]) == crafted_graph.number_of_nodes() == 8
    assert len(data["edges"]) == crafted_graph.number_of_edges() == 8
    by_id = {n["id"]: n for n in data["nodes"]}
    triples = {(by_id[e["from"]]["label"], e["predicate"], by_id[e["to"]]["label"]) for e in data["edges"]}
    assert ("Ann Example", "announced", "Care Futures Fund") in triples
    announced = next(e for e in data["edges"] if e["predicate"] == "announced")
    assert announced["evidence"] == "Health Secretary Ann Example announced the Care Futures Fund on Monday."
    assert data["articles"][announced["article"]]["title"] == "Minister unveils Care Futures Fund"
    ann = next(n for n in data["nodes"] if n["label"] == "Ann Example")
    assert ann["identifiers"] == [["wikidata", "Q99999001"]] and ann["posts"][0]["role"] == "Health Secretary"
    degree = dict(crafted_graph.degree())
    sizes = sorted((degree[n["iri"]], n["size"]) for n in data["nodes"])
    assert [s for _, s in sizes] == sorted(s for _, s in sizes) and sizes[0][1] < sizes[-1][1]


def test_render_legend_lists_the_types_drawn(crafted_graph) -> None:
    page = Page(render_network_html(crafted_graph))
    items = [t.strip() for where, t in page.texts if where == "li" and t.strip()]
    assert items == ["Person (2)", "Organisation (2)", "Region (2)", "Fund (1)", "Programme (1)"]


def _chain(n: int) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(articles={})
    for i in range(n):
        g.add_node(f"urn:x:{i}", label=f"node {i}", type="Region", aliases=[], identifiers=[], amount_gbp=None,
                   articles=[], posts=[])
    for i in range(1, n):
        g.add_edge(f"urn:x:{i - 1}", f"urn:x:{i}", predicate="part_of", evidence=f"sentence {i}", article=None)
    return g


def test_render_large_graphs_get_a_precomputed_layout_and_no_physics() -> None:
    small = Page(render_network_html(_chain(20))).data()
    assert small["options"]["physics"]["enabled"] and "x" not in small["nodes"][0]
    assert small["options"]["physics"]["stabilization"]["iterations"] > 0
    large = Page(render_network_html(_chain(PHYSICS_MAX_NODES + 1))).data()
    assert not large["options"]["physics"]["enabled"]
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in large["nodes"])
    assert "label" not in large["edges"][0]  # edge labels only on small graphs: they cost a frame each


def test_render_layout_is_deterministic_and_spreads_nodes() -> None:
    g = _chain(300)
    pos = layout_positions(g)
    assert pos == layout_positions(g) and len(set(pos.values())) == 300
    linked = [abs(pos[f"urn:x:{i}"][0] - pos[f"urn:x:{i + 1}"][0]) for i in range(299)]
    spread = max(x for x, _ in pos.values()) - min(x for x, _ in pos.values())
    assert sum(linked) / len(linked) < spread / 4  # neighbours sit closer than the layout is wide
    assert layout_positions(nx.MultiDiGraph()) == {}


def test_render_timeline_page_charts_dated_events_and_escapes_text() -> None:
    art = ArticleRef("urn:a", HOSTILE_TITLE, "2024-01-02")
    events = [TimelineEvent("2023-05-01", "fund", "urn:f", "F", f"Fund reported: {HOSTILE_NAME}", HOSTILE_ALIAS, art),
              TimelineEvent("2024-01-02", "post", "urn:p", "P", "P: Mayor & Leader", None, art),
              TimelineEvent(None, "programme", "urn:g", "G", "Programme reported: G", None, art)]
    text = render_timeline_html(events, title=HOSTILE_NAME)
    page = Page(text)
    _offline(page, text)
    assert [t for t, _ in page.tags if t in ("img", "script")] == []
    assert len([t for t, _ in page.tags if t == "circle"]) == 2  # the undated event is only in the table
    cells = [t for where, t in page.texts if where == "td"]
    assert f"Fund reported: {HOSTILE_NAME}" in cells and HOSTILE_ALIAS in cells and "undated" in cells
    assert ("title", HOSTILE_NAME) in page.texts


def test_render_cli_filters_the_founding_corpus(runner, seed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "people.html"
    result = runner.invoke(app, ["render", "--out", str(out), "--type", "Person", "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    nodes = Page(out.read_text(encoding="utf-8")).data()["nodes"]
    stats = json.loads(runner.invoke(app, ["stats", "--store", str(seed_store), "--format", "json"]).stdout)
    assert len(nodes) == stats["entities"]["Person"] > 0 and {n["type"] for n in nodes} == {"Person"}
    focus = nodes[0]["label"]
    near = tmp_path / "near.html"
    result = runner.invoke(app, ["render", "--out", str(near), "--focus", focus, "--depth", "1",
                                 "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    assert focus in [n["label"] for n in Page(near.read_text(encoding="utf-8")).data()["nodes"]]


@pytest.mark.parametrize("args, message", [
    (["--type", "Planet"], "unknown entity type 'Planet'"),
    (["--predicate", "likes"], "unknown predicate 'likes'"),
    (["--since", "May 2022"], "bad date 'May 2022'"),
    (["--focus", "Qqqq Zzzz Xxxx"], "no entity named 'Qqqq Zzzz Xxxx'"),
])
def test_render_cli_bad_filters_exit_4(runner, seed_store: Path, tmp_path: Path, args, message) -> None:
    out = tmp_path / "x.html"
    result = runner.invoke(app, ["render", "--out", str(out), *args, "--store", str(seed_store)])
    assert result.exit_code == 4 and message in result.stderr and not out.exists()


def test_render_cli_dates_and_predicates_on_crafted_store(runner, crafted_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = runner.invoke(app, ["render", "--out", str(out), "--since", "2024-01-01", "--until", "2024-12-31",
                                 "--predicate", "announced", "--predicate", "allocated_to",
                                 "--store", str(crafted_store)])
    assert result.exit_code == 0, result.stderr
    data = Page(out.read_text(encoding="utf-8")).data()
    assert sorted(e["predicate"] for e in data["edges"]) == ["allocated_to", "announced"]
    assert sorted(n["label"] for n in data["nodes"]) == ["Ann Example", "Care Futures Fund", "Northshire"]
