"""Store -> what a researcher looks at: the entity network, entity cards, paths and a timeline.

Input: a ``Store``. Output: an ``nx.MultiDiGraph`` (nodes are entity IRIs; edges are relations
with their evidence), ``EntityCard``, ``EntityPath`` and ``TimelineEvent`` dataclasses.

The network is the one shape everything else is read from, so a card built here and the card a
browser shows for the same node agree. Node attributes: ``label``, ``type``, ``aliases``,
``identifiers`` ([scheme, value] pairs), ``amount_gbp``, ``articles`` (article IRIs) and ``posts``
(dicts of role, as_of, article). Edge attributes: ``predicate``, ``evidence``, ``article``.
``g.graph["articles"]`` maps article IRIs to dicts of title, date and url.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import pyoxigraph as ox
from rapidfuzz import fuzz, process

from .bounded import (
    CARD_ARTICLES,
    CARD_RELATIONS,
    article_order,
    count_network_facts,
    read_card_part,
    relation_order,
)
from .errors import QueryError
from .model import ENTITY_TYPES, PREDICATES, Identifier
from .neighbourhood import (
    _ARTICLES as _ARTICLE_META,
)
from .neighbourhood import (
    _P,
    _TYPED,
    _TYPES,
    ARTICLE,
    _mention_sentences,
    _rows,
    _sentence_at,  # noqa: F401 (tested here)
    build_network,
    k_shortest_paths,
    read_neighbourhood,
    read_path_graph,
)
from .resolve import normalise_name
from .store import Store

__all__ = ["ArticleRef", "EntityCard", "EntityPath", "PathHop", "TimelineEvent", "build_network", "entity_card",
           "filter_network", "find_entity", "find_paths", "network_view", "timeline"]

_NAMED = "{ ?e skos:prefLabel ?l BIND(true AS ?pref) } UNION { ?e skos:altLabel ?l BIND(false AS ?pref) }"
_LABELS = _P + f"SELECT DISTINCT ?e ?l ?pref WHERE {{ {{ {_TYPED.replace('{values}', '')} }} {_NAMED} }}"
# one entity, or one label as written: looked up by index, the type checked once per entity
# (each article's graph repeats a label: made distinct before the type is checked)
_LABELS_OF = _P + f"""SELECT ?e ?l ?pref WHERE {{ {{ SELECT DISTINCT ?e ?l ?pref WHERE {{ {{values}} {_NAMED} }} }}
  FILTER EXISTS {{ VALUES ?type {{ {_TYPES} }} ?e a ?type }} }}"""
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def find_entity(store: Store, name: str) -> str:
    """Give the IRI of the entity called ``name`` (label, alias or IRI); suggest close names if none."""
    if not name.strip():
        raise QueryError("give an entity name (a label, an alias or an IRI)")
    try:
        if _rows(store, _LABELS_OF, "e", {name}):
            return name
    except ValueError:
        pass  # not an IRI
    # a preferred label written exactly as stored is found by index; anything else reads every label
    written = store.query(_LABELS_OF.replace("{values}", f"VALUES ?l {{ {ox.Literal(name)} }}")).values()
    if any(r["pref"] == "true" for r in written):
        return min(r["e"] for r in written if r["pref"] == "true")
    rows = store.query(_LABELS).values()
    key = normalise_name(name)
    exact = [r for r in rows if normalise_name(r["l"]) == key]
    if exact:
        # a preferred label beats an alias; then the IRI order keeps the answer stable
        exact.sort(key=lambda r: (r["pref"] != "true", r["e"]))
        return exact[0]["e"]
    raise QueryError(f"no entity named {name!r}{_suggest(name, sorted({r['l'] for r in rows}))}")


def _suggest(name: str, labels: list[str]) -> str:
    close = process.extract(name, labels, scorer=fuzz.WRatio, limit=5, score_cutoff=60)
    if not close:
        return " (try 'reformkg query' to list names)"
    return " (did you mean " + ", ".join(repr(c[0]) for c in close) + "?)"


@dataclass(frozen=True)
class ArticleRef:
    """An article a fact comes from: IRI, title, publication date and source URL when known."""

    iri: str
    title: str | None = None
    date: str | None = None
    url: str | None = None

    def to_json(self) -> dict:
        """Give the article as a JSON object."""
        return {"iri": self.iri, "title": self.title, "date": self.date, "url": self.url}


@dataclass(frozen=True)
class PostHeld:
    """A post an entity held, as of an article's date."""

    role: str
    as_of: str | None
    article: ArticleRef


