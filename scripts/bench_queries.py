"""Give the latency of every saved query through ReformKG, against the same SPARQL on pyoxigraph
directly (our overhead) and against rdflib's in-memory Dataset on a subset (what a naive build gets).

Parameters are filled from the data: for each query, the most-mentioned entity of the kind the
parameter names (the worst case for a one-entity query), so every bound query returns rows.
"""

from __future__ import annotations

import json
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from reformkg.query import bind_values, list_saved_queries, run_saved_query
from reformkg.store import EmbeddedStore, bind_parameters

RKG = "https://w3id.org/reformkg/ontology#"
_TOP = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?l (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?e a <{cls}> ; skos:prefLabel ?l . ?a <{rkg}mentions> ?e }}
GROUP BY ?l ORDER BY DESC(?n) LIMIT 1"""
_TOP_OF = {
    "post": f"SELECT ?l (COUNT(*) AS ?n) WHERE {{ ?h <{RKG}post>/<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} "
            "GROUP BY ?l ORDER BY DESC(?n) LIMIT 1",
    "announcer": f"SELECT ?l (COUNT(*) AS ?n) WHERE {{ ?w <{RKG}announced> ?f ; "
                 "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } GROUP BY ?l ORDER BY DESC(?n) LIMIT 1",
    "publisher": "SELECT ?l (COUNT(*) AS ?n) WHERE { ?a <http://purl.org/dc/terms/publisher> ?l } "
                 "GROUP BY ?l ORDER BY DESC(?n) LIMIT 1",
    "article": f"SELECT ?l WHERE {{ ?l a <{RKG}Article> }} LIMIT 1",
}
_CLASS_OF = {"region": "Region", "name": "Organisation", "person": "Person", "fund": "Fund", "programme": "Programme"}
_FIXED = {"type": "Fund", "predicate": f"{RKG}allocated_to"}
PROBE_CHILD = """
import sys, time, pyoxigraph as ox
s = ox.Store.read_only(sys.argv[1]); t0 = time.perf_counter()
n = len(list(s.query(sys.stdin.read(), use_default_graph_as_union=True))); print(time.perf_counter() - t0, n)
"""
RDFLIB_CHILD = """
import json, sys, time
from rdflib import Dataset
ds = Dataset(default_union=True)
t0 = time.perf_counter(); ds.parse(sys.argv[1], format="nquads"); print(json.dumps({"load_s": time.perf_counter() - t0}), flush=True)
for line in sys.stdin:
    name, text, repeats = json.loads(line)
    runs = []
    try:
        for _ in range(repeats):
            t0 = time.perf_counter(); rows = len(list(ds.query(text))); runs.append(time.perf_counter() - t0)
    except Exception as exc:  # rdflib's own engine fails on some queries: record it, go on
        print(json.dumps({"name": name, "error": f"{type(exc).__name__}: {exc}"[:200]}), flush=True)
        continue
    print(json.dumps({"name": name, "runs": runs, "rows": rows}), flush=True)
"""


def parameter_values(store: EmbeddedStore) -> dict[str, str]:
    """Give a value for every parameter name the saved queries use, drawn from the store's data."""
    values = dict(_FIXED)
    for name, cls in _CLASS_OF.items():
        rows = store.query(_TOP.format(cls=RKG + cls, rkg=RKG)).values()
        if rows:
            values[name] = rows[0]["l"]
    for name, sparql in _TOP_OF.items():
        rows = store.query(sparql).values()
        if rows:
            values[name] = rows[0]["l"]
    return values


def _timed(fn, budget_s: float = 10.0, most: int = 15, least: int = 3) -> tuple[list[float], object]:  # noqa: ANN001
    runs: list[float] = []
    out = None
    start = time.perf_counter()
    while len(runs) < most and (len(runs) < least or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return runs, out


def _summary(runs: list[float]) -> dict:
    ordered = sorted(runs)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(1000 * statistics.median(ordered), 2), "p95_ms": round(1000 * p95, 2), "runs": len(runs)}


