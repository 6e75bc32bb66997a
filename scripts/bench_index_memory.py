#!/usr/bin/env python3
"""Benchmark the memory and load time of the whole entity index (``entity_cache.load_index``).

Usage: python scripts/bench_index_memory.py STORE [--repeat N]

STORE is a store built by ``reformkg ingest`` with a valid index cache (it is opened read-only; an
invalid cache would make ``load_index`` read the store instead, which this reports). Each figure
comes from a fresh subprocess: the resident memory the load adds (psutil), the bytes Python
allocated for it (tracemalloc, in a run of its own, since tracing slows the load) and the load
time (best of N). They are printed per 1,000 nodes and as ratios to a baseline measured the same
way in the same run: a plain dict of each node's IRI to its label, read from the same cache rows.
To compare two versions of the code, run this once with each on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc


def _child(store_path: str, what: str, traced: bool) -> dict:
    import psutil
    from reformkg.entity_cache import _open, load_index
    from reformkg.store import open_store

    store = open_store(store_path, read_only=True)
    if what == "baseline":
        db = _open(store)
        if db is None:
            raise SystemExit(f"{store_path}: no valid index cache (ingest into it first)")
        rows = [data for (data,) in db.execute("SELECT data FROM nodes")]
        db.close()

        def load() -> dict:
            return {e["iri"]: e["label"] for e in map(json.loads, rows)}
    else:
        def load():
            return load_index(store)
    process = psutil.Process()
    if traced:
        tracemalloc.start()
    before = process.memory_info().rss
    start = time.perf_counter()
    held = load()
    seconds = time.perf_counter() - start
    out = {"nodes": len(held), "rss": process.memory_info().rss - before, "seconds": seconds}
    if traced:
        out["traced"] = tracemalloc.get_traced_memory()[0]
    return out


def _run(store: str, what: str, traced: bool = False) -> dict:
    cmd = [sys.executable, __file__, store, "--child", what] + (["--traced"] if traced else [])
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=("index", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.store, args.child, args.traced)))
        return
    results = {}
    for what in ("baseline", "index"):
        runs = [_run(args.store, what) for _ in range(args.repeat)]
        traced = _run(args.store, what, traced=True)
        results[what] = {"nodes": runs[0]["nodes"], "rss": min(r["rss"] for r in runs),
                         "seconds": min(r["seconds"] for r in runs), "traced": traced["traced"]}
    base, index = results["baseline"], results["index"]
    per_k = 1000 / index["nodes"]
    print(f"nodes: {index['nodes']:,} (baseline dict: {base['nodes']:,} IRIs)")
    for key, unit, scale in (("rss", "MB RSS", 2**20), ("traced", "MB traced", 2**20), ("seconds", "s load", 1)):
        print(f"{unit:>10} per 1,000 nodes: index {index[key] * per_k / scale:8.3f}   "
              f"baseline {base[key] * per_k / scale:8.3f}   ratio {index[key] / base[key]:6.2f}")
    print(f"bytes per node (traced): {index['traced'] / index['nodes']:,.0f}")


if __name__ == "__main__":
    main()