@dataclass(frozen=True)
class RelationFact:
    """One stated relation of an entity, seen from it: ``out`` (it is the subject) or ``in``."""

    predicate: str
    direction: Literal["out", "in"]
    other: str
    other_name: str
    other_type: str
    evidence: str
    article: ArticleRef


@dataclass(frozen=True)
class EntityCard:
    """Everything the graph says about one entity, each relation with its sentence and article."""

    iri: str
    name: str
    type: str
    names: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    amount_gbp: float | None
    posts: tuple[PostHeld, ...]
    relations: tuple[RelationFact, ...]
    articles: tuple[ArticleRef, ...]
    articles_total: int = 0
    relation_counts: tuple[tuple[str, str, int], ...] = ()  # (predicate, direction, count), most first

    @property
    def relations_total(self) -> int:
        """Give how many relations the entity has: one per predicate, other end and article."""
        return sum(n for *_, n in self.relation_counts)

    def to_json(self) -> dict:
        """Give the card's JSON shape (``reformkg show --format json`` and the web app): the listed
        relations and articles are the most recent; ``*_total`` say how many there are in all."""
        return {
            "iri": self.iri, "name": self.name, "type": self.type, "names": list(self.names),
            "identifiers": [{"scheme": i.scheme, "value": i.value} for i in self.identifiers],
            "amount_gbp": self.amount_gbp,
            "posts": [{"role": p.role, "as_of": p.as_of, "article": p.article.to_json()} for p in self.posts],
            "relations": [{"predicate": r.predicate, "direction": r.direction, "other": r.other,
                           "other_name": r.other_name, "other_type": r.other_type, "evidence": r.evidence,
                           "article": r.article.to_json()} for r in self.relations],
            "articles": [a.to_json() for a in self.articles],
            "articles_total": self.articles_total, "articles_listed": len(self.articles),
            "relations_total": self.relations_total, "relations_listed": len(self.relations),
            "relation_counts": [{"predicate": p, "direction": d, "count": n} for p, d, n in self.relation_counts],
        }


def _article(g: nx.MultiDiGraph, iri: str) -> ArticleRef:
    meta = g.graph.get("articles", {}).get(iri, {})
    return ArticleRef(iri, meta.get("title"), meta.get("date"), meta.get("url"))


def card_from_network(g: nx.MultiDiGraph, iri: str, articles: int = CARD_ARTICLES,
                      relations: int = CARD_RELATIONS) -> EntityCard:
    """Give the card of one node of a network (whole, or read by ``bounded.read_card_part``): its
    ``relations`` and ``articles`` most recent relations and articles, and how many there are in all."""
    d, counts = g.nodes[iri], g.graph.get("counts", {}).get(iri) or count_network_facts(g, iri)
    rels = [RelationFact(e["predicate"], "out", o, g.nodes[o]["label"], g.nodes[o]["type"], e["evidence"],
                         _article(g, e["article"])) for _, o, e in g.out_edges(iri, data=True)]
    rels += [RelationFact(e["predicate"], "in", s, g.nodes[s]["label"], g.nodes[s]["type"], e["evidence"],
                          _article(g, e["article"])) for s, _, e in g.in_edges(iri, data=True) if s != iri]
    rels.sort(key=lambda r: relation_order(r.article.date, r.article.iri, r.predicate, r.direction, r.other,
                                           r.evidence))
    arts = sorted((_article(g, a) for a in set(d["articles"])), key=lambda a: article_order(a.date, a.iri))
    return EntityCard(
        iri=iri, name=d["label"], type=d["type"], names=(d["label"], *d["aliases"]),
        identifiers=tuple(Identifier(s, v) for s, v in d["identifiers"]), amount_gbp=d["amount_gbp"],
        posts=tuple(PostHeld(p["role"], p["as_of"], _article(g, p["article"])) for p in d["posts"]),
        relations=tuple(rels[:relations]), articles=tuple(arts[:articles]), articles_total=counts["articles"],
        relation_counts=tuple(sorted(((p, dr, n) for (p, dr), n in counts["relations"].items()),
                                     key=lambda c: (-c[2], c[0], c[1]))),
    )


def entity_card(store: Store, name: str, articles: int = CARD_ARTICLES, relations: int = CARD_RELATIONS) -> EntityCard:
    """Give the card of the entity called ``name`` (its most recent ``articles`` articles and ``relations``
    relations, with totals); a name not found raises QueryError with suggestions."""
    if articles < 0 or relations < 0:
        raise QueryError("the number of articles and relations to list cannot be negative")
    iri = find_entity(store, name)
    return card_from_network(read_card_part(store, iri, articles, relations), iri, articles, relations)


