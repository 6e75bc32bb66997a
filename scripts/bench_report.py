"""Print the figures of a ``scripts/bench.py --json`` file as the Markdown tables the README shows.

    python scripts/bench_report.py bench-10000.json

Every figure comes from the file; nothing is measured here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _ms(entry: dict | None, key: str = "p50_ms") -> str:
    return "—" if not entry or key not in entry else f"{entry[key]:,.1f}"


def query_rows(queries: dict) -> list[str]:
    """One row per saved query: all rows and bound to one entity, p50/p95, ratio to pyoxigraph, rdflib."""
    rows = [("| saved query | all: p50 / p95 ms | ratio to pyoxigraph | bound: p50 / p95 ms | ratio | "
            "rdflib subset ratio |"), "|---|---|---|---|---|---|"]
    for name, q in sorted(queries.items()):
        everything, bound, rdf = q.get("all", {}), q.get("bound", {}), q.get("rdflib_subset", {})
        rows.append(f"| {name} | {_ms(everything)} / {_ms(everything, 'p95_ms')} | "
                    f"{everything.get('ratio_p50_to_pyoxigraph', '—')}× | {_ms(bound)} / {_ms(bound, 'p95_ms')} | "
                    f"{bound.get('ratio_p50_to_pyoxigraph', '—')}× | "
                    f"{str(rdf.get('ratio_p50_to_pyoxigraph', rdf.get('error', '—')))[:40]}{'×' if 'ratio_p50_to_pyoxigraph' in rdf else ''} |")
    return rows


def summary_rows(d: dict) -> list[str]:
    """The headline figures, each beside the baseline measured in the same run."""
    rows = ["| figure | ReformKG | baseline (same run) | ratio |", "|---|---|---|---|"]
    if "ingest" in d:
        i, b = d["ingest"], d["ingest"]["baseline"]
        rows.append(f"| ingest {i['articles']:,} articles, {i['processes']} processes | {i['articles_per_s']} articles/s "
                    f"({i['seconds']:,.0f} s), peak {i['peak_mb']:,} MB (whole process tree) | {b['what']}: "
                    f"{b['articles_per_s']} articles/s over {b['articles']:,}, {b['peak_mb']} MB | {i['ratio_to_baseline']}× |")
        if "first_pass_s" in i:
            rows.append(f"| ingest: first pass (extract, resolve, check, store) / link pass | {i['first_pass_s']:,.0f} s "
                        f"({i['articles'] / max(i['first_pass_s'], 0.001):.1f} articles/s) / {i['link_pass_s']:,.0f} s "
                        f"({i['articles'] / max(i['link_pass_s'], 0.001):.1f} articles/s) | — | — |")
        if "cpu_ms_per_article" in i:
            alone = i.get("extraction_alone", {}).get("cpu_ms_per_article", "—")
            rows.append(f"| ingest: CPU per article, every process | {i['cpu_ms_per_article']} ms (extraction alone: "
                        f"{alone} ms) | {b['cpu_ms_per_article']} ms | — |")
    if "store" in d:
        s = d["store"]
        rows.append(f"| store | {s['bytes'] / 1e6:,.0f} MB, {s['quads']:,} quads; opens read-only in "
                    f"{s['open_read_only_s'] * 1000:.0f} ms (read-write {s['open_read_write_s'] * 1000:.0f} ms) | "
                    f"bare pyoxigraph open {s['baseline_open_s'] * 1000:.0f} ms | {s['ratio_to_baseline']}× |")
        if "entity_index" in s:
            x = s["entity_index"]
            rows.append(f"| entity index an ingest starts from | {x['nodes']:,} nodes, {x['load_s']} s from the cache, "
                        f"{x['rss_mb']:,} MB ({x['mb_per_1000_nodes']} MB per 1,000 nodes) | — | — |")
    if "render" in d:
        r = d["render"]
        rows.append(f"| render a {r['nodes']:,}-node / {r['edges']:,}-edge neighbourhood | read from the store in "
                    f"{r['neighbourhood_read_s']} s, rendered in {r['render_s']} s, {r['html_bytes'] / 1e6:.1f} MB | "
                    f"JSON dump of the same data {r['baseline']['bytes'] / 1e6:.1f} MB | {r['ratio_bytes']}× size |")
    if "link" in d:
        k = d["link"]
        rows.append(f"| link one new article | {k['p50_s'] * 1000:.0f} ms p50 ({k['links']} links) | extracting it "
                    f"alone {k['baseline_extract_p50_s'] * 1000:.0f} ms | {k['ratio_to_baseline']}× |")
    if "add100" in d:
        a = d["add100"]
        rows.append(f"| add 100 articles to the {d['articles']:,}-article store | {a['seconds']} s | the same 100 "
                    f"into an empty store {a['baseline_empty_store_s']} s | {a['ratio_to_baseline']}× |")
    return rows


def explore_rows(explore: dict) -> list[str]:
    """One row per entity card or path: p50 / p95 against the bare SPARQL of the entities' relations."""
    rows = ["| view | entities | p50 / p95 ms | bare relations on pyoxigraph p50 ms | ratio |", "|---|---|---|---|---|"]
    for label, e in explore.items():
        rows.append(f"| {label} | {' — '.join(e['names'])} (size {e['size']:,}) | {_ms(e)} / {_ms(e, 'p95_ms')} | "
                    f"{_ms(e['baseline'])} | {e['ratio_p50_to_baseline']}× |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json", type=Path)
    d = json.loads(ap.parse_args().json.read_text(encoding="utf-8"))
    print("\n".join(summary_rows(d)))
    if "queries" in d:
        print()
        print("\n".join(query_rows(d["queries"]["queries"])))
        if "explore" in d["queries"]:
            print()
            print("\n".join(explore_rows(d["queries"]["explore"])))


if __name__ == "__main__":
    main()
