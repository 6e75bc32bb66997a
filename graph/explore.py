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

from .errors import QueryError
from .model import ENTITY_TYPES, PREDICATES, Identifier
from .resolve import normalise_name
from .store import Store
from .vocab import CLASS_TYPES, ENTITY_CLASSES, OA, ORG, PREDICATE_PROPERTIES, RKG, SCHEMA

_P = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
_TYPES = " ".join(f"<{c}>" for c in ENTITY_CLASSES.values())
# The union of graphs repeats an entity's type and label once per article that names it: each is
# made DISTINCT before they are joined, so a widely named entity costs its articles, not their square.
_TYPED = f"SELECT DISTINCT ?e ?type WHERE {{ {{values}} VALUES ?type {{ {_TYPES} }} ?e a ?type }}"
_NODES = _P + f"""SELECT ?e ?type (MIN(?l) AS ?label) WHERE {{ {{ {_TYPED} }}
  ?e skos:prefLabel ?l }} GROUP BY ?e ?type"""
_ALIASES = _P + "SELECT DISTINCT ?e ?alt WHERE { {values} ?e skos:altLabel ?alt }"
_IDS = _P + f"""SELECT DISTINCT ?e ?p ?v WHERE {{ {{values}}
  VALUES ?p {{ <{RKG.gssCode}> <{RKG.wikidata}> }} ?e ?p ?v }}"""
_AMOUNTS = _P + f"SELECT ?e (MAX(?v) AS ?amount) WHERE {{ {{values}} ?e <{SCHEMA.amount}>/<{SCHEMA.value}> ?v }} GROUP BY ?e"
_MENTIONS = _P + f"SELECT DISTINCT ?e ?art WHERE {{ {{values}} ?art <{RKG.mentions}> ?e }}"
_POSTS = _P + f"""SELECT DISTINCT ?e ?role ?date ?art WHERE {{ {{values}}
  ?h a <{RKG.PostHolding}> ; <{ORG.member}> ?e ; <{RKG.roleLabel}> ?role ; prov:wasDerivedFrom ?art .
  OPTIONAL {{ ?h <{RKG.asOf}> ?date }} }}"""
_ARTICLES = _P + f"""SELECT ?art (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) (SAMPLE(?u) AS ?url) WHERE {{
  {{values}} ?art a <{RKG.Article}> . OPTIONAL {{ ?art dct:title ?t }} OPTIONAL {{ ?art dct:date ?d }}
  OPTIONAL {{ ?art dct:source ?u }} }} GROUP BY ?art"""
_EDGES = _P + f"""SELECT DISTINCT ?s ?p ?o ?sentence ?art WHERE {{ {{values}}
  VALUES ?p {{ {" ".join(f"<{p}>" for p in PREDICATE_PROPERTIES.values())} }}
  ?a a <{RKG.Assertion}> ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?art ;
     <{RKG.evidence}>/<{OA.hasSelector}>/<{OA.exact}> ?sentence }}"""
_NAMED = "{ ?e skos:prefLabel ?l BIND(true AS ?pref) } UNION { ?e skos:altLabel ?l BIND(false AS ?pref) }"
_LABELS = _P + f"SELECT DISTINCT ?e ?l ?pref WHERE {{ {{ {_TYPED.replace('{values}', '')} }} {_NAMED} }}"
# one entity, or one label as written: looked up by index, the type checked once per entity
_LABELS_OF = _P + f"""SELECT DISTINCT ?e ?l ?pref WHERE {{ {{values}} {_NAMED}
  FILTER EXISTS {{ VALUES ?type {{ {_TYPES} }} ?e a ?type }} }}"""
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TYPE_NAMES = {str(k): v for k, v in CLASS_TYPES.items()}


def _values(var: str, iris: set[str] | None) -> str:
    # IRIs are written by pyoxigraph in N-Triples form, which escapes them
    return "" if iris is None else f"VALUES ?{var} {{ {' '.join(str(ox.NamedNode(i)) for i in sorted(iris))} }}"


def _rows(store: Store, template: str, var: str = "e", iris: set[str] | None = None) -> list[dict[str, str]]:
    return store.query(template.replace("{values}", _values(var, iris))).values()


