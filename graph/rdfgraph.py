"""ResolvedArticle -> the article's RDF graph (rdflib), under the ReformKG ontology.

One named graph per article holds: the article (Dublin Core metadata, its text, and the
``rkg:SourceRecord`` of what its source gave), each entity node with its labels, amount
(``schema:MonetaryAmount``) and identifiers, each mention with Web Annotation selectors, each
relation as a triple plus an ``rkg:Assertion`` reifier pointing at its evidence sentence, and
each role as an ``rkg:PostHolding`` of an ``rkg:Post`` as of the article's date.

Every node gets an IRI derived from the base, the article id and the offsets or entity IRIs
(no blank nodes), so rebuilding an article gives the same graph on every run and machine.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .model import Evidence, ResolvedArticle
from .resolve import mint_iri, normalise_name
from .vocab import ENTITY_CLASSES, OA, ORG, PREDICATE_PROPERTIES, RKG, SCHEMA, TIME

STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
WIKIDATA = "http://www.wikidata.org/entity/"


def article_iri(base: str, article_id: str) -> URIRef:
    """Give the IRI of an article."""
    return URIRef(f"{base}article/{article_id}")


def graph_iri(base: str, article_id: str) -> URIRef:
    """Give the IRI of the named graph that holds one article's facts."""
    return URIRef(f"{base}graph/{article_id}")


def iso_date(text: str | None) -> str | None:
    """Give the text if it is a valid ISO date (YYYY-MM-DD), else None."""
    if not text or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


def money_value(amount: float) -> Literal:
    """Give an amount in pounds as an exact ``xsd:decimal`` literal, to the penny."""
    value = Decimal(repr(amount)).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return Literal(value, datatype=XSD.decimal)


def _selector_iris(node: URIRef) -> tuple[URIRef, URIRef]:
    return URIRef(f"{node}#position"), URIRef(f"{node}#quote")


