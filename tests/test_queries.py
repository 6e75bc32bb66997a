"""Saved queries: headers, safe parameters, rows on the founding corpus, and provenance down to the sentence."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Graph

from reformkg.cli import app
from reformkg.errors import QueryError
from reformkg.query import QUERIES_DIR, list_saved_queries, run_query, run_saved_query
from reformkg.store import open_store
from reformkg.validate import ONTOLOGY_PATH
from reformkg.vocab import RKG

SAVED = list_saved_queries()
NAMES = [q.name for q in SAVED]


@pytest.fixture(scope="module")
def store(seed_store):
    st = open_store(str(seed_store), read_only=True)
    yield st
    st.close()


def test_queries_at_least_ten_with_title_description_and_parameters() -> None:
    assert len(SAVED) >= 10
    for q in SAVED:
        assert q.title and q.title != q.name, q.name
        assert len(q.description) > 30, q.name
        assert q.parameters, f"{q.name}: no '# param:' line"
        for p in q.parameters:
            assert p.kind in ("iri", "literal") and p.description, (q.name, p)


def test_queries_use_only_declared_ontology_terms() -> None:
    declared = {str(s) for s in Graph().parse(ONTOLOGY_PATH, format="turtle").subjects()}
    for path in QUERIES_DIR.glob("*.rq"):
        used = {str(RKG) + local for local in re.findall(r"\brkg:(\w+)", path.read_text(encoding="utf-8"))}
        assert used <= declared, f"{path.name}: undeclared {sorted(used - declared)}"


@pytest.mark.parametrize("name", NAMES)
def test_queries_return_rows_on_founding_corpus(store, name: str) -> None:
    q = next(q for q in SAVED if q.name == name)
    result = run_saved_query(store, name)
    assert result.kind == "select" and result.rows, f"{name}: no rows on the founding corpus"
    # a parameter is bound by a trailing VALUES, which only filters projected variables
    assert {p.name for p in q.parameters} <= set(result.variables), name


def test_queries_parameter_filters_to_that_value(store) -> None:
    regions = {r["region"] for r in run_saved_query(store, "funds-by-region").values()}
    region = sorted(regions)[0]
    rows = run_saved_query(store, "funds-by-region", {"region": region}).values()
    assert rows and {r["region"] for r in rows} == {region}


def test_queries_hostile_literal_is_data_not_sparql(store) -> None:
    hostile = 'x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    assert run_saved_query(store, "entity-articles", {"name": hostile}).rows == ()
    with pytest.raises(QueryError):
        run_saved_query(store, "article-mentions", {"article": "not an iri> } DROP ALL"})
    with pytest.raises(QueryError, match="unknown parameter"):
        run_saved_query(store, "funds", {"nope": "1"})


def test_queries_relation_evidence_offsets_slice_the_stored_text(store) -> None:
    rows = run_saved_query(store, "relation-evidence").values()
    assert rows
    texts = {r["a"]: r["t"] for r in run_query(
        store, f"SELECT DISTINCT ?a ?t WHERE {{ ?a <{RKG.text}> ?t }}").values()}
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        assert texts[r["article"]][start:end] == r["sentence"], r


def test_queries_relation_evidence_binds_one_predicate(store) -> None:
    rows = run_saved_query(store, "relation-evidence", {"predicate": str(RKG.announced)}).values()
    assert rows and {r["predicate"] for r in rows} == {str(RKG.announced)}


def test_queries_post_holders_dated_by_their_article(store) -> None:
    rows = run_saved_query(store, "post-holders").values()
    dates = {r["a"]: r["d"] for r in run_query(
        store, "SELECT DISTINCT ?a ?d WHERE { ?a <http://purl.org/dc/terms/date> ?d }").values()}
    for r in rows:
        assert r.get("asOf") == dates.get(r["article"]), r
    assert any("asOf" in r for r in rows), "no dated post holding in the corpus"


def test_queries_money_by_region_counts_each_fund_once(store) -> None:
    funds = run_saved_query(store, "funds-by-region").values()
    by_region: dict[str, set[tuple[str, float]]] = {}
    for r in funds:
        by_region.setdefault(r["region"], set()).add((r["fund"], float(r.get("amount", 0))))
    for r in run_saved_query(store, "money-by-region").values():
        assert float(r["totalGbp"]) == sum(a for _, a in by_region[r["region"]]), r


def test_queries_cli_list_json(runner) -> None:
    result = runner.invoke(app, ["query", "--list", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [q["name"] for q in listed] == NAMES
    for q in listed:
        assert set(q) == {"name", "title", "description", "parameters"}
        assert all(set(p) == {"name", "kind", "description"} for p in q["parameters"])


def test_queries_cli_saved_query_with_param(runner, seed_store) -> None:
    result = runner.invoke(app, ["query", "entity-mentions", "--param", "name=Norfolk County Council",
                                 "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert rows and {r["name"]["value"] for r in rows} == {"Norfolk County Council"}


@pytest.mark.parametrize("name", [q.name for q in SAVED if q.parameters])
def test_queries_bound_rows_are_the_unbound_rows_with_that_value(store, name: str) -> None:
    # the parameter is joined in by a trailing VALUES; however the query is arranged for speed
    # (subqueries, GRAPH ?g), binding it must give exactly the unbound rows that carry the value
    # (a query keeps its parameter variable always bound, or SPARQL's join would add the rows
    # where it is unbound, with the value filled in)
    q = next(q for q in SAVED if q.name == name)
    param = q.parameters[0].name
    rows = [tuple(sorted(r.items())) for r in run_saved_query(store, name).values()]
    values = sorted({dict(r)[param] for r in rows if param in dict(r)})
    assert values, f"{name}: no row carries {param}"
    for value in (values[0], values[-1]):
        bound = [tuple(sorted(r.items())) for r in run_saved_query(store, name, {param: value}).values()]
        expected = [r for r in rows if dict(r).get(param) == value]
        assert all(param in dict(r) for r in rows), f"{name}: {param} must always be bound"
        assert sorted(bound) == sorted(expected), (name, value)
