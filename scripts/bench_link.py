#!/usr/bin/env python3
"""Link latency and candidates per article against a built store (from ``scripts/bench.py --work``).

Usage: python scripts/bench_link.py STORE ARTICLES.jsonl [--limit 20] [--whole] [--profile OUT.prof] [--links OUT.json]

For each article of the manifest (JSON lines with "text"): the time to read its link index from
the store's cache (``load_link_index``) and to link it (``link_extraction``), the nodes read, and
the links found; ``--whole`` also links every article against the whole index, as the ingest's
link pass does (``load_index`` once, then ``link_extraction`` per article), and again with the
index's word index built once and passed in (``postings``), and a third time with that word index
again, whose per-node and per-name work (``WordIndex.memo``) the runs before filled, as late in a
long link pass. Extraction is done first and not timed. Prints one JSON object: medians and totals.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import statistics
import time
from pathlib import Path

from reformkg.entity_cache import load_index, load_link_index
from reformkg.extract import extract_articles
from reformkg.ingest import article_from_text
from reformkg.link import link_extraction
from reformkg.resolve.candidates import word_index
from reformkg.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("articles", type=Path)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--whole", action="store_true", help="also link against the whole index (the ingest link pass)")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the cache-based linking here")
    ap.add_argument("--links", type=Path, help="write each article's links (IRI, score) here as JSON, to compare runs")
    args = ap.parse_args()
    lines = args.articles.read_text(encoding="utf-8").splitlines()[: args.limit]
    articles = [article_from_text(json.loads(line)["text"], f"bench-{i}") for i, line in enumerate(lines)]
    extractions = list(extract_articles(articles))
    store = open_store(str(args.store), read_only=True)
    out: dict = {"articles": len(extractions)}
    try:
        link_extraction(extractions[0], load_link_index(store, extractions[0]))  # warm: gazetteer, model
        profile = cProfile.Profile() if args.profile else None
        load_s, link_s, nodes, links, found_all = [], [], [], [], []
        for extraction in extractions:
            if profile:
                profile.enable()
            t0 = time.perf_counter()
            index = load_link_index(store, extraction)
            t1 = time.perf_counter()
            found = link_extraction(extraction, index)
            t2 = time.perf_counter()
            if profile:
                profile.disable()
            load_s.append(t1 - t0)
            link_s.append(t2 - t1)
            nodes.append(len(index))
            links.append(len(found))
            found_all.append([[lk.iri, lk.score, lk.evidence.start] for lk in found])
        if profile:
            profile.dump_stats(args.profile)
        if args.links:
            args.links.write_text(json.dumps(found_all) + "\n", encoding="utf-8")
        out["cache"] = {"load_p50_s": round(statistics.median(load_s), 4),
                        "link_p50_s": round(statistics.median(link_s), 4),
                        "total_p50_s": round(statistics.median(a + b for a, b in zip(load_s, link_s)), 4),
                        "nodes_read_p50": statistics.median(nodes), "links": sum(links)}
        if args.whole:
            t0 = time.perf_counter()
            whole = load_index(store)
            t1 = time.perf_counter()
            whole_links = [len(link_extraction(e, whole)) for e in extractions]
            t2 = time.perf_counter()
            postings = word_index(whole)  # kept by the caller, as the link pass can
            kept_links = [len(link_extraction(e, whole, postings=postings)) for e in extractions]
            t3 = time.perf_counter()
            again = [len(link_extraction(e, whole, postings=postings)) for e in extractions]
            t4 = time.perf_counter()
            out["whole"] = {"nodes": len(whole), "load_s": round(t1 - t0, 3),
                            "articles_per_s": round(len(extractions) / (t2 - t1), 2), "links": sum(whole_links),
                            "word_index_kept_articles_per_s": round(len(extractions) / (t3 - t2), 2),
                            "word_index_filled_articles_per_s": round(len(extractions) / (t4 - t3), 2)}
            assert kept_links == whole_links == again
    finally:
        store.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