def build_network(store: Store, entities: set[str] | None = None) -> nx.MultiDiGraph:
    """Give the entity network (all of it, or the given entities, their relations and neighbours)."""
    g = nx.MultiDiGraph()
    edges = _rows(store, _EDGES) if entities is None else (
        _rows(store, _EDGES, "s", entities) + _rows(store, _EDGES, "o", entities))
    wanted = None if entities is None else entities | {r["s"] for r in edges} | {r["o"] for r in edges}
    for r in _rows(store, _NODES, iris=wanted):
        if r["e"] not in g:
            g.add_node(r["e"], label=r["label"], type=_TYPE_NAMES[r["type"]], aliases=[], identifiers=[],
                       amount_gbp=None, articles=[], posts=[])
    nodes = g.nodes
    for r in _rows(store, _ALIASES, iris=wanted):
        if r["e"] in g and r["alt"] != nodes[r["e"]]["label"]:
            nodes[r["e"]]["aliases"].append(r["alt"])
    for r in _rows(store, _IDS, iris=wanted):
        if r["e"] in g:
            nodes[r["e"]]["identifiers"].append(["gss" if r["p"] == str(RKG.gssCode) else "wikidata", r["v"]])
    for r in _rows(store, _AMOUNTS, iris=wanted):
        if r["e"] in g:
            nodes[r["e"]]["amount_gbp"] = float(r["amount"])
    for r in _rows(store, _MENTIONS, iris=wanted):
        if r["e"] in g:
            nodes[r["e"]]["articles"].append(r["art"])
    for r in _rows(store, _POSTS, iris=wanted):
        if r["e"] in g:
            nodes[r["e"]]["posts"].append({"role": r["role"], "as_of": r.get("date"), "article": r["art"]})
    # a part of the network carries only the articles it cites (all of them for the whole network)
    cited = None if entities is None else ({a for _, d in g.nodes(data=True) for a in d["articles"]}
                                           | {p["article"] for _, d in g.nodes(data=True) for p in d["posts"]}
                                           | {r["art"] for r in edges})
    g.graph["articles"] = {r["art"]: {"title": r.get("title"), "date": r.get("date"), "url": r.get("url")}
                           for r in _rows(store, _ARTICLES, "art", cited)}
    for _, d in g.nodes(data=True):
        d["aliases"].sort()
        d["identifiers"].sort()  # in a fixed order, however the store answers
        d["articles"].sort(key=lambda a: (g.graph["articles"].get(a, {}).get("date") or "9999", a))
        d["posts"].sort(key=lambda p: (p["as_of"] or "9999", p["role"]))
    for r in sorted(edges, key=lambda r: (r["s"], r["p"], r["o"], r["art"], r["sentence"])):
        if r["s"] in g and r["o"] in g:
            g.add_edge(r["s"], r["o"], predicate=r["p"].rsplit("#", 1)[-1], evidence=r["sentence"], article=r["art"])
    return g


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

    def to_json(self) -> dict:
        """Give the card's JSON shape (``reformkg show --format json`` and the web app)."""
        return {
            "iri": self.iri, "name": self.name, "type": self.type, "names": list(self.names),
            "identifiers": [{"scheme": i.scheme, "value": i.value} for i in self.identifiers],
            "amount_gbp": self.amount_gbp,
            "posts": [{"role": p.role, "as_of": p.as_of, "article": p.article.to_json()} for p in self.posts],
            "relations": [{"predicate": r.predicate, "direction": r.direction, "other": r.other,
                           "other_name": r.other_name, "other_type": r.other_type, "evidence": r.evidence,
                           "article": r.article.to_json()} for r in self.relations],
            "articles": [a.to_json() for a in self.articles],
        }


def _article(g: nx.MultiDiGraph, iri: str) -> ArticleRef:
    meta = g.graph.get("articles", {}).get(iri, {})
    return ArticleRef(iri, meta.get("title"), meta.get("date"), meta.get("url"))


