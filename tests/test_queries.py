"""Saved queries: headers, safe parameters, rows on the founding corpus, and provenance down to the sentence."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from reformkg.cli import app
from reformkg.errors import QueryError
from reformkg.query import QUERIES_DIR, list_saved_queries, run_query, run_saved_query
from reformkg.store import bind_parameters, open_store
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


@pytest.mark.parametrize("name", [q.name for q in SAVED if q.parameters])
def test_queries_bound_rows_are_the_unbound_rows_on_crafted_data(crafted_store, name: str) -> None:
    # every value of the parameter on hand-written articles (hostile names included)
    q = next(q for q in SAVED if q.name == name)
    param = q.parameters[0].name
    with open_store(str(crafted_store), read_only=True) as st:
        rows = sorted(tuple(sorted(r.items())) for r in run_saved_query(st, name).values())
        absent = "urn:x:absent" if q.parameters[0].kind == "iri" else "no such value"
        for value in sorted({dict(r)[param] for r in rows if param in dict(r)}) + [absent]:
            bound = sorted(tuple(sorted(r.items())) for r in run_saved_query(st, name, {param: value}).values())
            assert bound == [r for r in rows if dict(r).get(param) == value], (name, value)


# Binding early (graph/store.py): a parameter's VALUES also goes inside the group or subquery that
# surely binds it, and only where that cannot change the answer.

def _early(sparql: str, name: str = "x") -> str:
    """Give the bound query text without its trailing VALUES clause."""
    return bind_parameters(sparql, {name: ox.NamedNode("http://e/1")}).rsplit("\nVALUES", 1)[0]


_V = "VALUES ?x { <http://e/1> }"


@pytest.mark.parametrize(("sparql", "inside"), [
    ("SELECT * WHERE { ?x <http://p> ?y }", "SELECT * WHERE { VALUES ?x { <http://e/1> } ?x"),
    ("SELECT ?x (COUNT(*) AS ?n) WHERE { { SELECT ?x ?y WHERE { GRAPH ?g { ?x <http://p> ?y } } GROUP BY ?x ?y } }"
     " GROUP BY ?x", "GRAPH ?g { VALUES ?x { <http://e/1> } ?x"),
    ("SELECT * WHERE { ?y <http://p> ?z OPTIONAL { ?x <http://q> ?y } }", None),  # only the OPTIONAL binds ?x
    ("SELECT * WHERE { ?y <http://p> ?z . BIND (?y AS ?x) }", None),
    ("SELECT * WHERE { { ?x <http://p> ?y } UNION { ?y <http://p> ?z } }", None),
    ("SELECT * WHERE { { SELECT ?x WHERE { ?x <http://p> ?y } LIMIT 3 } }",  # outside the LIMIT only
     "SELECT * WHERE { VALUES ?x { <http://e/1> } { SELECT ?x WHERE { ?x"),
    ("SELECT * WHERE { { SELECT ?y (COUNT(?x) AS ?n) WHERE { ?x <http://p> ?y } GROUP BY ?y } ?x <http://q> ?y }",
     "SELECT * WHERE { VALUES ?x { <http://e/1> } {"),
    ("SELECT * WHERE { { SELECT ?y WHERE { ?x <http://p> ?y } } ?y <http://q> ?z }", None),  # ?x not projected
    ("SELECT (COUNT(*) AS ?n) WHERE { ?x <http://p> ?y }", None),  # counted over every ?x
    ("SELECT * WHERE { OPTIONAL { ?y <http://q> ?z } ?x <http://p> ?y }", None),  # after an OPTIONAL
    ("SELECT * WHERE { ?x <http://p> \"}\" # { ?x\n OPTIONAL { ?x <http://q> '{' } }",
     "{ VALUES ?x { <http://e/1> } ?x <http://p> \"}\" # { ?x\n OPTIONAL { VALUES ?x { <http://e/1> } ?x <http://q>"),
    ("SELECT * WHERE { ?x <http://p> \"\\u007D\" }", None),  # escapes are decoded before parsing: not read
    ("ASK { ?x <http://p> ?y }", None),
    ("SELECT * WHERE { ?x <http://p> ?y FILTER (?y<'>') }", None),  # '<' here is an operator
    ("SELECT * WHERE { ?x <http://p> ?y MINUS { ?x <http://q> ?y } }", "SELECT * WHERE { VALUES ?x"),
])
def test_queries_early_values_only_where_it_cannot_change_the_answer(sparql: str, inside: str | None) -> None:
    text = _early(sparql)
    if inside is None:
        assert text == sparql
    else:
        assert inside in text and text.replace(f" {_V}", "") == sparql


def test_queries_early_values_never_pastes_a_hostile_value() -> None:
    sparql = "SELECT * WHERE { ?name <http://p> ?y }"
    hostile = 'x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    text = bind_parameters(sparql, {"name": ox.Literal(hostile)})
    assert text.count(str(ox.Literal(hostile))) == 2 and ox.Store().query(text).variables


# A property test: random queries on a small dataset answer the same with the early VALUES as with
# the trailing clause alone (the SPARQL meaning of a bound parameter).
_DATA = ox.Store()
for _i, (_s, _p, _o, _g) in enumerate(
        [(1, "p", 2, 1), (2, "p", 3, 1), (1, "q", 3, 2), (3, "q", 1, 2), (2, "q", 2, 1), (4, "p", 1, 2)]):
    _DATA.add(ox.Quad(ox.NamedNode(f"http://e/{_s}"), ox.NamedNode(f"http://{_p}"), ox.NamedNode(f"http://e/{_o}"),
                      ox.NamedNode(f"http://g/{_g}")))
_VARS = st.sampled_from(["?x", "?y", "?z"])
_TRIPLE = st.builds(lambda s, p, o: f"{s} <http://{p}> {o} .", _VARS, st.sampled_from("pq"),
                    st.one_of(_VARS, st.just("<http://e/1>")))


def _patterns(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    groups = st.lists(inner, min_size=1, max_size=3).map(" ".join)
    return st.one_of(
        groups.map(lambda g: f"GRAPH ?g {{ {g} }}"),
        groups.map(lambda g: f"OPTIONAL {{ {g} }}"),
        groups.map(lambda g: f"MINUS {{ {g} }}"),
        st.tuples(groups, groups).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
        groups.map(lambda g: f"{{ SELECT DISTINCT ?x ?y WHERE {{ {g} }} }}"),
        groups.map(lambda g: f"{{ SELECT ?x (COUNT(*) AS ?n{abs(hash(g)) % 997}) WHERE {{ {g} }} GROUP BY ?x }}"),
        groups.map(lambda g: f"{{ SELECT ?y (COUNT(?x) AS ?c{abs(hash(g)) % 997}) WHERE {{ {g} }} GROUP BY ?y }}"),
        groups.map(lambda g: f"{{ SELECT ?x ?y WHERE {{ {g} }} ORDER BY ?x ?y LIMIT 1 }}"),
        groups.map(lambda g: f"{g} FILTER (BOUND(?y) || !BOUND(?z))"),
    )


_GROUP = st.recursive(_TRIPLE, _patterns, max_leaves=6)


def _answer(sparql: str) -> list[tuple]:
    res = _DATA.query(sparql)
    names = [v.value for v in res.variables]
    return sorted(tuple(sorted((n, str(t)) for n, t in zip(names, s) if t is not None)) for s in res)


@settings(deadline=None)
@given(body=st.lists(_GROUP, min_size=1, max_size=3).map(" ".join), value=st.sampled_from([1, 2, 3]),
       grouped=st.booleans())
def test_queries_early_values_give_the_answer_of_the_trailing_clause(body: str, value: int, grouped: bool) -> None:
    sparql = (f"SELECT ?x (COUNT(*) AS ?total) WHERE {{ {body} }} GROUP BY ?x" if grouped
              else f"SELECT * WHERE {{ {body} }}")
    term = ox.NamedNode(f"http://e/{value}")
    trailing = f"{sparql}\nVALUES (?x) {{ ({term}) }}"
    assert _answer(bind_parameters(sparql, {"x": term})) == _answer(trailing)


# These name their parameter again inside OPTIONAL subqueries, so a bound value is where evaluation
# starts: binding must still select exactly the unbound rows that carry the value.
@pytest.mark.parametrize(("name", "param"), [("funds-by-region", "region"), ("announcements", "announcer"),
                                             ("programmes-by-region", "region"), ("funds", "fund")])
@pytest.mark.parametrize("fixture", ["seed_store", "crafted_store"])
def test_queries_bound_rows_are_the_unbound_rows_of_that_value(request, fixture: str, name: str, param: str) -> None:
    with open_store(str(request.getfixturevalue(fixture)), read_only=True) as st:
        every = run_saved_query(st, name)
        column = every.variables.index(param)
        values = sorted({row[column].value for row in every.rows if row[column] is not None})
        for value in values[:25]:
            bound = run_saved_query(st, name, {param: value})
            assert bound.variables == every.variables
            # the same rows (ORDER BY leaves ties in no set order)
            assert sorted(map(str, bound.rows)) == sorted(str(row) for row in every.rows if row[column] is not None
                                                          and row[column].value == value), (name, value)
