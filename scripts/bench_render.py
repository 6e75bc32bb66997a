"""Benchmark: how fast a 5,000-node network view becomes still and responsive in headless Chromium.

Builds a synthetic entity network in this script (no store, no corpus), renders it with
``render_network_html`` twice — ``precomputed`` (numpy layout, physics off: what ``auto`` picks for
large graphs) and ``physics`` (vis-network stabilisation bounded to STABILISATION_ITERATIONS, then
physics off: the baseline) — and measures in Chromium, network blocked:

* settle: navigation start -> the page's ``window.reformkg.stable`` (first drawing after layout);
* frame: one zoom redraw after settling (``moveTo`` -> ``afterDrawing``), i.e. responsiveness;
* wheel: a mouse-wheel zoom -> the next drawing (edges hidden while zooming on large graphs);
* card: a click on the busiest node -> its card in the side panel.

Usage: python scripts/bench_render.py [--nodes 5000] [--edges-per-node 2] [--skip-physics]
Needs /usr/bin/chromium (``apt-get install -y chromium``). Prints one table; ratios are against
the physics baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import networkx as nx
from playwright.sync_api import sync_playwright
from reformkg.model import ENTITY_TYPES, PREDICATES
from reformkg.render import layout_positions, render_network_html

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WORDS = ["fund", "council", "minister", "region", "care", "workforce", "strategy", "review", "plan", "board", "local", "social", "health"]


def synthetic_network(n: int, m: int, seed: int = 1) -> nx.MultiDiGraph:
    """Give a scale-free entity network shaped like ``explore.build_network``'s output."""
    rnd = random.Random(seed)
    skeleton = nx.barabasi_albert_graph(n, m, seed=seed)
    articles = {f"https://example.org/article/{i}": {"title": f"Article {i} about {rnd.choice(WORDS)} reform",
                                                     "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "url": None}
                for i in range(200)}
    g = nx.MultiDiGraph(articles=articles)
    arts = list(articles)
    for v in skeleton:
        name = " ".join(rnd.choice(WORDS).title() for _ in range(3)) + f" {v}"
        g.add_node(f"https://example.org/e/{v}", label=name, type=rnd.choice(ENTITY_TYPES), aliases=[],
                   identifiers=[], amount_gbp=None, articles=rnd.sample(arts, 2), posts=[])
    for s, o in skeleton.edges():
        sentence = " ".join(rnd.choice(WORDS) for _ in range(22)).capitalize() + "."
        g.add_edge(f"https://example.org/e/{s}", f"https://example.org/e/{o}", predicate=rnd.choice(PREDICATES),
                   evidence=sentence, article=rnd.choice(arts))
    return g


def wait_until(page, expression: str, timeout: float) -> None:
    """Poll from Python: the page's CSP forbids the eval that ``page.wait_for_function`` uses."""
    deadline = time.perf_counter() + timeout
    while not page.evaluate(expression):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{expression} still false after {timeout} s")
        time.sleep(0.05)


def measure(page, path: Path, busiest: str) -> dict:
    start = time.perf_counter()
    page.goto(path.as_uri())
    wait_until(page, "window.reformkg && window.reformkg.stable", 300)
    wall = time.perf_counter() - start
    settled = page.evaluate("window.reformkg.settledAt") / 1000
    marks = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))""")
    frame = page.evaluate("""() => new Promise(done => {
        const net = window.reformkg.network, t0 = performance.now();
        net.once('afterDrawing', () => done(performance.now() - t0));
        net.moveTo({scale: net.getScale() * 1.5, animation: false});
    })""")
    page.evaluate("""() => { window.__t1 = null; window.__t0 = performance.now();
        window.reformkg.network.once('afterDrawing', () => { window.__t1 = performance.now(); }); }""")
    page.mouse.move(700, 450)
    page.mouse.wheel(0, -300)
    wait_until(page, "window.__t1 !== null", 60)
    wheel = page.evaluate("window.__t1 - window.__t0")
    card = page.evaluate("""(id) => { const t0 = performance.now(); window.reformkg.showCard(id);
        return [performance.now() - t0, document.querySelector('#card h2').textContent]; }""", busiest)
    return {"settle_s": settled, "wall_s": wall, "frame_ms": frame, "wheel_ms": wheel, "card_ms": card[0], "script_s": marks["rkg-start"] / 1000,
            "data_s": (marks["rkg-data"] - marks["rkg-start"]) / 1000,
            "network_s": (marks["rkg-network"] - marks["rkg-data"]) / 1000, "nodes":
            page.evaluate("window.reformkg.nodes.length")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--edges-per-node", type=int, default=2)
    ap.add_argument("--skip-physics", action="store_true", help="only measure the precomputed layout")
    opts = ap.parse_args()
    g = synthetic_network(opts.nodes, opts.edges_per_node)
    busiest = max(g.degree(), key=lambda nd: nd[1])[0]
    t = time.perf_counter()
    layout_positions(g)
    layout_s = time.perf_counter() - t
    modes = ["precomputed"] if opts.skip_physics else ["physics", "precomputed"]
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        for mode in modes:
            t = time.perf_counter()
            html = render_network_html(g, layout=mode)
            render_s = time.perf_counter() - t
            path = Path(tmp) / f"{mode}.html"
            path.write_text(html, encoding="utf-8")
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            results[mode] = {"render_s": render_s, "bytes": path.stat().st_size, **measure(page, path, busiest),
                             "errors": len(errors)}
            ctx.close()
        browser.close()
    print(f"synthetic network: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges; "
          f"numpy layout {layout_s:.2f} s")
    base = results.get("physics")
    phases: list[str] = []
    print(f"{'mode':12} {'html MB':>8} {'render s':>9} {'settle s':>9} {'frame ms':>9} {'wheel ms':>9} {'card ms':>8} "
          f"{'errors':>6} {'settle vs physics':>18}")
    for mode, r in results.items():
        ratio = f"{r['settle_s'] / base['settle_s']:.3f}" if base else "-"
        phases.append(f"{mode}: page parsed and vis loaded at {r['script_s']:.2f} s, data parsed in {r['data_s']:.2f} s, "
                      f"network built in {r['network_s']:.2f} s, first drawing done at {r['settle_s']:.2f} s")
        print(f"{mode:12} {r['bytes'] / 1e6:8.2f} {r['render_s']:9.2f} {r['settle_s']:9.2f} {r['frame_ms']:9.1f} {r['wheel_ms']:9.1f} "
              f"{r['card_ms']:8.1f} {r['errors']:6d} {ratio:>18}")


    print("\n".join(phases))


if __name__ == "__main__":
    main()