def network_view(
    store: Store, *, types: list[str] | None = None, predicates: list[str] | None = None,
    since: str | None = None, until: str | None = None, focus: str | None = None, depth: int = 2,
) -> nx.MultiDiGraph:
    """Give the network filtered by entity type, predicate, article date range and neighbourhood."""
    for t in types or []:
        if t not in ENTITY_TYPES:
            raise QueryError(f"unknown entity type {t!r} (use one of {', '.join(ENTITY_TYPES)})")
    for p in predicates or []:
        if p not in PREDICATES:
            raise QueryError(f"unknown predicate {p!r} (use one of {', '.join(PREDICATES)})")
    for value in (since, until):
        if value is not None and not _DATE.fullmatch(value):
            raise QueryError(f"bad date {value!r}: use YYYY-MM-DD")
    focus_iri = find_entity(store, focus) if focus else None
    # around an entity only its neighbourhood is read: the filters below keep a part of it anyway
    g = build_network(store) if focus_iri is None else read_neighbourhood(store, focus_iri, depth)
    return filter_network(g, types=types, predicates=predicates, since=since, until=until,
                          focus=focus_iri, depth=depth)


def filter_network(
    g: nx.MultiDiGraph, *, types: list[str] | None = None, predicates: list[str] | None = None,
    since: str | None = None, until: str | None = None, focus: str | None = None, depth: int = 2,
) -> nx.MultiDiGraph:
    """Give a copy of the network keeping only the wanted types, predicates, dates and neighbourhood.

    A date range keeps relations stated in, and entities mentioned in, articles dated inside it
    (undated articles fall outside any range). Filtering by predicate drops entities left unlinked.
    The ``focus`` entity itself is always kept.
    """
    arts = g.graph.get("articles", {})

    def in_range(article: str) -> bool:
        date: str | None = (arts.get(article) or {}).get("date")
        if not date:
            return False
        return (since is None or date >= since) and (until is None or date <= until)

    dated = since is not None or until is not None
    keep_edges = [(s, o, k) for s, o, k, d in g.edges(keys=True, data=True)
                  if (not predicates or d["predicate"] in predicates) and (not dated or in_range(d["article"]))]
    nodes = {n for n, d in g.nodes(data=True) if not types or d["type"] in types}
    if predicates:
        nodes &= {n for s, o, _ in keep_edges for n in (s, o)}
    if dated:
        nodes &= {n for s, o, _ in keep_edges for n in (s, o)} | {
            n for n, d in g.nodes(data=True) if any(in_range(a) for a in d["articles"])}
    if focus is not None and focus in g:
        nodes.add(focus)  # the entity asked about stays, whatever its type: the filters apply around it
    sub = nx.MultiDiGraph(g.edge_subgraph([e for e in keep_edges if e[0] in nodes and e[1] in nodes]))
    sub.add_nodes_from((n, g.nodes[n]) for n in nodes)
    sub.graph.update(g.graph)
    if focus is not None:
        if focus not in sub:
            return nx.MultiDiGraph(sub.subgraph([]), **g.graph)
        near = nx.single_source_shortest_path_length(sub.to_undirected(as_view=True), focus, cutoff=depth)
        sub = nx.MultiDiGraph(sub.subgraph(near))
        sub.graph.update(g.graph)
    return sub

@dataclass(frozen=True)
class PathHop:
    """One step of a path: a stated relation, or ``co_mentioned`` (both named in one article)."""

    subject: str
    subject_name: str
    predicate: str
    object: str
    object_name: str
    evidence: str
    article: ArticleRef

    def to_json(self) -> dict:
        """Give the hop as a JSON object."""
        return {"subject": self.subject, "subject_name": self.subject_name, "predicate": self.predicate,
                "object": self.object, "object_name": self.object_name, "evidence": self.evidence,
                "article": self.article.to_json()}


@dataclass(frozen=True)
class EntityPath:
    """A chain of hops from one entity to another."""

    hops: tuple[PathHop, ...]

    def to_json(self) -> dict:
        """Give the path as a JSON object (``reformkg path --format json`` lists these)."""
        return {"length": len(self.hops), "hops": [h.to_json() for h in self.hops]}


