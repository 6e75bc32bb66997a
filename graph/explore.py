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

import re
from dataclasses import dataclass
from typing import Literal

import networkx as nx

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
from .naming import ArticleRef, article_ref, find_entity
from .neighbourhood import _sentence_at, build_network, read_neighbourhood  # noqa: F401 (_sentence_at: tested here)
from .paths import EntityPath, PathHop, collect_paths
from .store import Store
from .timeline import TimelineEvent, timeline

__all__ = ["ArticleRef", "EntityCard", "EntityPath", "PathHop", "TimelineEvent", "build_network", "entity_card",
           "filter_network", "find_entity", "find_paths", "network_view", "timeline"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


def card_from_network(g: nx.MultiDiGraph, iri: str, articles: int = CARD_ARTICLES,
                      relations: int = CARD_RELATIONS) -> EntityCard:
    """Give the card of one node of a network (whole, or read by ``bounded.read_card_part``): its
    ``relations`` and ``articles`` most recent relations and articles, and how many there are in all."""
    d, counts = g.nodes[iri], g.graph.get("counts", {}).get(iri) or count_network_facts(g, iri)
    rels = [RelationFact(e["predicate"], "out", o, g.nodes[o]["label"], g.nodes[o]["type"], e["evidence"],
                         article_ref(g, e["article"])) for _, o, e in g.out_edges(iri, data=True)]
    rels += [RelationFact(e["predicate"], "in", s, g.nodes[s]["label"], g.nodes[s]["type"], e["evidence"],
                          article_ref(g, e["article"])) for s, _, e in g.in_edges(iri, data=True) if s != iri]
    rels.sort(key=lambda r: relation_order(r.article.date, r.article.iri, r.predicate, r.direction, r.other,
                                           r.evidence))
    arts = sorted((article_ref(g, a) for a in set(d["articles"])), key=lambda a: article_order(a.date, a.iri))
    return EntityCard(
        iri=iri, name=d["label"], type=d["type"], names=(d["label"], *d["aliases"]),
        identifiers=tuple(Identifier(s, v) for s, v in d["identifiers"]), amount_gbp=d["amount_gbp"],
        posts=tuple(PostHeld(p["role"], p["as_of"], article_ref(g, p["article"])) for p in d["posts"]),
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

def find_paths(store: Store, a: str, b: str, k: int = 3, *, via_articles: bool = True) -> list[EntityPath]:
    """Give up to ``k`` shortest paths between two entities, stated relations first, each hop with evidence.

    With ``via_articles`` two entities named in the same article are also one (costlier) hop apart.
    Only the part of the graph around the two entities that can hold the paths is read
    (``paths.read_path_graph``).
    """
    source, target = find_entity(store, a), find_entity(store, b)
    if source == target:
        raise QueryError(f"{a!r} and {b!r} are the same entity: give two different names")
    return collect_paths(store, source, target, k, via_articles=via_articles)
