#!/usr/bin/env python3
"""Calibrate the link threshold: precision and recall of ``reformkg link`` at each score cut-off.

Usage: python scripts/calibrate_links.py GRAPH_DIR TARGET_DIR [--eval-dir ../shared/eval]

Builds a store from GRAPH_DIR's articles (in process, like ``reformkg ingest``), links every
article of TARGET_DIR with no threshold, then scores the links kept at each cut-off with the
matching rules of the evaluation's ``score_links.py`` (imported from --eval-dir, so the figures
are the ones that script would print). Pick the lowest cut-off whose precision is acceptable:
``reformkg.link.LINK_THRESHOLD``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from reformkg.config import Settings
from reformkg.extract import extract_article
from reformkg.ingest import read_article
from reformkg.link import LINK_THRESHOLD, link_extraction, load_entity_index
from reformkg.pipeline import ingest_sources
from reformkg.store import open_store

CUTOFFS = (0.5, 0.8, 0.85, 0.9, 0.92, 0.95, 1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("graph_dir", type=Path)
    ap.add_argument("target_dir", type=Path)
    ap.add_argument("--eval-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval")
    args = ap.parse_args()
    sys.path.insert(0, str(args.eval_dir))
    from score_links import canonical_forms, canonical_of, load_gold  # type: ignore[import-not-found]

    graph_golds, target_golds = load_gold(args.graph_dir), load_gold(args.target_dir)
    table = canonical_forms(list(graph_golds.values()))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store=str(Path(tmp) / "store"))
        report = ingest_sources([args.graph_dir / f"{n}.txt" for n in graph_golds], settings)
        for failure in report.failures:
            print(f"not in the graph: {failure}", file=sys.stderr)
        store = open_store(settings.store, read_only=True)
        index = load_entity_index(store)
        store.close()
    scored = []  # (score, canonical names it stands for, expected canonical names of its article)
    for name, gold in target_golds.items():
        extraction = extract_article(read_article(args.target_dir / f"{name}.txt"))
        expected = {c for c in gold.get("links", []) if c in table}
        for link in link_extraction(extraction, index, threshold=0.0):
            item = json.loads(json.dumps(link.to_json()))
            scored.append((link.score, name, frozenset(canonical_of(item, table)), frozenset(expected)))
    gold_n = sum(len({c for c in g.get("links", []) if c in table}) for g in target_golds.values())
    print(f"{'cut-off':>8s} {'P':>6s} {'R':>6s} {'F1':>6s} {'kept':>5s}   (current threshold {LINK_THRESHOLD})")
    for cut in CUTOFFS:
        kept = [s for s in scored if s[0] >= cut]
        got: dict[str, set[str]] = {}
        fp = 0
        for _, article, hits, expected in kept:
            got.setdefault(article, set()).update(hits)
            fp += 0 if hits else 1  # an item standing for no canonical link is wrong
        expected_of = {article: expected for _, article, _, expected in kept}
        fp += sum(len(hits - expected_of[a]) for a, hits in got.items())
        got = {a: hits & expected_of[a] for a, hits in got.items()}
        tp = sum(len(v) for v in got.values())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / gold_n if gold_n else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{cut:8.2f} {p:6.3f} {r:6.3f} {f:6.3f} {len(kept):5d}")


if __name__ == "__main__":
    main()
