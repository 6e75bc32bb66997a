"""ResolvedArticle -> the article's RDF graph (rdflib), under the ReformKG ontology.

One named graph per article holds: the article (Dublin Core metadata, its text, and the
``rkg:SourceRecord`` of what its source gave), each entity node with its labels, amount
(``schema:MonetaryAmount``) and identifiers, each mention with Web Annotation selectors, each
relation as a triple plus an ``rkg:Assertion`` reifier pointing at its evidence sentence, and
each role as an ``rkg:PostHolding`` of an ``rkg:Post`` as of the article's date.

Every node gets an IRI derived from the base, the article id and the offsets or entity IRIs
(no blank nodes), so rebuilding an article gives the same graph on every run and machine.

A graph is made as a list of triples, then put in one step into an ``_ArticleStore``: rdflib's own
stores index each triple as it comes (context bookkeeping and events in ``Memory``, three nested
indexes in ``SimpleMemory``), which cost more than making the graph, and an article graph is only
serialised, checked and asked a few questions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from .model import Evidence, ResolvedArticle
from .resolve import mint_iri, normalise_name
from .vocab import ENTITY_CLASSES, OA, ORG, PREDICATE_PROPERTIES, RKG, SCHEMA, TIME

if TYPE_CHECKING:
    from rdflib.graph import _ContextType, _QuadType, _TriplePatternType

STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
WIKIDATA = "http://www.wikidata.org/entity/"

Triple = tuple[Node, Node, Node]

# the terms of every triple, looked up once: a namespace attribute builds or checks its URIRef on
# each access (1.5-2.7 us), more than the store takes to add the triple
A, DATATYPE_OFFSET, DATATYPE_DATE, DATATYPE_DECIMAL = RDF.type, XSD.nonNegativeInteger, XSD.date, XSD.decimal
HAS_SOURCE, HAS_SELECTOR, START, END, EXACT = OA.hasSource, OA.hasSelector, OA.start, OA.end, OA.exact
POSITION_SELECTOR, QUOTE_SELECTOR = OA.TextPositionSelector, OA.TextQuoteSelector
PREF_LABEL, ALT_LABEL, EXACT_MATCH = SKOS.prefLabel, SKOS.altLabel, SKOS.exactMatch
DERIVED_FROM, MEMBER, MEMBER_DURING = PROV.wasDerivedFrom, ORG.member, ORG.memberDuring
MENTION, MENTION_OF, MENTIONS, EVIDENCE = RKG.Mention, RKG.mentionOf, RKG.mentions, RKG.evidence
SENTENCE, ASSERTION, LINK = RKG.EvidenceSentence, RKG.Assertion, RKG.Link
GBP = Literal("GBP")


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
    return Literal(value, datatype=DATATYPE_DECIMAL)


@lru_cache(maxsize=1 << 16)
def _offset(n: int) -> Literal:
    # offsets recur across articles (every article starts at 0) and an int Literal takes 8 us to make
    return Literal(n, datatype=DATATYPE_OFFSET)


def _selector_iris(node: URIRef) -> tuple[URIRef, URIRef]:
    return URIRef(f"{node}#position"), URIRef(f"{node}#quote")


def _sentence_iri(base: str, ev: Evidence) -> URIRef:
    return URIRef(f"{base}sentence/{ev.article_id}/{ev.start}-{ev.end}")


class _ArticleStore(SimpleMemory):
    """An rdflib store holding one article's graph: its triples as keys of one dict, in the order added.

    A lookup scans the triples (those of its subject, when one is given, through an index made on
    the first such lookup after a change). Namespace bindings are SimpleMemory's.
    """

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        super().__init__()
        self._triples: dict[Triple, None] = dict.fromkeys(triples)
        self._by_subject: dict[Node, list[Triple]] | None = None

    def add(self, triple: Triple, context: _ContextType, quoted: bool = False) -> None:
        self._triples[triple] = None
        self._by_subject = None

    def addN(self, quads: Iterable[_QuadType]) -> None:
        self._triples.update(((s, p, o), None) for s, p, o, _ in quads)
        self._by_subject = None

    def remove(self, triple_pattern: _TriplePatternType, context: _ContextType | None = None) -> None:
        for triple in list(self._match(triple_pattern)):
            del self._triples[triple]
        self._by_subject = None

    def triples(self, triple_pattern: _TriplePatternType,  # type: ignore[override]
                context: _ContextType | None = None) -> Iterator[tuple[Triple, tuple[()]]]:
        for triple in self._match(triple_pattern):
            yield triple, ()  # no contexts: this store is not context-aware

    def __len__(self, context: _ContextType | None = None) -> int:
        return len(self._triples)

    def _match(self, pattern: _TriplePatternType) -> Iterable[Triple]:
        s, p, o = pattern
        if s is None and p is None and o is None:
            return self._triples
        if s is not None and self._by_subject is None:
            self._by_subject = {}
            for triple in self._triples:
                self._by_subject.setdefault(triple[0], []).append(triple)
        candidates = self._triples if s is None else self._by_subject.get(s, ())  # type: ignore[union-attr]
        # a list, not a generator: a caller may remove what it was given (Graph.set, Graph.remove)
        return [t for t in candidates if (p is None or t[1] == p) and (o is None or t[2] == o)]


class _Triples:
    """The triples of one article's graph as they are made, with the sentences made so far."""

    def __init__(self, base: str, art: URIRef) -> None:
        self.base, self.art = base, art
        self.triples: list[Triple] = []
        self.sentences: set[URIRef] = set()

    def selectors(self, node: URIRef, start: int, end: int, exact: str) -> None:
        pos, quote = _selector_iris(node)
        self.triples += (
            (node, HAS_SOURCE, self.art), (node, HAS_SELECTOR, pos), (node, HAS_SELECTOR, quote),
            (pos, A, POSITION_SELECTOR), (pos, START, _offset(start)), (pos, END, _offset(end)),
            (quote, A, QUOTE_SELECTOR), (quote, EXACT, Literal(exact)),
        )

    def sentence(self, ev: Evidence) -> URIRef:
        node = _sentence_iri(self.base, ev)
        if node not in self.sentences:
            self.sentences.add(node)
            self.triples.append((node, A, SENTENCE))
            self.selectors(node, ev.start, ev.end, ev.sentence)
        return node

    def links(self, resolved: ResolvedArticle) -> None:
        art, article_id = self.art, resolved.extraction.article.id
        for link in resolved.links:
            node = URIRef(f"{self.base}link/{article_id}/{hashlib.sha1(link.iri.encode()).hexdigest()[:12]}")
            target = URIRef(link.iri)
            self.triples += (
                (art, RKG.linksTo, target), (node, A, LINK), (node, DERIVED_FROM, art),
                (node, RKG.linkTarget, target),
                (node, RKG.linkScore, Literal(Decimal(f"{link.score:.4f}"), datatype=DATATYPE_DECIMAL)),
            )
            if link.evidence is not None:
                self.triples.append((node, EVIDENCE, self.sentence(link.evidence)))


