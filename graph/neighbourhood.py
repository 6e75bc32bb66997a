"""Store -> the entity network, or only the part of it around some entities, read by SPARQL.

Input: a ``Store`` and, for a part, the entities it is about. Output: an ``nx.MultiDiGraph``
(nodes are entity IRIs; edges are relations with their evidence), the shape ``explore`` reads
cards and views from; and the sentences that name entities in articles (paths and timelines).

A part is read outward from its entities, breadth first: each step asks for the relations of the
entities reached so far with one ``VALUES`` query, so the cost follows the size of the
neighbourhood, not of the store. Paths are searched in ``paths``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, timedelta

import networkx as nx
import pyoxigraph as ox

from .store import Store
from .vocab import CLASS_TYPES, ENTITY_CLASSES, OA, ORG, PREDICATE_PROPERTIES, RKG, SCHEMA

_P = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
_TYPES = " ".join(f"<{c}>" for c in ENTITY_CLASSES.values())
_IN_TYPES = ", ".join(f"<{c}>" for c in ENTITY_CLASSES.values())
# Closed sets are tested with FILTER IN, not joined as VALUES: Oxigraph then starts from the
# entities' VALUES (an index lookup each) instead of reading every assertion or typed node first.
# The union of graphs repeats an entity's type and label once per article that names it: each is
# made DISTINCT before they are joined, so a widely named entity costs its articles, not their square.
_TYPED = f"SELECT DISTINCT ?e ?type WHERE {{ {{values}} ?e a ?type FILTER (?type IN ({_IN_TYPES})) }}"
# the labels too are made distinct before the join (a hub's label is otherwise joined once per copy)
_NODES = _P + f"""SELECT ?e ?type (MIN(?l) AS ?label) WHERE {{ {{ {_TYPED} }}
  {{ SELECT DISTINCT ?e ?l WHERE {{ {{values}} ?e skos:prefLabel ?l }} }} }} GROUP BY ?e ?type"""
_ALIASES = _P + "SELECT DISTINCT ?e ?alt WHERE { {values} ?e skos:altLabel ?alt }"
# one index lookup per scheme: not a read of the entity's every triple (a hub's label and type once per article)
_IDS = _P + "SELECT DISTINCT ?e ?p ?v WHERE { {values} " + " UNION ".join(
    f"{{ ?e <{p}> ?v BIND (<{p}> AS ?p) }}" for p in (RKG.gssCode, RKG.wikidata)) + " }"
_AMOUNTS = _P + f"SELECT ?e (MAX(?v) AS ?amount) WHERE {{ {{values}} ?e <{SCHEMA.amount}>/<{SCHEMA.value}> ?v }} GROUP BY ?e"
_MENTIONS = _P + f"SELECT DISTINCT ?e ?art WHERE {{ {{values}} ?art <{RKG.mentions}> ?e }}"
_POSTS = _P + f"""SELECT DISTINCT ?e ?role ?date ?art WHERE {{ {{values}}
  ?h a <{RKG.PostHolding}> ; <{ORG.member}> ?e ; <{RKG.roleLabel}> ?role ; prov:wasDerivedFrom ?art .
  OPTIONAL {{ ?h <{RKG.asOf}> ?date }} }}"""
_ARTICLES = _P + f"""SELECT ?art (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) (SAMPLE(?u) AS ?url) WHERE {{
  {{values}} ?art a <{RKG.Article}> . OPTIONAL {{ ?art dct:title ?t }} OPTIONAL {{ ?art dct:date ?d }}
  OPTIONAL {{ ?art dct:source ?u }} }} GROUP BY ?art"""
_EDGES = _P + f"""SELECT DISTINCT ?s ?p ?o ?sentence ?art WHERE {{ {{values}}
  ?a a <{RKG.Assertion}> ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?art ;
     <{RKG.evidence}> ?ev . ?ev <{OA.hasSelector}> ?sel . ?sel <{OA.exact}> ?sentence
  FILTER (?p IN ({", ".join(f"<{p}>" for p in PREDICATE_PROPERTIES.values())})) }}"""
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
_TYPE_NAMES = {str(k): v for k, v in CLASS_TYPES.items()}
# An entity's n most recent articles (newest first, undated last, then by IRI); an article with two
# dates gives two rows. Few articles: each one's date is looked up. Many (a hub): the store's dates
# are scanned from the newest day down to a day far enough back, which costs one index scan of the
# dates and a lookup per article in that window, not one per article naming the hub.
_RECENT = _P + f"""SELECT ?art ?date WHERE {{ {{ SELECT DISTINCT ?art WHERE {{ ?art <{RKG.mentions}> {{e}} }} }}
  OPTIONAL {{ ?art dct:date ?date }} }} ORDER BY DESC(?date) ?art LIMIT {{n}}"""
# the articles with a date not surely before the window's first day (one of another datatype included)
# are found first, then those naming the entity, then all their dates. Given as VALUES when few (one
# query each: Oxigraph otherwise joins them to the hub's every article), else as a subquery.
_IN_WINDOW = _P + f"""SELECT DISTINCT ?art WHERE {{ ?art dct:date ?d
  FILTER (datatype(?d) != {XSD_DATE} || ?d >= {{since}}) }}"""
_RECENT_WINDOW = _P + f"""SELECT ?art ?date (datatype(?date) = {XSD_DATE} AS ?typed) WHERE {{
  {{ SELECT DISTINCT ?art WHERE {{ {{window}} ?art <{RKG.mentions}> {{e}} }} }}
  ?art dct:date ?date }} ORDER BY DESC(?date) ?art LIMIT {{n}}"""
_WINDOW_VALUES = 500  # window articles past which they are joined as a subquery
_DATE_SPAN = _P + "SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?a dct:date ?d }"
RECENT_SCAN_FROM = 1000  # articles naming an entity past which its most recent are read by date window
Row = dict[str, str]


def _values(var: str, iris: Iterable[str] | None) -> str:
    # IRIs are written by pyoxigraph in N-Triples form, which escapes them
    return "" if iris is None else f"VALUES ?{var} {{ {' '.join(str(ox.NamedNode(i)) for i in sorted(iris))} }}"


_CHUNK = 100  # IRIs per VALUES: past a few hundred Oxigraph may choose to read the whole pattern first


def _rows(store: Store, template: str, var: str = "e", iris: Iterable[str] | None = None) -> list[Row]:
    if iris is None:
        return store.query(template.replace("{values}", "")).values()
    ordered = sorted(iris)
    return [r for i in range(0, max(len(ordered), 1), _CHUNK)
            for r in store.query(template.replace("{values}", _values(var, ordered[i:i + _CHUNK]))).values()]


def recent_mentions(store: Store, iri: str, n: int, named: int) -> list[Row]:
    """Give the rows (art, date if any) of the ``n`` most recent articles naming the entity (newest first,
    undated last, then by IRI), as one ORDER BY ... LIMIT over all of them would; ``named`` is how many
    articles name it, which picks the cheaper way."""
    e = str(ox.NamedNode(iri))
    whole = _RECENT.replace("{e}", e).replace("{n}", str(n))
    span = store.query(_DATE_SPAN).values()[0] if n > 0 and named > RECENT_SCAN_FROM else {}
    try:
        first, last = (date.fromisoformat(span[k][:10]) for k in ("first", "last"))
    except (KeyError, ValueError):  # few articles, no dates, or dates this reading is unsure of
        return store.query(whole).values()
    days = (last - first).days + 1
    window = max(1, math.ceil(2 * n * days / named))  # twice the days that hold n of its articles, if spread evenly
    while window < days:
        since = ox.Literal((last - timedelta(days=window - 1)).isoformat(), datatype=XSD_DATE)
        rows = store.query(_RECENT_WINDOW.replace("{e}", e).replace("{n}", str(n))
                           .replace("{window}", _window(store, str(since)))).values()
        # any row outside the window is of an earlier day than the n-th row inside it: these are the n first
        nth = rows[-1] if len(rows) == n else {}
        if nth.get("typed") == "true" and len(nth["date"]) == 10 and nth["date"] > since.value:
            return [{k: v for k, v in r.items() if k != "typed"} for r in rows]
        window *= 4
    return store.query(whole).values()


def _window(store: Store, since: str) -> str:
    """Give the pattern that binds ?art to the articles dated on or after ``since`` (or in another datatype)."""
    inside = _IN_WINDOW.replace("{since}", since)
    arts = [r["art"] for r in store.query(inside).values()]
    if len(arts) > _WINDOW_VALUES:
        return "{ " + inside[len(_P):] + " }"
    return _values("art", arts) if arts else "VALUES ?art { }"


def _edges_of(store: Store, entities: Iterable[str]) -> list[Row]:
    """Give each relation stated with ``entities`` as subject or object, once."""
    entities = set(entities)
    rows = _rows(store, _EDGES, "s", entities) + _rows(store, _EDGES, "o", entities)
    return list({(r["s"], r["p"], r["o"], r["sentence"], r["art"]): r for r in rows}.values())


def build_network(store: Store, entities: set[str] | None = None) -> nx.MultiDiGraph:
    """Give the entity network (all of it, or the given entities, their relations and neighbours)."""
    edges = _rows(store, _EDGES) if entities is None else _edges_of(store, entities)
    wanted = None if entities is None else entities | {r["s"] for r in edges} | {r["o"] for r in edges}
    return _network(store, wanted, edges)


def read_neighbourhood(store: Store, focus: str, depth: int = 2, max_nodes: int | None = None) -> nx.MultiDiGraph:
    """Give the network of the entities within ``depth`` relations of ``focus`` and the relations among them.

    It is read breadth first, one query per step for the relations of the entities last reached;
    with ``max_nodes`` the nearest entities are kept (by distance, then IRI) and the reading stops there.
    """
    seen, frontier, edges = {focus}, [focus], {}
    for _ in range(depth):
        if not frontier or (max_nodes is not None and len(seen) >= max_nodes):
            break
        for r in _edges_of(store, frontier):
            edges[(r["s"], r["p"], r["o"], r["sentence"], r["art"])] = r
        reached = sorted({n for r in edges.values() for n in (r["s"], r["o"])} - seen)
        typed = {r["e"] for r in _rows(store, _NODES, iris=reached)} if reached else set()
        frontier = [n for n in reached if n in typed][: None if max_nodes is None else max_nodes - len(seen)]
        seen.update(frontier)
    for r in _rows(store, _EDGES, "s", frontier) if frontier else []:  # among the entities reached last
        edges[(r["s"], r["p"], r["o"], r["sentence"], r["art"])] = r
    return _network(store, seen, [r for r in edges.values() if r["s"] in seen and r["o"] in seen])


def _network(store: Store, wanted: set[str] | None, edges: list[Row], detail: set[str] | None = None,
             mentioned: dict[str, list[str]] | None = None) -> nx.MultiDiGraph:
    """Give the network of the ``wanted`` entities (all when None) and the ``edges`` between them.

    With ``detail`` only those entities get their names, identifiers, amount, articles and posts;
    the others keep their label and type. ``mentioned`` gives the articles of those entities
    instead of reading them all (a card lists a few of a hub's thousands).
    """
    g = nx.MultiDiGraph()
    for r in _rows(store, _NODES, iris=wanted):
        if r["e"] not in g:
            g.add_node(r["e"], label=r["label"], type=_TYPE_NAMES[r["type"]], aliases=[], identifiers=[],
                       amount_gbp=None, articles=[], posts=[])
    nodes, full = g.nodes, wanted if detail is None else detail
    for r in _rows(store, _ALIASES, iris=full):
        if r["e"] in g and r["alt"] != nodes[r["e"]]["label"]:
            nodes[r["e"]]["aliases"].append(r["alt"])
    for r in _rows(store, _IDS, iris=full):
        if r["e"] in g:
            nodes[r["e"]]["identifiers"].append(["gss" if r["p"] == str(RKG.gssCode) else "wikidata", r["v"]])
    for r in _rows(store, _AMOUNTS, iris=full):
        if r["e"] in g:
            nodes[r["e"]]["amount_gbp"] = float(r["amount"])
    mentions = _rows(store, _MENTIONS, iris=full) if mentioned is None else [
        {"e": e, "art": a} for e, arts in mentioned.items() for a in arts]
    for r in mentions:
        if r["e"] in g:
            nodes[r["e"]]["articles"].append(r["art"])
    for r in _rows(store, _POSTS, iris=full):
        if r["e"] in g:
            nodes[r["e"]]["posts"].append({"role": r["role"], "as_of": r.get("date"), "article": r["art"]})
    # a part of the network carries only the articles it cites (all of them for the whole network)
    cited = None if wanted is None else ({a for _, d in g.nodes(data=True) for a in d["articles"]}
                                         | {p["article"] for _, d in g.nodes(data=True) for p in d["posts"]}
                                         | {r["art"] for r in edges})
    g.graph["articles"] = {r["art"]: {"title": r.get("title"), "date": r.get("date"), "url": r.get("url")}
                           for r in (_rows(store, _ARTICLES, "art", cited) if cited != set() else [])}
    for _, d in g.nodes(data=True):
        d["aliases"].sort()
        d["identifiers"].sort()  # in a fixed order, however the store answers
        d["articles"].sort(key=lambda a: (g.graph["articles"].get(a, {}).get("date") or "9999", a))
        d["posts"].sort(key=lambda p: (p["as_of"] or "9999", p["role"]))
    for r in sorted(edges, key=lambda r: (r["s"], r["p"], r["o"], r["art"], r["sentence"])):
        if r["s"] in g and r["o"] in g:
            g.add_edge(r["s"], r["o"], predicate=r["p"].rsplit("#", 1)[-1], evidence=r["sentence"], article=r["art"])
    return g


# from the articles, inside each one's graph: starting from a hub would read its every mention
_SPANS = f"""SELECT ?e ?art (MIN(?start) AS ?s) (MIN(?end) AS ?t) WHERE {{ {{values}} GRAPH ?g {{
  ?m <{OA.hasSource}> ?art ; <{RKG.mentionOf}> ?e ; <{OA.hasSelector}> ?sel . ?sel <{OA.start}> ?start ;
  <{OA.end}> ?end }} {{filter}} }} GROUP BY ?e ?art"""
_TEXTS = f"SELECT ?art ?text WHERE {{ {{values}} ?art <{RKG.text}> ?text }}"
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentence_at(text: str, start: int, end: int) -> str:
    """Give the sentence of ``text`` around the span (a plain split on stops and line breaks)."""
    begin = max((m.end() for m in _BOUNDARY.finditer(text, 0, start)), default=0)
    stop = next((m.start() for m in _BOUNDARY.finditer(text, end)), len(text))
    return text[begin:stop].strip()


def _mention_sentences(store: Store, entities: set[str], articles: set[str]) -> dict[tuple[str, str], str]:
    """Give the sentence of each entity's first mention in each of the given articles."""
    if not entities or not articles:
        return {}
    few = f"FILTER (?e IN ({', '.join(str(ox.NamedNode(e)) for e in sorted(entities))}))" if len(entities) <= _CHUNK else ""
    spans = [r for r in _rows(store, _SPANS.replace("{filter}", few), "art", articles) if r["e"] in entities]
    texts = {r["art"]: r["text"] for r in _rows(store, _TEXTS, "art", {r["art"] for r in spans})}
    return {(r["e"], r["art"]): _sentence_at(texts[r["art"]], int(r["s"]), int(r["t"]))
            for r in spans if r["art"] in texts}
