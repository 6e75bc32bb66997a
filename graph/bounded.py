"""Store -> the part of the network one entity's card shows, bounded however often the entity is named.

Input: a ``Store``, an entity IRI and how many articles and relations to list. Output: an
``nx.MultiDiGraph`` shaped like ``neighbourhood.build_network``'s, holding the entity's most recent
articles and relations only, with ``g.graph["counts"][iri]`` giving how many there are in all.

An entity named in thousands of articles would otherwise cost a read of every article's metadata
and every relation's evidence: here those are read for the listed ones only, and the totals are
counted in the store (one index scan each), so a card costs about the same for a hub as for others.
"""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import pyoxigraph as ox

from .neighbourhood import _P, _network, _values, recent_mentions
from .store import Store
from .vocab import OA, PREDICATE_PROPERTIES, RKG

CARD_ARTICLES = 20  # articles a card lists unless asked for more
CARD_RELATIONS = 20  # relations a card lists unless asked for more
_IN_PREDICATES = ", ".join(f"<{p}>" for p in PREDICATE_PROPERTIES.values())
_ARTICLE_COUNT = _P + f"SELECT (COUNT(DISTINCT ?art) AS ?n) WHERE {{ ?art <{RKG.mentions}> {{e}} }}"
# one row per (other end, predicate, article): each article's graph holds the plain triple once
# (the predicates as VALUES: each (entity, predicate) is then one index lookup, not a read of the
# entity's every triple, a hub's label and type once per article among them)
_RELATION_COUNTS = _P + f"""SELECT ?p ?dir (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {_IN_PREDICATES.replace(",", "")} }}
  {{ GRAPH ?g {{ {{e}} ?p ?x }} BIND("out" AS ?dir) }} UNION {{ GRAPH ?g {{ ?x ?p {{e}} }} FILTER (?x != {{e}}) BIND("in" AS ?dir) }}
  }} GROUP BY ?p ?dir"""

# inside each article's graph: Oxigraph then starts from the few articles, not from every assertion of a hub
_EDGES_IN = _P + f"""SELECT DISTINCT ?x ?p ?sentence ?art WHERE {{ {{values}} GRAPH ?g {{ ?art a <{RKG.Article}> .
  ?a rdf:{{pinned}} {{e}} ; a <{RKG.Assertion}> ; prov:wasDerivedFrom ?art ; rdf:predicate ?p ; rdf:{{free}} ?x ;
  <{RKG.evidence}> ?ev . ?ev <{OA.hasSelector}> ?sel . ?sel <{OA.exact}> ?sentence }} FILTER (?p IN ({_IN_PREDICATES})) }}"""


def _local(predicate: str) -> str:
    return predicate.rsplit("#", 1)[-1]


def count_card_facts(store: Store, iri: str) -> dict:
    """Give how many articles name the entity and, per (predicate, direction), how many relations
    it has, counting a relation once per other end and article."""
    e = str(ox.NamedNode(iri))
    articles = int(store.query(_ARTICLE_COUNT.replace("{e}", e)).values()[0]["n"])
    relations = {(_local(r["p"]), r["dir"]): int(r["n"])
                 for r in store.query(_RELATION_COUNTS.replace("{e}", e)).values()}
    return {"articles": articles, "relations": relations}


def count_network_facts(g: nx.MultiDiGraph, iri: str) -> dict:
    """Give the counts ``count_card_facts`` reads from the store, from a network read whole."""
    seen = {(d["predicate"], "out", o, d["article"]) for _, o, d in g.out_edges(iri, data=True)}
    seen |= {(d["predicate"], "in", s, d["article"]) for s, _, d in g.in_edges(iri, data=True) if s != iri}
    return {"articles": len(set(g.nodes[iri]["articles"])), "relations": dict(Counter((p, d) for p, d, _, _ in seen))}


def _recent_articles(store: Store, iri: str, n: int, named: int) -> list[tuple[str, str | None]]:
    rows = recent_mentions(store, iri, n, named)
    first: dict[str, str | None] = {}
    for r in rows:  # an article with two dates comes once, at its newest
        first.setdefault(r["art"], r.get("date"))
    return list(first.items())


def _relations_in(store: Store, iri: str, articles: list[str]) -> list[dict[str, str]]:
    """Give the relations stated with the entity in these articles, with their evidence."""
    e, rows = str(ox.NamedNode(iri)), []
    for pinned, free, ends in (("subject", "object", ("s", "o")), ("object", "subject", ("o", "s"))):
        q = _EDGES_IN.replace("{e}", e).replace("{pinned}", pinned).replace("{free}", free)
        for i in range(0, len(articles), 100):
            rows += [{**r, ends[0]: iri, ends[1]: r["x"]}
                     for r in store.query(q.replace("{values}", _values("art", articles[i:i + 100]))).values()]
    return list({(r["s"], r["p"], r["o"], r["sentence"], r["art"]): r for r in rows}.values())


def relation_order(date: str | None, article: str, predicate: str, direction: str, other: str,
                   evidence: str) -> tuple:
    """Give the key that lists a card's relations newest first (undated last), then by article, predicate,
    direction, other end and sentence; sort ascending by it."""
    return (date is None, _Desc(date or ""), article, predicate, direction, other, evidence)


def article_order(date: str | None, article: str) -> tuple:
    """Give the key that lists a card's articles newest first (undated last), then by IRI."""
    return (date is None, _Desc(date or ""), article)


class _Desc(str):
    """A string that sorts in reverse order."""

    def __lt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__gt__(self, other)


def read_card_part(store: Store, iri: str, articles: int = CARD_ARTICLES,
                   relations: int = CARD_RELATIONS) -> nx.MultiDiGraph:
    """Give the network a card shows: the entity in full but for its ``articles`` most recent articles
    and ``relations`` most recent relations (each with its evidence), their other ends' names, and
    ``g.graph["counts"][iri]`` (see ``count_card_facts``).

    Relations are read from the entity's articles newest first, a page at a time, until enough are found.
    """
    counts = count_card_facts(store, iri)
    total = sum(counts["relations"].values())
    # a first page that holds twice the relations wanted if they were spread evenly over the articles
    page = max(2 * relations, articles, 50, math.ceil(2 * relations * counts["articles"] / max(total, 1))) \
        if relations > 0 and total else articles
    recent = _recent_articles(store, iri, page, counts["articles"]) if page > 0 else []
    listed, edges, read = recent[:articles], [], set()
    while relations > 0 and total:
        new = [a for a, _ in recent if a not in read]  # each article's relations are read once
        edges += _relations_in(store, iri, new)
        read.update(new)
        if len(edges) >= relations or len(recent) < page:
            break
        page *= 4
        recent = _recent_articles(store, iri, page, counts["articles"])
    if edges:
        dates = dict(recent)
        edges.sort(key=lambda r: relation_order(dates.get(r["art"]), r["art"], _local(r["p"]),
                                                "out" if r["s"] == iri else "in", r["o"] if r["s"] == iri else r["s"],
                                                r["sentence"]))
        edges = edges[:relations]
    wanted = {iri} | {r["s"] for r in edges} | {r["o"] for r in edges}
    g = _network(store, wanted, edges, detail={iri}, mentioned={iri: [a for a, _ in listed]})
    g.graph["counts"] = {iri: counts}
    return g
