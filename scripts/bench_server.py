"""Benchmark what ``reformkg serve`` adds to a query: store freshness checks, reopening, HTTP.

Usage: python scripts/bench_server.py STORE [--rounds N]

Prints each way of answering one small SELECT as a ratio to querying an open store directly,
measured in the same run (absolute times on a shared machine mean little).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable

from reformkg.config import Settings
from reformkg.server import create_app
from reformkg.server.backend import StoreHolder
from reformkg.store import open_store

QUERY = "SELECT ?a WHERE { ?a a <https://w3id.org/reformkg/ontology#Article> } LIMIT 5"


def _median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

    store = open_store(args.store, read_only=True)
    holder = StoreHolder(args.store)
    client = TestClient(create_app(Settings(store=args.store)), base_url="http://127.0.0.1")
    cases = {
        "open store, query (baseline)": lambda: store.query(QUERY),
        "holder: stat files, query": lambda: holder.current().query(QUERY),
        "reopen read-only, query": lambda: open_store(args.store, read_only=True).query(QUERY),
        "GET /sparql in process (JSON)": lambda: client.get("/sparql", params={"query": QUERY}),
    }
    base = None
    for name, fn in cases.items():
        ms = _median_ms(fn, args.rounds if "reopen" not in name else max(20, args.rounds // 10))
        base = base or ms
        print(f"{name:34s} {ms / base:7.1f}x   ({ms:.2f} ms median)")


if __name__ == "__main__":
    main()
