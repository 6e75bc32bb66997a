"""Article graphs as built and serialised: N-Triples exactly as rdflib writes them, hostile text included,
parsed back by rdflib and pyoxigraph; the article store answering as rdflib's own store does."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import SKOS
from reformkg.model import (
    Article,
    Entity,
    Evidence,
    Extraction,
    Link,
    Relation,
    ResolvedArticle,
    ResolvedEntity,
    Span,
)
from reformkg.rdfgraph import build_article_graph, build_link_graph, links_not_stored, to_ntriples
from reformkg.resolve import mint_iri
from reformkg.vocab import RKG

BASE = "https://example.org/kg/"
# what N-Triples must escape, and what it must not mangle (lone surrogates cannot come from decoded text)
hostile = st.text(
    alphabet=st.one_of(st.sampled_from('"\\\n\r\t\'<>^ £é—ß中😀\u2028\x00\x7f'),
                       st.characters(exclude_categories=("Cs",))),
    min_size=1, max_size=30,
)


def _resolved(text: str, name: str, role: str, alias: str, title: str, publisher: str) -> ResolvedArticle:
    """Give an invented two-entity article whose every string field carries the given text."""
    body = f"{name} leads the Example Fund. {text}"
    fund, said = len(name) + len(" leads the "), len(body) - len(text)
    sentence = Evidence("art-h", body, 0, len(body))
    entities = (
        Entity("e1", "Person", name, aliases=(alias,), roles=(role,), mentions=(Span(0, len(name), name),)),
        Entity("e2", "Fund", "Example Fund", amount_gbp=1250.5, mentions=(Span(fund, fund + 12, "Example Fund"),)),
    )
    article = Article("art-h", body, source=f"tests/{text}.txt", title=title, published="2025-01-31",
                      publisher=publisher, url="https://example.org/news/1")
    resolved = tuple(ResolvedEntity(e, mint_iri(BASE, e.type, e.name), e.name) for e in entities)
    link = Link(mint_iri(BASE, "Programme", "Example Programme"), "Example Programme", "Programme", 0.75,
                evidence=Evidence("art-h", text, said, len(body)))
    return ResolvedArticle(Extraction(article, entities, (Relation("e1", "leads", "e2", sentence),)), resolved, (link,))


def _lines(text: str) -> list[str]:
    return sorted(text.split("\n"))  # not splitlines(): it also breaks at \x1e, \u2028 ...


@given(hostile, hostile, hostile, hostile, hostile, hostile)
def test_rdfgraph_ntriples_is_rdflibs_own_and_parses_back(text: str, name: str, role: str, alias: str,
                                                        title: str, publisher: str) -> None:
    g = build_article_graph(_resolved(text, name, role, alias, title, publisher), BASE)
    nt = to_ntriples(g)
    assert _lines(nt) == _lines(g.serialize(format="nt"))
    assert nt.count("\n") == len(g)
    assert to_isomorphic(Graph().parse(data=nt, format="nt")) == to_isomorphic(g)
    quads = list(ox.parse(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert len(quads) == len(g)
    assert {q.object.value for q in quads if isinstance(q.object, ox.Literal)} == {
        str(o) for o in g.objects() if isinstance(o, Literal)}


def test_rdfgraph_ntriples_of_any_graph_matches_rdflib() -> None:
    g = Graph()
    s = URIRef("https://example.org/a")
    g.add((s, SKOS.prefLabel, Literal('two\nlines "quoted"', lang="en-GB")))
    g.add((s, SKOS.note, Literal(Decimal("3.50"))))
    g.add((s, SKOS.related, URIRef("https://example.org/b")))
    assert _lines(to_ntriples(g)) == _lines(g.serialize(format="nt"))
    assert to_ntriples(Graph()) == ""


def test_rdfgraph_graph_answers_lookups_and_edits() -> None:
    g = build_article_graph(_resolved("Said on Monday.", "Jo Example", "Harbour Minister", "J. Example",
                                      "Harbour money", "Example Gazette"), BASE)
    memory = Graph()
    for triple in g:
        memory.add(triple)
    assert len(memory) == len(g)
    (person,) = g.subjects(RDF.type, RKG.Person)
    assert g.value(person, SKOS.prefLabel) == Literal("Jo Example")
    for pattern in ((person, None, None), (None, RDF.type, None), (None, None, person), (person, SKOS.altLabel, None),
                    (None, SKOS.prefLabel, Literal("Jo Example")), (URIRef(f"{BASE}nothing"), None, None)):
        assert set(g.triples(pattern)) == set(memory.triples(pattern))
    g.set((person, SKOS.prefLabel, Literal("Jo Renamed")))
    g.add((person, SKOS.prefLabel, Literal("Jo Renamed")))  # a triple held already is not counted twice
    assert list(g.objects(person, SKOS.prefLabel)) == [Literal("Jo Renamed")]
    g.remove((person, None, None))
    assert (person, RDF.type, RKG.Person) not in g and len(g) == len(memory) - len(list(memory.triples((person, None, None))))
    g.remove((None, None, None))
    assert len(g) == 0 and list(g) == []


def test_rdfgraph_turtle_keeps_prefixes_and_parses_back() -> None:
    g = build_article_graph(_resolved("A note.", "Jo Example", "Harbour Minister", "J. Example", "T", "P"), BASE)
    turtle = g.serialize(format="turtle")
    assert "@prefix skos:" in turtle
    assert to_isomorphic(Graph().parse(data=turtle, format="turtle")) == to_isomorphic(g)


def test_rdfgraph_links_not_stored_leaves_out_what_the_article_graph_holds() -> None:
    resolved = _resolved("Leads the fund.", "Jo Example", "Harbour Minister", "J. Example", "T", "P")
    links = build_link_graph(resolved, BASE)
    added = links_not_stored(links, resolved, BASE)
    assert set(added) < set(links) and set(added) <= set(build_article_graph(resolved, BASE))
    assert len(added) == len(set(added)) and len(list(added.subjects(RDF.type, RKG.Link))) == 1


def test_rdfgraph_one_sum_per_fund_though_two_near_sums_named_it(hand_extraction) -> None:
    from reformkg.resolve import EntityIndex, resolve_extraction
    from reformkg.validate import check_article_graph

    # invented: two sums within half a percent, one fund; the amount shape allows one value
    text = "Fenmere gets the £10.75m Harbour Renewal Fund. The £10.7m Harbour Renewal Fund opens in May."
    resolved = resolve_extraction(hand_extraction("h1", text, [
        ("Fund", "£10.75m Harbour Renewal Fund", [], 10.75e6, []),
        ("Fund", "£10.7m Harbour Renewal Fund", [], 10.7e6, [])]), EntityIndex(), BASE)
    assert len({r.iri for r in resolved.entities}) == 1
    g = build_article_graph(resolved, BASE)
    values = list(g.objects(URIRef(resolved.entities[0].iri + "#amount"), URIRef("https://schema.org/value")))
    assert [v.toPython() for v in values] == [Decimal("10750000")]
    check_article_graph(g, "h1.txt")  # raises when a shape fails
