#!/usr/bin/env python3
"""Benchmark the per-run cost of incremental resolution: loading the entity index from the store.

Usage: python scripts/bench_resolve.py STORE [ARTICLE]

STORE is a store built by ``reformkg ingest``. Its quads are copied k times (k = 1, 4, 16, 64) into
scratch stores as new articles; odd copies mention the same entity nodes as the original (so nodes
gather mentions from many graphs), even ones get nodes of their own. For each store the
one index query (``load_entity_index``), resolving and linking one article are timed. Figures are
printed as ratios against the baseline measured in the same run: the index load at k = 1, and
extracting the article once (the work ingest does per article anyway).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from reformkg.extract import extract_article, load_pipeline
from reformkg.ingest import read_article
from reformkg.link import link_extraction, load_entity_index
from reformkg.resolve import resolve_extraction
from reformkg.store import open_store

ENTITY_IRI = re.compile(rb"(<https://w3id\.org/reformkg/id/(?:person|organisation|region|fund|programme)/[^>#]+)")
ARTICLE_IRI = re.compile(rb"(<https://w3id\.org/reformkg/id/(?:article|graph|mention|sentence|assertion|holding|link)/)")


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(store: str, article: str | None) -> None:
    source = open_store(store, read_only=True)
    nquads = source.dump_nquads()
    source.close()
    path = Path(article) if article else next(Path("sources").glob("*.txt"))
    load_pipeline()
    extract_s, extraction = _timed(lambda: extract_article(read_article(path)))
    base = None
    print(f"baseline: extracting {path.name} once = 1.00 (ratios below are against it unless said)")
    for k in (1, 4, 16, 64):
        with tempfile.TemporaryDirectory() as tmp:
            st = ox.Store(str(Path(tmp) / "s"))
            for i in range(k):
                copy = ARTICLE_IRI.sub(rb"\1c%d-" % i, nquads) if i else nquads
                copy = ENTITY_IRI.sub(rb"\1-copy%d" % i, copy) if i and i % 2 == 0 else copy
                st.load(copy, format=ox.RdfFormat.N_QUADS)
            st.flush()
            del st
            scratch = open_store(str(Path(tmp) / "s"), read_only=True)
            load_s, index = _timed(lambda st=scratch: load_entity_index(st))
            scratch.close()
            base = base or load_s
            fresh = load_entity_index_copy(index)
            resolve_s, _ = _timed(lambda ix=fresh: resolve_extraction(extraction, ix, ""), 1)
            link_s, _ = _timed(lambda ix=index: link_extraction(extraction, ix), 1)
            print(f"k={k:3d}: {len(index):6d} nodes; index load {load_s / extract_s:6.2f}x extract "
                  f"({load_s / base:5.1f}x k=1); resolve one article {resolve_s / extract_s:5.2f}x; "
                  f"link one article {link_s / extract_s:5.2f}x")


def load_entity_index_copy(index):
    """A fresh index with the same nodes, so each timing resolves against an unchanged graph."""
    from copy import deepcopy

    return deepcopy(index)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
