"""Measure building and serialising article graphs, as a ratio to rdflib parsing the same N-Triples (the baseline).

Articles come from the benchmark corpus (``bench_corpus.generate``) plus the founding articles in
``sources/``; they are extracted, resolved against one index and linked against it once, outside
the timings (``--cache`` keeps them pickled between runs). Then, in the same run, for each article:
what ingest does before checking a graph (``build_article_graph``, ``to_ntriples``, ``len``), what
a relink does (``build_link_graph``, ``links_not_stored``, ``to_ntriples``), and the baseline,
``Graph().parse(data=ntriples, format="nt")`` of the article's N-Triples. Prints milliseconds per
article (the best of ``--repeat`` passes over all articles) and the ratios to the baseline.

Usage: python scripts/bench_build.py [-n 300] [--repeat 3] [--cache /tmp/bench_build.pkl]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rdflib import Graph
from reformkg.extract import extract_articles
from reformkg.ingest import article_from_text, ingest_path
from reformkg.link import link_extraction
from reformkg.model import Article, ResolvedArticle
from reformkg.rdfgraph import build_article_graph, build_link_graph, links_not_stored, to_ntriples
from reformkg.resolve import EntityIndex, resolve_extraction

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_corpus import generate

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/reformkg/id/"


def _articles(n: int) -> list[ResolvedArticle]:
    articles = [article_from_text(rec["text"], f"bench-{i}", title=rec["title"], url=rec["url"],
                                  published=rec["published"], publisher=rec["publisher"])
                for i, rec in enumerate(generate(n, pool_size=10_000))]
    articles += [a for a in ingest_path(ROOT / "sources") if isinstance(a, Article)]
    index = EntityIndex()
    resolved = [resolve_extraction(x, index, BASE) for x in extract_articles(articles)]
    return [replace(r, links=link_extraction(r.extraction, index)) for r in resolved]


def _best_ms(fn: Callable[[], object], repeat: int, per: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000 / per


def _article(r: ResolvedArticle) -> tuple[str, int]:
    g = build_article_graph(r, BASE)
    return to_ntriples(g), len(g)


def _relink(r: ResolvedArticle) -> str:
    return to_ntriples(links_not_stored(build_link_graph(r, BASE), r, BASE))


def main() -> None:
    """Print the timings per article and their ratios to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="benchmark corpus articles (the founding five are added)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, help="pickle of the resolved articles: read if present, else written")
    args = parser.parse_args()
    if args.cache and args.cache.is_file():
        resolved: list[ResolvedArticle] = pickle.loads(args.cache.read_bytes())
    else:
        resolved = _articles(args.n)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(resolved, protocol=pickle.HIGHEST_PROTOCOL))
    texts = [to_ntriples(build_article_graph(r, BASE)) for r in resolved]
    n, triples = len(resolved), sum(text.count("\n") for text in texts)
    parse = _best_ms(lambda: [Graph().parse(data=text, format="nt") for text in texts], args.repeat, n)
    build = _best_ms(lambda: [_article(r) for r in resolved], args.repeat, n)
    relink = _best_ms(lambda: [_relink(r) for r in resolved], args.repeat, n)
    print(f"{n} articles, {triples / n:.0f} triples and {sum(len(r.links) for r in resolved) / n:.1f} links each")
    print(f"{'per article':<44}{'ms':>8}{'ratio':>8}")
    print(f"{'baseline: Graph().parse(N-Triples)':<44}{parse:>8.2f}{1:>8.2f}")
    print(f"{'build_article_graph + to_ntriples + len':<44}{build:>8.2f}{build / parse:>8.3f}")
    print(f"{'build_link_graph + links_not_stored + nt':<44}{relink:>8.2f}{relink / parse:>8.3f}")


if __name__ == "__main__":
    main()