def _subset_nquads(store: EmbeddedStore, articles: int, path: Path) -> int:
    graphs = store.graphs()[:articles]
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for g in graphs:
            for q in store._store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                fh.write(f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n")
                n += 1
    return n


def _rdflib_times(nquads: Path, jobs: list[tuple[str, str]], timeout_s: float, repeats: int = 3) -> dict:
    """Run each query in a child process on rdflib's Dataset; a query over the timeout is recorded as such."""
    results: dict = {}
    pending = list(jobs)
    load_s = None
    while pending:
        child = subprocess.Popen([sys.executable, "-c", RDFLIB_CHILD, str(nquads)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdin and child.stdout
        load_s = json.loads(child.stdout.readline())["load_s"]
        while pending:
            name, text = pending.pop(0)
            child.stdin.write(json.dumps([name, text, repeats]) + "\n")
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], timeout_s * repeats)
            if not ready:
                child.kill()
                child.wait()
                results[name] = {"timeout_s": timeout_s * repeats}
                break
            got = json.loads(child.stdout.readline())
            results[name] = {"error": got["error"]} if "error" in got else {**_summary(got["runs"]),
                                                                            "rows": got["rows"]}
        else:
            child.stdin.close()
            child.wait()
    return {"load_s": round(load_s or 0, 2), "queries": results}


def bench_queries(store_path: Path, rdflib_articles: int, rdflib_timeout_s: float = 30.0,
                  probe_timeout_s: float = 60.0) -> dict:
    """Give p50/p95 latency per saved query (all rows, and bound to one entity), with the ratios."""
    out: dict = {"queries": {}}
    with EmbeddedStore(store_path, read_only=True) as store:
        direct = ox.Store.read_only(str(store_path))
        values = parameter_values(store)
        out["parameters"] = values
        rdflib_jobs = []
        for q in list_saved_queries():
            entry: dict = {}
            bound = {p.name: values[p.name] for p in q.parameters if p.name in values}
            for mode, params in (("all", {}), ("bound", bound)):
                if mode == "bound" and not params:
                    continue
                text = bind_parameters(q.sparql, bind_values(q, params))
                # an embedded query cannot be interrupted: probe it once in a child with a time limit
                try:
                    probe = subprocess.run([sys.executable, "-c", PROBE_CHILD, str(store_path)], input=text,
                                           capture_output=True, text=True, timeout=probe_timeout_s, check=True)
                except subprocess.TimeoutExpired:
                    entry[mode] = {"timeout_s": probe_timeout_s, "params": params}
                    continue
                if float(probe.stdout.split()[0]) > 2.0:
                    entry[mode] = {"p50_ms": round(1000 * float(probe.stdout.split()[0]), 1), "runs": 1,
                                   "rows": int(probe.stdout.split()[1]), "params": params,
                                   "note": "pyoxigraph direct, one run (over 2 s)"}
                    continue
                ours, res = _timed(lambda: run_saved_query(store, q.name, params))
                bare, _ = _timed(lambda: [tuple(s) for s in direct.query(text, use_default_graph_as_union=True)])
                s_ours, s_bare = _summary(ours), _summary(bare)
                entry[mode] = {**s_ours, "rows": len(res.rows), "params": params,  # type: ignore[attr-defined]
                               "pyoxigraph_direct": s_bare,
                               "ratio_p50_to_pyoxigraph": round(s_ours["p50_ms"] / max(s_bare["p50_ms"], 0.001), 3)}
                if mode == "all":
                    rdflib_jobs.append((q.name, text))
            out["queries"][q.name] = entry
        subset = store_path.parent / "rdflib-subset.nq"
        quads = _subset_nquads(store, rdflib_articles, subset)
    mem = ox.Store()
    mem.load(path=str(subset), format=ox.RdfFormat.N_QUADS)
    rdf = _rdflib_times(subset, rdflib_jobs, rdflib_timeout_s)
    for name, text in rdflib_jobs:
        runs, res = _timed(lambda: [tuple(s) for s in mem.query(text, use_default_graph_as_union=True)], most=5)
        got = rdf["queries"].get(name, {"skipped": "an earlier query timed out"})
        ox_p50 = _summary(runs)["p50_ms"]
        if "p50_ms" in got:
            got["ratio_p50_to_pyoxigraph"] = round(got["p50_ms"] / max(ox_p50, 0.001), 1)
        got["pyoxigraph_p50_ms"] = ox_p50
        out["queries"][name]["rdflib_subset"] = got
    out["rdflib_subset"] = {"articles": rdflib_articles, "quads": quads, "load_s": rdf["load_s"]}
    return out