def _selectors(g: Graph, node: URIRef, source: URIRef, start: int, end: int, exact: str) -> None:
    pos, quote = _selector_iris(node)
    g.add((node, OA.hasSource, source))
    g.add((node, OA.hasSelector, pos))
    g.add((node, OA.hasSelector, quote))
    g.add((pos, RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((pos, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(exact)))


def _sentence_iri(base: str, ev: Evidence) -> URIRef:
    return URIRef(f"{base}sentence/{ev.article_id}/{ev.start}-{ev.end}")


def _sentence(g: Graph, base: str, art: URIRef, ev: Evidence) -> URIRef:
    node = _sentence_iri(base, ev)
    if (node, RDF.type, RKG.EvidenceSentence) not in g:
        g.add((node, RDF.type, RKG.EvidenceSentence))
        _selectors(g, node, art, ev.start, ev.end, ev.sentence)
    return node


def build_article_graph(resolved: ResolvedArticle, base: str) -> Graph:
    """Give the RDF graph of one resolved article (to be stored as its own named graph)."""
    ext = resolved.extraction
    article = ext.article
    g = Graph()
    art = article_iri(base, article.id)
    g.add((art, RDF.type, RKG.Article))
    g.add((art, RKG.text, Literal(article.text)))
    published = iso_date(article.published)
    if article.title and article.title.strip():
        g.add((art, DCTERMS.title, Literal(article.title.strip())))
    if published:
        g.add((art, DCTERMS.date, Literal(published, datatype=XSD.date)))
    if article.publisher:
        g.add((art, DCTERMS.publisher, Literal(article.publisher)))
    if article.url:
        g.add((art, DCTERMS.source, URIRef(article.url)))
    # what the source gave, verbatim: SHACL compares it with the article's own metadata, so a
    # title or date lost (or a date that is not YYYY-MM-DD) on the way is caught, not stored
    record = URIRef(f"{base}source/{article.id}")
    g.add((art, PROV.hadPrimarySource, record))
    g.add((record, RDF.type, RKG.SourceRecord))
    if article.source:
        g.add((record, DCTERMS.identifier, Literal(article.source)))
    if article.title:
        g.add((record, RKG.givenTitle, Literal(article.title)))
    if article.published:
        g.add((record, RKG.givenDate, Literal(article.published)))

    iris: dict[str, URIRef] = {}
    for r in resolved.entities:
        e, node = r.entity, URIRef(r.iri)
        iris[e.id] = node
        g.add((node, RDF.type, ENTITY_CLASSES[e.type]))
        g.add((node, SKOS.prefLabel, Literal(r.label or e.name)))
        for alias in {e.name, *e.aliases} - {r.label or e.name}:
            g.add((node, SKOS.altLabel, Literal(alias)))
        if e.amount_gbp is not None:
            amount = URIRef(f"{node}#amount")
            g.add((node, SCHEMA.amount, amount))
            g.add((amount, RDF.type, SCHEMA.MonetaryAmount))
            g.add((amount, SCHEMA.value, money_value(e.amount_gbp)))
            g.add((amount, SCHEMA.currency, Literal("GBP")))
        for ident in r.identifiers:
            if ident.scheme == "gss":
                g.add((node, RKG.gssCode, Literal(ident.value)))
                g.add((node, SKOS.exactMatch, URIRef(STATISTICAL_GEOGRAPHY + ident.value)))
            elif ident.scheme == "wikidata":
                g.add((node, RKG.wikidata, Literal(ident.value)))
                g.add((node, SKOS.exactMatch, URIRef(WIKIDATA + ident.value)))
        for span in e.mentions:
            m = URIRef(f"{base}mention/{article.id}/{span.start}-{span.end}")
            g.add((m, RDF.type, RKG.Mention))
            g.add((m, RKG.mentionOf, node))
            g.add((art, RKG.mentions, node))
            _selectors(g, m, art, span.start, span.end, span.text)
        for role in e.roles:
            post = URIRef(mint_iri(base, "Post", role))
            g.add((post, RDF.type, RKG.Post))
            g.add((post, SKOS.prefLabel, Literal(role)))
            key = hashlib.sha1(f"{r.iri}|{normalise_name(role)}".encode()).hexdigest()[:12]
            holding = URIRef(f"{base}holding/{article.id}/{key}")
            g.add((holding, RDF.type, RKG.PostHolding))
            g.add((holding, ORG.member, node))
            g.add((holding, RKG.post, post))
            g.add((holding, RKG.roleLabel, Literal(role)))
            g.add((holding, PROV.wasDerivedFrom, art))
            if published:
                # an article proves only "true as of its date": an instant inside the holding
                day = Literal(published, datatype=XSD.date)
                during, instant = URIRef(f"{holding}#during"), URIRef(f"{holding}#asOf")
                g.add((holding, RKG.asOf, day))
                g.add((holding, ORG.memberDuring, during))
                g.add((during, RDF.type, TIME.Interval))
                g.add((during, TIME.inside, instant))
                g.add((instant, RDF.type, TIME.Instant))
                g.add((instant, TIME.inXSDDate, day))
        if not e.mentions:
            g.add((art, RKG.mentions, node))

    for rel in ext.relations:
        s, o = iris.get(rel.subject), iris.get(rel.object)
        if s is None or o is None:
            continue
        p = PREDICATE_PROPERTIES[rel.predicate]
        g.add((s, p, o))
        key = hashlib.sha1(f"{s}|{p}|{o}|{rel.evidence.start}".encode()).hexdigest()[:12]
        a = URIRef(f"{base}assertion/{article.id}/{key}")
        g.add((a, RDF.type, RKG.Assertion))
        g.add((a, RDF.subject, s))
        g.add((a, RDF.predicate, p))
        g.add((a, RDF.object, o))
        g.add((a, RKG.evidence, _sentence(g, base, art, rel.evidence)))
        g.add((a, PROV.wasDerivedFrom, art))

    _add_links(g, base, art, resolved)
    return g


def build_link_graph(resolved: ResolvedArticle, base: str) -> Graph:
    """Give an article's links as a graph of their own: the links, their evidence sentences and the
    article's typing (which its stored graph holds already), for a relink to check and add."""
    g = Graph()
    art = article_iri(base, resolved.extraction.article.id)
    g.add((art, RDF.type, RKG.Article))
    _add_links(g, base, art, resolved)
    return g


def links_not_stored(links: Graph, resolved: ResolvedArticle, base: str) -> Graph:
    """Give the triples of an article's link graph (``build_link_graph``) that its stored graph lacks:
    not the article's typing, nor a sentence (with its selectors) that one of its relations states."""
    named = {r.entity.id for r in resolved.entities}
    stated = {_sentence_iri(base, rel.evidence) for rel in resolved.extraction.relations
              if rel.subject in named and rel.object in named}  # what ``build_article_graph`` writes
    held = stated | {sel for node in stated for sel in _selector_iris(node)}
    typing = (article_iri(base, resolved.extraction.article.id), RDF.type, RKG.Article)
    added = Graph()
    added.addN((s, p, o, added) for s, p, o in links if s not in held and (s, p, o) != typing)
    return added


def _add_links(g: Graph, base: str, art: URIRef, resolved: ResolvedArticle) -> None:
    article = resolved.extraction.article
    for link in resolved.links:
        node = URIRef(f"{base}link/{article.id}/{hashlib.sha1(link.iri.encode()).hexdigest()[:12]}")
        g.add((art, RKG.linksTo, URIRef(link.iri)))
        g.add((node, RDF.type, RKG.Link))
        g.add((node, PROV.wasDerivedFrom, art))
        g.add((node, RKG.linkTarget, URIRef(link.iri)))
        g.add((node, RKG.linkScore, Literal(Decimal(f"{link.score:.4f}"), datatype=XSD.decimal)))
        if link.evidence is not None:
            g.add((node, RKG.evidence, _sentence(g, base, art, link.evidence)))


def to_ntriples(g: Graph) -> str:
    """Give a graph as N-Triples text (the form stored in one atomic update)."""
    return g.serialize(format="nt")
