"""The SHACL Core shapes compiled to SPARQL give pyshacl's results: on small shapes written here for
each component, on the founding corpus's stored graphs, and on those graphs broken at random."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import SH

from reformkg.shacl_sparql import UnsupportedShape, compile_shapes
from reformkg.store import open_store
from reformkg.validate import _core_query, validate_graph

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
ONTOLOGY = Graph().parse(data=PREFIXES + "ex:Cat rdfs:subClassOf ex:Animal . ex:Kitten rdfs:subClassOf ex:Cat .",
                         format="turtle")
DATA = PREFIXES + """
ex:a a ex:Animal ; ex:name "Ada" ; ex:age 3 ; ex:friend ex:b ; ex:code "AB" ; ex:born "2020-01-02"^^xsd:date .
ex:b a ex:Kitten ; ex:name "B", "Bee" ; ex:age -1 ; ex:friend ex:c, "not a node" ; ex:code "abc" .
ex:c ex:name "" ; ex:age "old" ; ex:friend [ a ex:Cat ] ; ex:born "2020-13-40"^^xsd:date ; ex:code 12 .
ex:d a ex:Cat ; ex:age 7.5 ; ex:born "x"@en .
"""
SHAPES = {  # one small shape per compiled component, each met by some nodes of DATA and failed by others
    "class": "ex:S sh:targetSubjectsOf ex:friend ; sh:property [ sh:path ex:friend ; sh:class ex:Animal ] .",
    "node-class": "ex:S sh:targetSubjectsOf ex:name ; sh:class ex:Cat .",
    "datatype": "ex:S sh:targetSubjectsOf ex:age ; sh:property [ sh:path ex:age ; sh:datatype xsd:integer ] .",
    "date": "ex:S sh:targetSubjectsOf ex:born ; sh:property [ sh:path ex:born ; sh:datatype xsd:date ] .",
    "string": "ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; sh:datatype xsd:string ] .",
    "nodekind": "ex:S sh:targetSubjectsOf ex:friend ; sh:property [ sh:path ex:friend ; sh:nodeKind sh:IRI ] .",
    "length": "ex:S sh:targetSubjectsOf ex:name ; sh:property [ sh:path ex:name ; sh:minLength 1 ; sh:maxLength 2 ] .",
    "pattern": 'ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]+$" ] .',
    "range": "ex:S sh:targetSubjectsOf ex:age ; sh:property [ sh:path ex:age ; sh:minExclusive 0 ; sh:maxInclusive 7 ] .",
    "in": 'ex:S sh:targetSubjectsOf ex:code ; sh:property [ sh:path ex:code ; sh:in ( "AB" 12 ) ] .',
    "counts": "ex:S sh:targetClass ex:Animal ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ] .",
    "min2": "ex:S sh:targetSubjectsOf ex:age ; sh:property [ sh:path ex:name ; sh:minCount 2 ] .",
    "hasvalue": 'ex:S sh:targetClass ex:Cat ; sh:property [ sh:path ex:name ; sh:hasValue "B" ] .',
    "inverse": "ex:S sh:targetClass ex:Animal ; sh:property [ sh:path [ sh:inversePath ex:friend ] ; sh:minCount 1 ] .",
    "sequence": "ex:S sh:targetNode ex:a ; sh:property [ sh:path ( ex:friend ex:friend ) ; sh:class ex:Cat ] .",
    "or": """ex:S sh:targetSubjectsOf ex:age ; sh:or ( [ sh:class ex:Cat ]
             [ sh:path ex:born ; sh:minCount 1 ; sh:datatype xsd:date ] ) .""",
    "not-and": """ex:S sh:targetSubjectsOf ex:age ; sh:not [ sh:class ex:Kitten ] ;
                  sh:and ( [ sh:path ex:age ; sh:minCount 1 ] [ sh:path ex:code ; sh:maxCount 1 ] ) .""",
    "node": """ex:S sh:targetObjectsOf ex:friend ; sh:node ex:Named .
             ex:Named sh:property [ sh:path ex:name ; sh:minCount 1 ] .""",
}


def _compiled(shapes: Graph, data: Graph) -> Counter:
    store = ox.Store()
    store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    query = compile_shapes(shapes, ONTOLOGY)
    found: Counter = Counter()
    for text in query.texts:
        for this, value, check in store.query(text):  # type: ignore[misc]
            term = value.value if isinstance(value, (ox.NamedNode, ox.Literal)) else ""
            focus = this.value if isinstance(this, ox.NamedNode) else "_:"  # blank node labels differ
            found[(focus, query.checks[int(check.value)].path, term)] += 1
    return found


def _reference(shapes: Graph, data: Graph) -> Counter:
    _, report, _ = pyshacl_validate(data + ONTOLOGY, shacl_graph=shapes, inference="none")
    found: Counter = Counter()
    for res in report.objects(None, SH.result):  # not the nested sh:detail results of sh:node
        path, value = report.value(res, SH.resultPath), report.value(res, SH.value)
        focus = report.value(res, SH.focusNode)
        found[(str(focus) if isinstance(focus, URIRef) else "_:", str(path) if isinstance(path, URIRef) else "",
               str(value) if isinstance(value, (URIRef, Literal)) else "")] += 1
    return found


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_each_compiled_component_gives_pyshacls_results(name: str) -> None:
    shapes = Graph().parse(data=PREFIXES + SHAPES[name], format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    expected = _reference(shapes, data)
    assert expected, f"the {name} shape should fail some node of DATA, or the test proves nothing"
    assert _compiled(shapes, data) == expected


@pytest.mark.parametrize("shape", [
    "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:name ; sh:qualifiedMinCount 1 ] .",
    "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:name ; sh:maxCount 9 ] .",
    "ex:S sh:targetNode ex:a ; sh:closed true .",
])
def test_an_uncompiled_feature_is_refused_not_skipped(shape: str) -> None:
    with pytest.raises(UnsupportedShape):
        compile_shapes(Graph().parse(data=PREFIXES + shape, format="turtle"), ONTOLOGY)


def test_our_shapes_compile() -> None:
    core = _core_query()
    assert len(core.texts) > 10 and {c.severity for c in core.checks} <= {"Violation", "Warning", "Info"}


def _key(v) -> tuple:
    return (v.focus, v.path, v.value, v.message, v.severity, v.focus_name)


def _both_engines(g: Graph) -> tuple[Counter, Counter]:
    return (Counter(map(_key, validate_graph(g))), Counter(map(_key, validate_graph(g, engine="pyshacl"))))


@pytest.fixture(scope="module")
def seed_graphs(seed_store: Path) -> list[Graph]:
    store = open_store(str(seed_store), read_only=True)
    try:
        by_graph: dict[str, Graph] = {}
        for q in ox.parse(store.dump_nquads(), format=ox.RdfFormat.N_QUADS):
            g = by_graph.setdefault(str(q.graph_name), Graph())
            g.parse(data=f"{q.subject} {q.predicate} {q.object} .", format="nt")
    finally:
        store.close()
    return [by_graph[k] for k in sorted(by_graph)]


def test_founding_graphs_same_verdicts(seed_graphs: list[Graph]) -> None:
    assert len(seed_graphs) == 5
    for g in seed_graphs:
        compiled, reference = _both_engines(g)
        assert compiled == reference


SCHEMA_VALUE = URIRef("https://schema.org/value")
BROKEN_LITERALS = [Literal("x"), Literal(""), Literal("-5", datatype=XSD.decimal), Literal("abc", datatype=XSD.date),
                   Literal("7", datatype=XSD.integer), Literal("gbp"), Literal("word", lang="en")]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_randomly_broken_graphs_same_verdicts(seed_graphs: list[Graph], data: st.DataObject) -> None:
    g = Graph()
    for t in data.draw(st.sampled_from(seed_graphs)):
        g.add(t)
    triples = sorted(g)
    nodes = sorted({s for s, _, _ in triples if isinstance(s, URIRef)})
    for _ in range(data.draw(st.integers(1, 4))):
        s, p, o = data.draw(st.sampled_from(triples))
        action = data.draw(st.sampled_from(["drop", "literal", "node", "second", "retype"]))
        if action == "drop":
            g.remove((s, p, o))
        elif action == "literal":
            g.remove((s, p, o))
            g.add((s, p, data.draw(st.sampled_from(BROKEN_LITERALS))))
        elif action == "node":
            g.remove((s, p, o))
            g.add((s, p, data.draw(st.sampled_from(nodes))))
        elif action == "second":
            g.add((s, p, data.draw(st.sampled_from([*nodes[:20], *BROKEN_LITERALS]))))
        else:
            g.add((s, RDF.type, data.draw(st.sampled_from(sorted(set(g.objects(None, RDF.type)))))))
    compiled, reference = _both_engines(g)
    if any(isinstance(o, Literal) and o.ill_typed for o in g.objects()):
        # pyshacl reports an ill-typed literal ("abc"^^xsd:date) under one of the two bounds a sum
        # has, not both (test below): the same results, counted apart from that
        assert set(compiled) == set(reference)
    else:
        assert compiled == reference


def test_ill_typed_sum_fails_both_bounds_as_shacl_says(seed_graphs: list[Graph]) -> None:
    # SHACL 4.4: a value for which "$value > $minExclusive" (or "<" for sh:maxExclusive) does not
    # return true is a result; a comparison of "abc"^^xsd:date with a number returns an error
    g = Graph()
    for t in seed_graphs[0]:
        g.add(t)
    amount, old = sorted((s, o) for s, p, o in g if p == SCHEMA_VALUE)[0]
    g.remove((amount, SCHEMA_VALUE, old))
    g.add((amount, SCHEMA_VALUE, Literal("abc", datatype=XSD.date)))
    compiled, reference = _both_engines(g)
    ((key, n),) = [(k, n) for k, n in compiled.items() if k[0] == str(amount)]
    assert n == 3 and reference[key] == 2  # datatype and both bounds; pyshacl gives one bound


def test_a_shape_is_asked_only_when_its_targets_can_select_a_node() -> None:
    shapes = Graph().parse(data=PREFIXES + """
        ex:ByClass sh:targetClass ex:Cat ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        ex:BySubject sh:targetSubjectsOf ex:age ; sh:property [ sh:path ex:age ; sh:datatype xsd:integer ] .
        ex:ByObject sh:targetObjectsOf ex:friend ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        ex:ByNode sh:targetNode ex:z ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .""", format="turtle")
    query = compile_shapes(shapes, ONTOLOGY)
    assert len(query.wanted(set())) == 1  # a shape naming its node is always asked
    assert len(query.wanted({"a http://example.org/Kitten"})) == 2  # an instance of a subclass is a target
    assert len(query.wanted({"a http://example.org/Dog"})) == 1
    assert len(query.wanted({"p http://example.org/age", "p http://example.org/friend"})) == 3