def card_from_network(g: nx.MultiDiGraph, iri: str) -> EntityCard:
    """Give the card of one node of a network built by ``build_network``."""
    d = g.nodes[iri]
    rels = [RelationFact(e["predicate"], "out", o, g.nodes[o]["label"], g.nodes[o]["type"], e["evidence"],
                         _article(g, e["article"])) for _, o, e in g.out_edges(iri, data=True)]
    rels += [RelationFact(e["predicate"], "in", s, g.nodes[s]["label"], g.nodes[s]["type"], e["evidence"],
                          _article(g, e["article"])) for s, _, e in g.in_edges(iri, data=True) if s != iri]
    return EntityCard(
        iri=iri, name=d["label"], type=d["type"], names=(d["label"], *d["aliases"]),
        identifiers=tuple(Identifier(s, v) for s, v in d["identifiers"]), amount_gbp=d["amount_gbp"],
        posts=tuple(PostHeld(p["role"], p["as_of"], _article(g, p["article"])) for p in d["posts"]),
        relations=tuple(rels), articles=tuple(_article(g, a) for a in d["articles"]),
    )


def entity_card(store: Store, name: str) -> EntityCard:
    """Give the card of the entity called ``name``; a name not found raises QueryError with suggestions."""
    iri = find_entity(store, name)
    return card_from_network(build_network(store, {iri}), iri)


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
    g = build_network(store)
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

_SPANS = f"""SELECT ?e ?art (MIN(?start) AS ?s) (MIN(?end) AS ?t) WHERE {{ {{values}}
  ?m <{RKG.mentionOf}> ?e ; <{OA.hasSource}> ?art ; <{OA.hasSelector}> ?sel . ?sel <{OA.start}> ?start ;
  <{OA.end}> ?end }} GROUP BY ?e ?art"""
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
    q = _SPANS.replace("{values}", _values("e", entities) + " " + _values("art", articles))
    spans = store.query(q).values()
    texts = {r["art"]: r["text"] for r in _rows(store, _TEXTS, "art", {r["art"] for r in spans})}
    return {(r["e"], r["art"]): _sentence_at(texts[r["art"]], int(r["s"]), int(r["t"]))
            for r in spans if r["art"] in texts}


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


_ARTICLE = "article"
_MENTION_WEIGHT = 1.5  # entity -> article -> entity costs 3, so up to three stated relations rank first


def find_paths(store: Store, a: str, b: str, k: int = 3, *, via_articles: bool = True) -> list[EntityPath]:
    """Give up to ``k`` shortest paths between two entities, stated relations first, each hop with evidence.

    With ``via_articles`` two entities named in the same article are also one (costlier) hop apart.
    """
    source, target = find_entity(store, a), find_entity(store, b)
    if source == target:
        raise QueryError(f"{a!r} and {b!r} are the same entity: give two different names")
    g = build_network(store)
    u = nx.Graph()
    u.add_nodes_from(g)
    for s, o, d in g.edges(data=True):
        if s != o:
            if not u.has_edge(s, o):
                u.add_edge(s, o, weight=1.0, facts=[])
            u.edges[s, o]["facts"].append((s, o, d))
    if via_articles:
        for n, d in g.nodes(data=True):
            for art in d["articles"]:
                u.add_node(art, kind=_ARTICLE)
                u.add_edge(n, art, weight=_MENTION_WEIGHT)
    try:
        found = list(itertools.islice(nx.shortest_simple_paths(u, source, target, weight="weight"), k))
    except nx.NetworkXNoPath:
        return []
    arts = {n for p in found for n in p if u.nodes[n].get("kind") == _ARTICLE}
    sentences = _mention_sentences(store, {n for p in found for n in p if n not in arts}, arts)
    paths = []
    for p in found:
        hops, i = [], 0
        while i < len(p) - 1:
            x, y = p[i], p[i + 1]
            if y in arts:
                z = p[i + 2]
                said = [s for s in (sentences.get((x, y)), sentences.get((z, y))) if s]
                evidence = said[0] if len(set(said)) == 1 else " … ".join(dict.fromkeys(said))
                hops.append(PathHop(x, g.nodes[x]["label"], "co_mentioned", z, g.nodes[z]["label"], evidence,
                                    _article(g, y)))
                i += 2
                continue
            s, o, d = u.edges[x, y]["facts"][0]
            hops.append(PathHop(s, g.nodes[s]["label"], d["predicate"], o, g.nodes[o]["label"], d["evidence"],
                                _article(g, d["article"])))
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