def find_paths(store: Store, a: str, b: str, k: int = 3, *, via_articles: bool = True) -> list[EntityPath]:
    """Give up to ``k`` shortest paths between two entities, stated relations first, each hop with evidence.

    With ``via_articles`` two entities named in the same article are also one (costlier) hop apart.
    Only the part of the graph around the two entities that can hold the paths is read
    (``neighbourhood.read_path_graph``).
    """
    source, target = find_entity(store, a), find_entity(store, b)
    if source == target:
        raise QueryError(f"{a!r} and {b!r} are the same entity: give two different names")
    u = read_path_graph(store, source, target, k, via_articles=via_articles)
    found = k_shortest_paths(u, source, target, k)
    arts = {n for p in found for n in p if u.nodes[n].get("kind") == ARTICLE}
    sentences = _mention_sentences(store, {n for p in found for n in p if n not in arts}, arts)
    cited = arts | {u.edges[x, y]["facts"][0][2]["article"] for p in found for x, y in itertools.pairwise(p)
                    if x not in arts and y not in arts}
    meta = {r["art"]: r for r in _rows(store, _ARTICLE_META, "art", cited)} if cited else {}

    def article(iri: str) -> ArticleRef:
        r = meta.get(iri, {})
        return ArticleRef(iri, r.get("title"), r.get("date"), r.get("url"))

    paths = []
    for p in found:
        hops, i = [], 0
        while i < len(p) - 1:
            x, y = p[i], p[i + 1]
            if y in arts:
                z = p[i + 2]
                said = [s for s in (sentences.get((x, y)), sentences.get((z, y))) if s]
                evidence = said[0] if len(set(said)) == 1 else " … ".join(dict.fromkeys(said))
                hops.append(PathHop(x, u.nodes[x]["label"], "co_mentioned", z, u.nodes[z]["label"], evidence,
                                    article(y)))
                i += 2
                continue
            s, o, d = u.edges[x, y]["facts"][0]
            hops.append(PathHop(s, u.nodes[s]["label"], d["predicate"], o, u.nodes[o]["label"], d["evidence"],
                                article(d["article"])))
            i += 1
        paths.append(EntityPath(tuple(hops)))
    return paths


@dataclass(frozen=True)
class TimelineEvent:
    """A dated happening: an announcement, a fund or programme reported, or a post held."""

    date: str | None
    kind: Literal["announcement", "fund", "programme", "post"]
    entity: str
    entity_name: str
    text: str
    evidence: str | None
    article: ArticleRef
    others: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """Give the event as a JSON object (``reformkg timeline --format json`` lists these)."""
        return {"date": self.date, "kind": self.kind, "entity": self.entity, "entity_name": self.entity_name,
                "text": self.text, "evidence": self.evidence, "article": self.article.to_json(),
                "others": list(self.others)}


_KIND_ORDER = {"announcement": 0, "fund": 1, "programme": 2, "post": 3}


def timeline(store: Store, name: str | None = None) -> list[TimelineEvent]:
    """Give announcements, reported funds and programmes, and posts held, oldest first (undated last).

    Dates are the dates of the articles that report them (a post's ``asOf``); with ``name`` only
    the events of that entity are given.
    """
    iri = find_entity(store, name) if name else None
    g = build_network(store, None if iri is None else {iri})
    wanted = set(g) if iri is None else {iri}
    events: list[TimelineEvent] = []
    for s, o, d in g.edges(data=True):
        if d["predicate"] == "announced" and (s in wanted or o in wanted):
            art = _article(g, d["article"])
            events.append(TimelineEvent(art.date, "announcement", s, g.nodes[s]["label"],
                                        f"{g.nodes[s]['label']} announced {g.nodes[o]['label']}", d["evidence"],
                                        art, (o,)))
    reported = [(n, a) for n in wanted for a in g.nodes[n]["articles"] if g.nodes[n]["type"] in ("Fund", "Programme")]
    sentences = _mention_sentences(store, {n for n, _ in reported}, {a for _, a in reported})
    for n, a in reported:
        d, art = g.nodes[n], _article(g, a)
        amount = f" (£{d['amount_gbp']:,.0f})" if d["amount_gbp"] is not None else ""
        events.append(TimelineEvent(art.date, d["type"].lower(), n, d["label"],  # type: ignore[arg-type]
                                    f"{d['type']} reported: {d['label']}{amount}", sentences.get((n, a)), art))
    for n in wanted:
        for post in g.nodes[n]["posts"]:
            art = _article(g, post["article"])
            events.append(TimelineEvent(post["as_of"] or art.date, "post", n, g.nodes[n]["label"],
                                        f"{g.nodes[n]['label']}: {post['role']}", None, art))
    events.sort(key=lambda e: (e.date is None, e.date or "", _KIND_ORDER[e.kind], e.entity_name, e.text))
    return events
