"""Exports: every RDF format parses back to the same quads; GraphML and GEXF load as the entity network."""

from __future__ import annotations

import io

import networkx as nx
import pytest
from rdflib import Dataset, Graph

from reformkg.cli import app
from reformkg.export import EXPORT_FORMATS, flat_network
from reformkg.model import ENTITY_TYPES, PREDICATES

RDFLIB_NAMES = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def nquads(runner, seed_store) -> Dataset:
    result = runner.invoke(app, ["export", "--format", "nquads", "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    ds = Dataset()
    ds.parse(data=result.stdout_bytes, format="nquads")
    return ds


def _quads(ds: Dataset) -> set:
    return {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}


def test_export_nquads_keeps_one_graph_per_article(nquads) -> None:
    graphs = {str(g) for *_, g in nquads.quads((None, None, None, None))}
    assert len(graphs) == 5 and all("/graph/" in g for g in graphs)


@pytest.mark.parametrize("fmt", ["trig", "jsonld"])
def test_export_dataset_formats_round_trip(runner, seed_store, nquads, fmt: str) -> None:
    result = runner.invoke(app, ["export", "--format", fmt, "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    ds = Dataset()
    ds.parse(data=result.stdout_bytes, format=RDFLIB_NAMES[fmt])
    assert _quads(ds) == _quads(nquads)


def test_export_turtle_is_the_union_without_duplicates(runner, seed_store, nquads) -> None:
    result = runner.invoke(app, ["export", "--format", "turtle", "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("@prefix")
    g = Graph().parse(data=result.stdout_bytes, format="turtle")
    assert set(g) == {(s, p, o) for s, p, o, _ in nquads.quads((None, None, None, None))}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_network_formats_load_in_networkx(runner, seed_store, tmp_path, fmt: str) -> None:
    out = tmp_path / f"kg.{fmt}"
    result = runner.invoke(app, ["export", "--format", fmt, "--out", str(out), "--store", str(seed_store)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    g = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
    assert g.number_of_nodes() > 10 and g.number_of_edges() > 0
    nodes = dict(g.nodes(data=True))
    assert {d["type"] for d in nodes.values()} <= set(ENTITY_TYPES)
    for _, _, d in g.edges(data=True):
        assert d["predicate"] in PREDICATES and d["evidence"]
    funds = [d for d in nodes.values() if d["type"] == "Fund" and "amount_gbp" in d]
    assert funds and all(float(d["amount_gbp"]) > 0 for d in funds)


def test_export_flat_network_turns_lists_into_strings() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", label="A", aliases=["x", "y"], posts=[{"role": "Minister", "as_of": None}], amount_gbp=None)
    g.add_edge("a", "a", predicate="part_of")
    flat = flat_network(g)
    assert flat.nodes["a"] == {"label": "A", "aliases": "x; y", "posts": '[{"as_of": null, "role": "Minister"}]'}
    buf = io.BytesIO()
    nx.write_graphml(flat, buf)  # raises on a list or dict attribute
    assert b"x; y" in buf.getvalue()


def test_export_unknown_format_is_a_usage_error(runner, seed_store) -> None:
    result = runner.invoke(app, ["export", "--format", "rdfxml", "--store", str(seed_store)])
    assert result.exit_code == 4
    assert result.stderr.strip() == f"error: unknown export format 'rdfxml' (use {', '.join(EXPORT_FORMATS)})"
