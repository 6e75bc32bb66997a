"""The ontology and shapes files: they parse, agree with graph/vocab.py, align with standard vocabularies,
and the article graph builder uses them as documented (stable IRIs, money, time-bound posts)."""

from __future__ import annotations

import importlib.util
import re
import sys
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS
from test_validate import BASE, make_article

from reformkg.model import PREDICATES
from reformkg.rdfgraph import build_article_graph, money_value
from reformkg.validate import ONTOLOGY_PATH, SHAPES_PATH
from reformkg.vocab import ENTITY_CLASSES, OA, ORG, PREDICATE_PROPERTIES, RKG, SCHEMA, TIME

ONT = Graph().parse(ONTOLOGY_PATH, format="turtle")
DECLARED_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def _declared() -> set[URIRef]:
    return {s for k in DECLARED_KINDS for s in ONT.subjects(RDF.type, k) if str(s).startswith(str(RKG))}


def test_ontology_every_vocab_term_is_declared() -> None:
    in_vocab = {RKG[name] for name in RKG.__annotations__}
    assert in_vocab - _declared() == set()
    assert _declared() - in_vocab == set(), "declared in reformkg.ttl but not reachable through vocab.py"


def test_ontology_every_term_has_label_and_comment() -> None:
    for term in _declared():
        assert ONT.value(term, RDFS.label) is not None, term
        assert ONT.value(term, RDFS.comment) is not None, term


def test_ontology_keeps_the_provenance_design_comment() -> None:
    text = ONTOLOGY_PATH.read_text(encoding="utf-8")
    assert "named graph per article" in text and "rkg:Assertion reifier" in text
    assert "RDF-star was not chosen" in text


@pytest.mark.parametrize(("term", "parent"), [
    (RKG.Person, FOAF.Person), (RKG.Person, SCHEMA.Person), (RKG.Organisation, ORG.Organization),
    (RKG.Region, DCTERMS.Location), (RKG.Fund, SCHEMA.MonetaryGrant), (RKG.Programme, PROV.Plan),
    (RKG.Article, SCHEMA.NewsArticle), (RKG.Mention, OA.SpecificResource), (RKG.Assertion, RDF.Statement),
    (RKG.Post, ORG.Post), (RKG.PostHolding, ORG.Membership),
])
def test_ontology_classes_align_with_standard_vocabularies(term: URIRef, parent: URIRef) -> None:
    assert (term, RDFS.subClassOf, parent) in ONT


def test_ontology_ten_relations_with_domain_and_range() -> None:
    assert sorted(PREDICATE_PROPERTIES) == sorted(PREDICATES)
    for prop in PREDICATE_PROPERTIES.values():
        assert (prop, RDF.type, OWL.ObjectProperty) in ONT
        assert ONT.value(prop, RDFS.domain) is not None and ONT.value(prop, RDFS.range) is not None, prop
    assert (RKG.member_of, RDFS.subPropertyOf, ORG.memberOf) in ONT
    assert (RKG.part_of, RDFS.subPropertyOf, DCTERMS.isPartOf) in ONT
    assert set(ENTITY_CLASSES.values()) <= _declared()


def test_ontology_shapes_parse_and_name_only_declared_terms() -> None:
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(str(RKG))}
    text_used = {RKG[m] for m in re.findall(r"\brkg:(\w+)", SHAPES_PATH.read_text())}
    assert used and (used | text_used) <= _declared()


def test_ontology_article_graph_has_no_blank_nodes_and_stable_iris() -> None:
    first, second = build_article_graph(make_article(), BASE), build_article_graph(make_article(), BASE)
    assert not any(isinstance(t, BNode) for triple in first for t in triple)
    assert set(first) == set(second) and isomorphic(first, second), graph_diff(first, second)
    assert all(str(s).startswith((BASE, str(RKG))) for s in first.subjects())


def test_ontology_fund_amount_is_monetary_amount_in_gbp() -> None:
    g = build_article_graph(make_article(), BASE)
    (fund,) = g.subjects(RDF.type, RKG.Fund)
    amount = g.value(fund, SCHEMA.amount)
    assert (amount, RDF.type, SCHEMA.MonetaryAmount) in g
    value = g.value(amount, SCHEMA.value)
    assert value.datatype == XSD.decimal and value.toPython() == Decimal("2000000")
    assert g.value(amount, SCHEMA.currency) == Literal("GBP")


@pytest.mark.parametrize(("pounds", "lexical"), [(600e6, "600000000"), (1.5, "1.50"), (54681221.0, "54681221"),
                                                 (0.1 + 0.2, "0.30")])
def test_ontology_money_value_is_exact_to_the_penny(pounds: float, lexical: str) -> None:
    assert money_value(pounds) == Literal(Decimal(lexical), datatype=XSD.decimal)


@given(st.integers(min_value=1, max_value=10**14))
def test_ontology_money_value_round_trips_through_turtle(pence: int) -> None:
    pounds = Decimal(pence) / 100
    literal = money_value(float(pounds))
    g = Graph()
    g.add((URIRef("https://example.org/a"), SCHEMA.value, literal))
    back = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    (value,) = back.objects()
    assert value.datatype == XSD.decimal and value.toPython() == pounds


def test_ontology_post_holding_is_time_bound_to_the_article_date() -> None:
    g = build_article_graph(make_article(published="2024-03-04"), BASE)
    (holding,) = g.subjects(RDF.type, RKG.PostHolding)
    post = g.value(holding, RKG.post)
    assert (post, RDF.type, RKG.Post) in g and g.value(post, SKOS.prefLabel) == Literal("Minister for Harbours")
    day = Literal("2024-03-04", datatype=XSD.date)
    assert g.value(holding, RKG.asOf) == day
    instant = g.value(g.value(holding, ORG.memberDuring), TIME.inside)
    assert g.value(instant, TIME.inXSDDate) == day
    undated = build_article_graph(make_article(published=None), BASE)
    (holding,) = undated.subjects(RDF.type, RKG.PostHolding)
    assert undated.value(holding, RKG.asOf) is None and undated.value(holding, ORG.member) is not None


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids |= {v for k, v in attrs if k == "id" and v}


def test_ontology_docs_page_documents_every_term() -> None:
    spec = importlib.util.spec_from_file_location("build_ontology_docs", ONTOLOGY_PATH.parent.parent
                                                  / "scripts" / "build_ontology_docs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]  # its dataclass looks itself up there
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    page = module.render_docs()
    parser = _Ids()
    parser.feed(page)
    assert {str(t)[len(str(RKG)):] for t in _declared()} <= parser.ids
    assert "shape-FundShape" in parser.ids and "Fund has neither a name nor an amount" in page


def test_ontology_why_not_rdf_star_still_holds() -> None:
    """The provenance comment says rdflib cannot parse RDF-star / RDF 1.2 reifiers: when this fails, revisit."""
    import pyoxigraph as ox
    from rdflib.plugins.parsers.notation3 import BadSyntax

    star = '<http://a> <http://b> <http://c> .\n<< <http://a> <http://b> <http://c> >> <http://d> "x" .\n'
    rdf12 = 'PREFIX : <http://ex/>\n:a :b :c ~ :r {| :d "x" |} .\n'
    for text in (star, rdf12):
        assert len(list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))) == 3
        with pytest.raises(BadSyntax):
            Graph().parse(data=text, format="turtle")
