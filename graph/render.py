"""Entity network or timeline -> one self-contained HTML page (vis-network inlined), offline and escaped.

Input: an ``nx.MultiDiGraph`` built by ``explore.build_network`` (or any graph with the same node
and edge attributes), or a list of ``TimelineEvent``. Output: an HTML string; the CLI writes it.

pyvis supplies the vis-network 9.1.2 build it bundles (inlined into each page), but not its
templates: they render without autoescape and always load bootstrap from a CDN, and the node and
edge data they would take are a few lines here. Our own Jinja2 templates
(``graph/templates/``) autoescape every HTML sink; the page's data goes in as JSON inside a
``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so text
can never close the script element. vis-network shows string ``title`` tooltips as plain text
(``innerText``), so tooltips carry raw text: escaping them would show ``&amp;``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from jinja2 import Environment, FileSystemLoader

from .explore import TimelineEvent, build_network, filter_network
from .model import ENTITY_TYPES

__all__ = ["TYPE_COLOURS", "build_network", "filter_network", "layout_positions", "render_network_html",
           "render_timeline_html"]

HERE = Path(__file__).resolve().parent
TYPE_COLOURS = {
    "Person": "#e15759",
    "Organisation": "#4e79a7",
    "Region": "#59a14f",
    "Fund": "#f28e2b",
    "Programme": "#b07aa1",
}
KIND_COLOURS = {"announcement": "#e15759", "fund": "#f28e2b", "programme": "#b07aa1", "post": "#4e79a7"}
# above this many nodes the browser's physics cannot settle in seconds: lay out in Python instead
PHYSICS_MAX_NODES = 400
STABILISATION_ITERATIONS = 250
EDGE_LABELS_MAX = 300
ARROWS_MAX_EDGES = 2000  # arrowheads cost most of a frame on big graphs; tooltips and cards still say the direction


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True)


@lru_cache(maxsize=1)
def _vis_js() -> str:
    import pyvis

    # the standalone vis-network build that pyvis ships (its templates are not used: see above)
    js = (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(encoding="utf-8")
    # inlined in a <script>: these sequences would end or confuse the script element
    if "</script" in js.lower() or "<!--" in js:
        raise RuntimeError("vis-network.min.js cannot be inlined safely (contains </script or <!--)")
    return js


def script_json(data: Any) -> str:
    """Give JSON that is safe inside a ``<script>`` element: no ``<``, ``>``, ``&``, U+2028, U+2029."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # these characters only occur inside JSON strings, where a \\u escape means the same
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def layout_positions(g: nx.MultiDiGraph, *, iterations: int = 60, seed: int = 7) -> dict[str, tuple[int, int]]:
    """Give an (x, y) position per node from a force layout computed with numpy, in screen units.

    Fruchterman-Reingold with repulsion estimated from a random sample of nodes per step: O(n·s)
    instead of O(n²), so 5,000 nodes take about half a second and the browser needs no physics at all.
    """
    nodes = list(g)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    pairs = np.array([(index[s], index[o]) for s, o in g.edges() if s != o], dtype=np.int64).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = (rng.uniform(-1.0, 1.0, (n, 2)) * math.sqrt(n)).astype(np.float32)
    samples = min(n - 1, 16)
    temperature = math.sqrt(n) / 3
    for _ in range(iterations):
        disp = -0.02 * pos  # weak gravity keeps isolated nodes and small components near the centre
        if samples:
            delta = pos[:, None, :] - pos[rng.integers(0, n, (n, samples))]
            d2 = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), 1e-2)
            disp += np.einsum("ijk,ij->ik", delta, 1.0 / d2) * ((n - 1) / samples)
        if len(pairs):
            delta = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = delta * np.sqrt(np.einsum("ij,ij->i", delta, delta))[:, None]
            for axis in (0, 1):
                disp[:, axis] += np.bincount(pairs[:, 1], pull[:, axis], n) - np.bincount(pairs[:, 0], pull[:, axis], n)
        length = np.maximum(np.sqrt(np.einsum("ij,ij->i", disp, disp)), 1e-9)[:, None]
        pos += disp / length * np.minimum(length, temperature)
        temperature = max(temperature * 0.92, 0.05)
    pos *= 60.0  # one unit of ideal edge length -> 60 px
    # whole pixels: vis-network keeps positions as integers anyway
    xy = np.rint(pos).astype(np.int64).tolist()
    return {v: (xy[i][0], xy[i][1]) for i, v in enumerate(nodes)}