def build_article_graph(resolved: ResolvedArticle, base: str) -> Graph:
    """Give the RDF graph of one resolved article (to be stored as its own named graph)."""
    ext = resolved.extraction
    article = ext.article
    art = article_iri(base, article.id)
    out = _Triples(base, art)
    add = out.triples.append
    add((art, A, RKG.Article))
    add((art, RKG.text, Literal(article.text)))
    published = iso_date(article.published)
    day = Literal(published, datatype=DATATYPE_DATE) if published else None
    if article.title and article.title.strip():
        add((art, DCTERMS.title, Literal(article.title.strip())))
    if day is not None:
        add((art, DCTERMS.date, day))
    if article.publisher:
        add((art, DCTERMS.publisher, Literal(article.publisher)))
    if article.url:
        add((art, DCTERMS.source, URIRef(article.url)))
    # what the source gave, verbatim: SHACL compares it with the article's own metadata, so a
    # title or date lost (or a date that is not YYYY-MM-DD) on the way is caught, not stored
    record = URIRef(f"{base}source/{article.id}")
    add((art, PROV.hadPrimarySource, record))
    add((record, A, RKG.SourceRecord))
    if article.source:
        add((record, DCTERMS.identifier, Literal(article.source)))
    if article.title:
        add((record, RKG.givenTitle, Literal(article.title)))
    if article.published:
        add((record, RKG.givenDate, Literal(article.published)))

    iris: dict[str, URIRef] = {}
    with_amount: set[URIRef] = set()
    for r in resolved.entities:
        e, node = r.entity, URIRef(r.iri)
        iris[e.id] = node
        add((node, A, ENTITY_CLASSES[e.type]))
        add((node, PREF_LABEL, Literal(r.label or e.name)))
        for alias in {e.name, *e.aliases} - {r.label or e.name}:
            add((node, ALT_LABEL, Literal(alias)))
        # one sum a fund per article, the first said: two within half a percent ("£10.75m" and
        # "£10.7m") are one fund, and the amount shape allows one value
        if e.amount_gbp is not None and node not in with_amount:
            with_amount.add(node)
            amount = URIRef(f"{node}#amount")
            out.triples += ((node, SCHEMA.amount, amount), (amount, A, SCHEMA.MonetaryAmount),
                            (amount, SCHEMA.value, money_value(e.amount_gbp)), (amount, SCHEMA.currency, GBP))
        for ident in r.identifiers:
            if ident.scheme == "gss":
                add((node, RKG.gssCode, Literal(ident.value)))
                add((node, EXACT_MATCH, URIRef(STATISTICAL_GEOGRAPHY + ident.value)))
            elif ident.scheme == "wikidata":
                add((node, RKG.wikidata, Literal(ident.value)))
                add((node, EXACT_MATCH, URIRef(WIKIDATA + ident.value)))
        for span in e.mentions:
            m = URIRef(f"{base}mention/{article.id}/{span.start}-{span.end}")
            out.triples += ((m, A, MENTION), (m, MENTION_OF, node), (art, MENTIONS, node))
            out.selectors(m, span.start, span.end, span.text)
        for role in e.roles:
            post = URIRef(mint_iri(base, "Post", role))
            key = hashlib.sha1(f"{r.iri}|{normalise_name(role)}".encode()).hexdigest()[:12]
            holding = URIRef(f"{base}holding/{article.id}/{key}")
            label = Literal(role)
            out.triples += ((post, A, RKG.Post), (post, PREF_LABEL, label), (holding, A, RKG.PostHolding),
                            (holding, MEMBER, node), (holding, RKG.post, post), (holding, RKG.roleLabel, label),
                            (holding, DERIVED_FROM, art))
            if day is not None:
                # an article proves only "true as of its date": an instant inside the holding
                during, instant = URIRef(f"{holding}#during"), URIRef(f"{holding}#asOf")
                out.triples += ((holding, RKG.asOf, day), (holding, MEMBER_DURING, during),
                                (during, A, TIME.Interval), (during, TIME.inside, instant),
                                (instant, A, TIME.Instant), (instant, TIME.inXSDDate, day))
        if not e.mentions:
            add((art, MENTIONS, node))

    for rel in ext.relations:
        s, o = iris.get(rel.subject), iris.get(rel.object)
        if s is None or o is None:
            continue
        p = PREDICATE_PROPERTIES[rel.predicate]
        key = hashlib.sha1(f"{s}|{p}|{o}|{rel.evidence.start}".encode()).hexdigest()[:12]
        a = URIRef(f"{base}assertion/{article.id}/{key}")
        out.triples += ((s, p, o), (a, A, ASSERTION), (a, RDF.subject, s), (a, RDF.predicate, p),
                        (a, RDF.object, o), (a, EVIDENCE, out.sentence(rel.evidence)), (a, DERIVED_FROM, art))

    out.links(resolved)
    return Graph(store=_ArticleStore(out.triples))


