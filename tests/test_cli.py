"""End-to-end CLI tests on the founding articles: ingest, extract, query, render, stats."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from reformkg.cli import app

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def _quads(store: Path) -> int:
    s = ox.Store.read_only(str(store))
    return sum(1 for _ in s.quads_for_pattern(None, None, None, None))


def test_cli_help_runs_as_installed_command() -> None:
    exe = shutil.which("reformkg")
    assert exe, "the reformkg console script is not installed"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for command in ("ingest", "extract", "query", "render", "stats"):
        assert command in out.stdout


def test_cli_extract_json_is_the_scoring_contract(runner) -> None:
    path = SOURCES / "seed-000.txt"
    result = runner.invoke(app, ["extract", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    text = path.read_text(encoding="utf-8")
    ids = {e["id"] for e in data["entities"]}
    assert data["entities"], "no entities extracted"
    for e in data["entities"]:
        assert set(e) >= {"id", "type", "name", "aliases", "amount_gbp", "roles"}
        assert e["type"] in {"Person", "Organisation", "Region", "Fund", "Programme"}
        assert isinstance(e["aliases"], list) and isinstance(e["roles"], list)
        if e["type"] == "Fund" and e["amount_gbp"] is not None:
            assert e["amount_gbp"] > 0
    amounts = {e["amount_gbp"] for e in data["entities"] if e["type"] == "Fund"}
    assert 600_000_000 in amounts and 54_681_221 in amounts
    for r in data["relations"]:
        assert r["subject"] in ids and r["object"] in ids
        assert text[r["start"] : r["end"]] == r["evidence"]


def test_cli_ingest_twice_gives_the_same_triple_count(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = runner.invoke(app, ["ingest", str(SOURCES), "--store", str(store), "--quiet"])
    assert first.exit_code == 0, first.stderr
    n = _quads(store)
    second = runner.invoke(app, ["ingest", str(SOURCES), "--store", str(store), "--quiet"])
    assert second.exit_code == 0, second.stderr
    assert _quads(store) == n > 0
    graphs = ox.Store.read_only(str(store)).named_graphs()
    assert len(list(graphs)) == 5


def test_cli_ingest_bad_source_keeps_earlier_articles(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    good = SOURCES / "seed-001.txt"
    missing = tmp_path / "missing.txt"
    result = runner.invoke(app, ["ingest", str(good), str(missing), "--store", str(store), "--quiet"])
    assert result.exit_code == 3
    assert "missing.txt" in result.stderr and "no such file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    stats = runner.invoke(app, ["stats", "--store", str(store), "--format", "json"])
    assert json.loads(stats.stdout)["articles"] == 1


def test_cli_stats_json_counts_the_corpus(runner, seed_store: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["articles"] == 5
    assert set(figures["entities"]) == {"Person", "Organisation", "Region", "Fund", "Programme"}
    assert figures["entities"]["Fund"] > 0 and figures["entities"]["Person"] > 0
    assert sum(figures["relations"].values()) > 0


def test_cli_saved_query_returns_rows(runner, seed_store: Path) -> None:
    result = runner.invoke(app, ["query", "funds-by-region", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert rows
    assert any(r["region"]["value"] == "Hertfordshire" for r in rows)


def test_cli_query_inline_csv(runner, seed_store: Path) -> None:
    q = "PREFIX rkg: <https://w3id.org/reformkg/ontology#> SELECT ?a WHERE { ?a a rkg:Article }"
    result = runner.invoke(app, ["query", q, "--store", str(seed_store), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "a" and len(lines) == 6


def test_cli_query_syntax_error_exits_4(runner, seed_store: Path) -> None:
    result = runner.invoke(app, ["query", "SELECT WHERE {", "--store", str(seed_store)])
    assert result.exit_code == 4
    assert result.stderr.startswith("error:")


def test_cli_render_embeds_the_extracted_nodes(runner, seed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    result = runner.invoke(app, ["render", "--out", str(out), "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    q = runner.invoke(app, ["query", "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                            "PREFIX rkg: <https://w3id.org/reformkg/ontology#> "
                            "SELECT DISTINCT ?l WHERE { ?e a rkg:Person ; skos:prefLabel ?l }",
                            "--store", str(seed_store), "--format", "json"])
    people = [b["l"]["value"] for b in json.loads(q.stdout)["results"]["bindings"]]
    assert people
    for name in people:
        assert json.dumps(name)[1:-1] in page or name in page
    assert not re.search(r"<script[^>]+src=[\"']https?://", page), "the view must not load scripts from a CDN"