def _page_data(g: nx.MultiDiGraph, layout: str) -> dict:
    """Give the page's data: vis nodes (each with its card's fields) and edges keyed by small integers,
    the articles they cite (by position), and vis options.

    Tooltip text is assembled in the page from these fields rather than stored twice: a
    5,000-node view is then about a third smaller.
    """
    physics = layout == "physics" or (layout == "auto" and g.number_of_nodes() <= PHYSICS_MAX_NODES)
    positions = {} if physics else layout_positions(g)
    degree = dict(g.degree())
    ids = {n: i for i, n in enumerate(g)}
    meta = g.graph.get("articles", {})
    used = sorted({a for _, d in g.nodes(data=True) for a in d.get("articles", [])}
                  | {p["article"] for _, d in g.nodes(data=True) for p in d.get("posts", [])}
                  | {d.get("article") for _, _, d in g.edges(data=True) if d.get("article")})
    art = {a: i for i, a in enumerate(used)}  # articles are referred to by position: IRIs repeat a lot
    articles = [{"iri": a, **(meta.get(a) or {})} for a in used]
    nodes = []
    for n, d in g.nodes(data=True):
        node = {"id": ids[n], "iri": n, "label": d.get("label", n), "type": d.get("type"),
                "color": TYPE_COLOURS.get(d.get("type", ""), "#999999"), "size": round(8 + 5 * math.sqrt(degree[n]), 1),
                "degree": degree[n], "aliases": d.get("aliases", []), "identifiers": d.get("identifiers", []),
                "amount_gbp": d.get("amount_gbp"), "articles": [art[a] for a in d.get("articles", [])],
                "posts": [{**p, "article": art[p["article"]]} for p in d.get("posts", [])]}
        if n in positions:
            node["x"], node["y"] = positions[n]
        nodes.append(node)
    small = g.number_of_edges() <= EDGE_LABELS_MAX
    edges = [{"id": i, "from": ids[s], "to": ids[o], "predicate": d["predicate"], "evidence": d.get("evidence", ""),
              "article": art.get(d.get("article"))} for i, (s, o, d) in enumerate(g.edges(data=True))]
    options = {
        "nodes": {"shape": "dot", "font": {"size": 14}},
        "edges": {"arrows": {"to": {"enabled": len(edges) <= ARROWS_MAX_EDGES, "scaleFactor": 0.5}}, "smooth": small,
                  "font": {"size": 10, "align": "middle"}, "color": {"inherit": False, "color": "#999999"}},
        "layout": {"improvedLayout": physics and g.number_of_nodes() <= 100, "randomSeed": 7},
        # hover highlighting costs a hit test per mouse move; tooltips work without it
        "interaction": {"hover": small, "tooltipDelay": 150, "hideEdgesOnDrag": not small,
                        "hideEdgesOnZoom": not small},
        "physics": {"enabled": physics, "solver": "forceAtlas2Based",
                    "stabilization": {"enabled": physics, "iterations": STABILISATION_ITERATIONS,
                                      "updateInterval": 50}},
    }
    return {"nodes": nodes, "edges": edges, "edge_labels": small, "articles": articles,
            "options": options}


def render_network_html(g: nx.MultiDiGraph, *, title: str = "ReformKG network", layout: str = "auto") -> str:
    """Give one offline HTML page drawing the network, with legend, tooltips and a card panel.

    Args:
        layout: ``auto`` (browser physics for small graphs, a Python layout above
            ``PHYSICS_MAX_NODES``), ``physics`` or ``precomputed``.
    """
    if layout not in ("auto", "physics", "precomputed"):
        raise ValueError(f"layout must be auto, physics or precomputed, not {layout!r}")
    counts = Counter(d.get("type") for _, d in g.nodes(data=True))
    legend = [{"type": t, "colour": TYPE_COLOURS[t], "count": counts[t]} for t in ENTITY_TYPES if counts[t]]
    stats = f"{g.number_of_nodes()} entities, {g.number_of_edges()} relations"
    return _env().get_template("network.html").render(
        title=title, legend=legend, stats=stats, data_json=script_json(_page_data(g, layout)), vis_js=_vis_js())


def render_timeline_html(events: Sequence[TimelineEvent], *, title: str = "ReformKG timeline") -> str:
    """Give one offline HTML page charting the events on a time axis (SVG), with a table of all of them."""
    dated = [e for e in events if e.date]
    kinds = [k for k in KIND_COLOURS if any(e.kind == k for e in events)]
    width, lane, left, right = 900, 46, 110, 60  # right margin: the last date label is centred on its tick
    marks, ticks = [], []
    if dated:
        days = [_day(e.date) for e in dated]  # type: ignore[arg-type]
        lo, hi = min(days), max(days)
        span = max(hi - lo, 1)

        def x_of(day: int) -> float:
            return round(left + 20 + (day - lo) / span * (width - left - 20 - right), 1)

        stacked: Counter = Counter()
        for e, day in zip(dated, days):
            row = kinds.index(e.kind)
            stacked[(row, day)] += 1
            y = 30 + row * lane + 8 + (stacked[(row, day)] - 1) % 4 * 7
            marks.append({"x": x_of(day), "y": y, "colour": KIND_COLOURS[e.kind], "event": e})
        ticks = [{"x": x_of(day), "label": _date(day)}
                 for day in sorted({lo, hi, *(lo + span * f // 4 for f in (1, 2, 3))})]
    height = 30 + len(kinds) * lane + 30
    lanes = [{"kind": k, "y": 30 + i * lane, "colour": KIND_COLOURS[k]} for i, k in enumerate(kinds)]
    return _env().get_template("timeline.html").render(
        title=title, events=events, marks=marks, ticks=ticks, lanes=lanes, width=width, height=height,
        left=left, undated=len(events) - len(dated))


def _day(text: str) -> int:
    return date.fromisoformat(text[:10]).toordinal()


def _date(day: int) -> str:
    return date.fromordinal(day).isoformat()