def build_link_graph(resolved: ResolvedArticle, base: str) -> Graph:
    """Give an article's links as a graph of their own: the links, their evidence sentences and the
    article's typing (which its stored graph holds already), for a relink to check and add."""
    art = article_iri(base, resolved.extraction.article.id)
    out = _Triples(base, art)
    out.triples.append((art, A, RKG.Article))
    out.links(resolved)
    return Graph(store=_ArticleStore(out.triples))


def links_not_stored(links: Graph, resolved: ResolvedArticle, base: str) -> Graph:
    """Give the triples of an article's link graph (``build_link_graph``) that its stored graph lacks:
    not the article's typing, nor a sentence (with its selectors) that one of its relations states."""
    named = {r.entity.id for r in resolved.entities}
    stated = {_sentence_iri(base, rel.evidence) for rel in resolved.extraction.relations
              if rel.subject in named and rel.object in named}  # what ``build_article_graph`` writes
    held = stated | {sel for node in stated for sel in _selector_iris(node)}
    typing = (article_iri(base, resolved.extraction.article.id), A, RKG.Article)
    return Graph(store=_ArticleStore(t for t in links if t[0] not in held and t != typing))


def _nt_literal(lit: Literal) -> str:
    # rdflib's N-Triples serializer's form (Literal.n3() is Turtle's: long quotes around a newline)
    escaped = lit.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    text = f'"{escaped}"'
    if lit.language:
        return f"{text}@{lit.language}"
    return f"{text}^^<{lit.datatype}>" if lit.datatype else text


def to_ntriples(g: Graph) -> str:
    """Give a graph as N-Triples text (the form stored in one atomic update), line for line as
    rdflib's ``nt`` serializer writes it."""
    # an IRI recurs in many triples and n3() checks it on every call: each is written once here
    known: dict[Node, str] = {}
    rows = []
    for s, p, o in g:
        subject = known.get(s) or known.setdefault(s, s.n3())
        predicate = known.get(p) or known.setdefault(p, p.n3())
        obj = _nt_literal(o) if isinstance(o, Literal) else known.get(o) or known.setdefault(o, o.n3())
        rows.append(f"{subject} {predicate} {obj} .\n")
    return "".join(rows)
