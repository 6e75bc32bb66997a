"""Measure SHACL validation per article as a ratio to building the article's graph (the baseline).

For each founding article (extracted and resolved once, outside the timings) this times, in the
same run: building the RDF graph and its N-Triples (baseline, what ingest does anyway); the check
ingest runs (``validate_graph``: the Core shapes compiled to one SPARQL query and the ``sh:sparql``
checks, both in Oxigraph); the same check with the Core shapes run by pyshacl (the reference
engine, ``engine="pyshacl"``); and, with ``--pyshacl-sparql``, pyshacl running the whole shapes file
itself, SPARQL included. Prints milliseconds (median of ``--repeat`` runs) and ratios.

Usage: python scripts/bench_validate.py [--repeat 5] [--pyshacl-sparql]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph
from reformkg.extract import extract_articles
from reformkg.ingest import ingest_path
from reformkg.model import Article, ResolvedArticle
from reformkg.rdfgraph import build_article_graph, to_ntriples
from reformkg.resolve import EntityIndex, resolve_extraction
from reformkg.validate import load_ontology, load_shapes, validate_graph

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/reformkg/id/"


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _pyshacl_everything(g: Graph) -> None:
    data = Graph().parse(data=g.serialize(format="nt"), format="nt")
    data += load_ontology()
    shacl_validate(data, shacl_graph=load_shapes(), inference="none", allow_warnings=True)


def main() -> None:
    """Print the per-article table and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pyshacl-sparql", action="store_true", help="add the (slow) all-pyshacl column")
    args = parser.parse_args()
    articles = [a for a in ingest_path(ROOT / "sources") if isinstance(a, Article)]
    index = EntityIndex()
    resolved: list[ResolvedArticle] = [resolve_extraction(x, index, BASE) for x in extract_articles(articles)]
    for engine in ("oxigraph", "pyshacl"):  # warm caches: shapes, ontology, compiled query
        validate_graph(build_article_graph(resolved[0], BASE), engine=engine)

    print(f"{'article':<14}{'triples':>8}{'build ms':>10}{'check ms':>10}{'ratio':>7}"
          f"{'pyshacl core ms':>17}{'ratio':>7}{'all-pyshacl ms':>16}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for r in resolved:
        g = build_article_graph(r, BASE)
        build = _median_ms(lambda r=r: to_ntriples(build_article_graph(r, BASE)), args.repeat)
        check = _median_ms(lambda g=g: validate_graph(g), args.repeat)
        reference = _median_ms(lambda g=g: validate_graph(g, engine="pyshacl"), args.repeat)
        slow = _median_ms(lambda g=g: _pyshacl_everything(g), 1) if args.pyshacl_sparql else 0.0
        totals = [totals[0] + build, totals[1] + check, totals[2] + reference, totals[3] + slow]
        print(f"{Path(r.extraction.article.source).name:<14}{len(g):>8}{build:>10.1f}{check:>10.1f}"
              f"{check / build:>7.1f}{reference:>17.1f}{reference / build:>7.1f}{slow:>16.1f}")
    n = len(resolved)
    print(f"{'mean':<14}{'':>8}{totals[0] / n:>10.1f}{totals[1] / n:>10.1f}{totals[1] / totals[0]:>7.1f}"
          f"{totals[2] / n:>17.1f}{totals[2] / totals[0]:>7.1f}{totals[3] / n:>16.1f}")
    print(f"compiled Core vs pyshacl Core (same run): {totals[1] / n:.1f} ms vs {totals[2] / n:.1f} ms "
          f"per article, ratio {totals[1] / totals[2]:.2f}")


if __name__ == "__main__":
    main()
