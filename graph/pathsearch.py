"""Store -> the part of the path graph around two entities that holds their k shortest paths.

Input: a ``Store`` and two entity IRIs. Output: an undirected ``nx.Graph`` of entities and
articles (a stated relation is an edge, and so is an article naming an entity), and the paths in it.

Paths are searched on the bare shape of the graph (which entities are related, which articles name
which entities), read outward from both ends; ``paths`` then reads evidence sentences, labels and
article metadata for the hops of the paths found only, so a hub (an entity named in thousands of
articles) costs the index lookups of its relations, not its every sentence and neighbour's name.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterator

import networkx as nx
import pyoxigraph as ox

from .neighbourhood import _MENTIONS, _NODES, _P, _rows, recent_mentions
from .store import Store
from .vocab import PREDICATE_PROPERTIES, RKG

# Paths: entities and (with via_articles) articles as nodes of an undirected graph. A stated relation
# is one hop (weight 1); entity -> article -> entity costs 3, so up to three stated relations rank first.
ARTICLE = "article"
MENTION_WEIGHT = 1.5
PATH_MAX_NODES = 20_000  # reading stops here: the paths are then the shortest among the nodes read
PATH_HUB_ARTICLES = 100  # co-mention hops through an entity named more often go via its most recent articles
# An entity's articles are read once the search has reached this much past it (its relations at once):
# a hub's articles are the costliest read, and a path of stated relations often makes them needless.
_MENTIONS_LATER = 1.0
_PREDICATES = list(PREDICATE_PROPERTIES.values())
_ARTICLE_COUNTS = _P + f"SELECT ?e (COUNT(DISTINCT ?art) AS ?n) WHERE {{ {{values}} ?art <{RKG.mentions}> ?e }} GROUP BY ?e"
# Related entities, with no evidence: ten entities at a time by one index lookup per predicate (a
# hub's labels and mentions, repeated in each article's graph, are then never read)
_FEW = 10
_RELATED_FEW = "SELECT DISTINCT ?s ?o WHERE { {values} " + " UNION ".join(f"{{ ?s <{p}> ?o }}" for p in _PREDICATES) + " }"
# The relations among given entities, and which of given entities given articles name: the edges
# among the nodes that can lie on the paths found (their other edges, many for a hub, are not read)
_RELATED_AMONG = _RELATED_FEW[:-1] + "FILTER (?o IN ({among})) }"
_MENTIONS_AMONG = _MENTIONS[:-1] + "FILTER (?e IN ({among})) }"



def path_graph_of(g: nx.MultiDiGraph, via_articles: bool = True) -> nx.Graph:
    """Give the path graph of a whole network: nodes and edges added in sorted order, facts sorted."""
    u = nx.Graph()
    u.add_nodes_from(sorted((n, {"label": d["label"]}) for n, d in g.nodes(data=True)))
    for s, o, d in g.edges(data=True):
        if s != o:
            key = tuple(sorted((s, o)))
            if not u.has_edge(*key):
                u.add_edge(*key, weight=1.0, facts=[])
            if (s, o, d) not in u.edges[key]["facts"]:
                u.edges[key]["facts"].append((s, o, d))
                u.edges[key]["facts"].sort(key=lambda f: (f[0], f[2]["predicate"], f[1], f[2]["article"],
                                                         f[2]["evidence"]))
    for n, art in [(n, a) for n, d in g.nodes(data=True) for a in d["articles"]] if via_articles else []:
        u.add_node(art, kind=ARTICLE)
        u.add_edge(n, art, weight=MENTION_WEIGHT)
    return u


def k_shortest_paths(u: nx.Graph, source: str, target: str, k: int) -> list[list[str]]:
    """Give up to ``k`` shortest simple paths, ties broken by the graph of the nodes that can lie on them.

    That graph (every node v with d(source, v) + d(v, target) no more than the k-th path's weight,
    built in sorted order) is the same in the whole network and in any part read far enough around
    both ends, so a part gives the same paths as the whole.
    """
    if source not in u or target not in u:
        return []
    # a part read by read_path_graph knows its k-th path's weight: no path past it is looked at
    most = u.graph.get("kth_weight")
    ds, dt = (nx.single_source_dijkstra_path_length(u, n, cutoff=most, weight="weight") for n in (source, target))
    most = _kth_weight(u, source, target, k, ds, dt)
    if most is None:
        return []
    keep = sorted(v for v in ds if v in dt and ds[v] + dt[v] <= most)
    h = nx.Graph()
    h.add_nodes_from(keep)
    h.add_edges_from(sorted((min(a, b), max(a, b), {"weight": d["weight"]})
                            for a, b, d in u.subgraph(keep).edges(data=True)))
    return list(itertools.islice(nx.shortest_simple_paths(h, source, target, weight="weight"), k))


def _path_weights(u: nx.Graph, source: str, target: str, k: int, nodes: list[str]) -> list[float]:
    """Give the weights of up to ``k`` shortest paths among these nodes."""
    sub = u.subgraph(nodes)
    try:
        return [nx.path_weight(sub, p, "weight")
                for p in itertools.islice(nx.shortest_simple_paths(sub, source, target, weight="weight"), k)]
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


def _kth_weight(u: nx.Graph, source: str, target: str, k: int, ds: dict, dt: dict) -> float | None:
    """Give the k-th shortest path's weight (the last one's when there are fewer), None with no path.

    A path no heavier than b lies among the nodes v with ds(v) + dt(v) <= b: the paths are listed
    there, for b from the shortest path's weight up, not in the whole part (a hub's every neighbour).
    """
    if target not in ds:
        return None
    sums = sorted({ds[v] + dt[v] for v in ds if v in dt})
    weights: list[float] = []
    for bound in [b for b in sums if b <= ds[target] + 2] + [math.inf]:
        weights = _path_weights(u, source, target, k, [v for v in ds if v in dt and ds[v] + dt[v] <= bound])
        if len(weights) == k:  # the k-th is no heavier than the k-th found: all such paths lie below it
            at = weights[-1]
            return at if at <= bound else _path_weights(
                u, source, target, k, [v for v in ds if v in dt and ds[v] + dt[v] <= at])[-1]
    return weights[-1]


class _Reading:
    """What has been read of the path graph: per entity its relations and its articles, per article
    the entities it names; entities are typed (and labelled) when they may lie on a path."""

    def __init__(self, store: Store, via_articles: bool, hub_articles: int) -> None:
        self.store, self.via_articles, self.hub_articles = store, via_articles, hub_articles
        self.u = nx.Graph()
        self.related: set[str] = set()
        self.named: set[str] = set()  # entities whose articles were read
        self.articles: set[str] = set()  # articles whose entities were read
        self.typed: set[str] = set()
        self.untyped: set[str] = set()  # not an entity of ours: never a node

    def unread(self, v: str, d: float) -> list[tuple[float, str, str]]:
        """Give (distance at which to read, part, node) for each part of ``v`` not read yet."""
        if self.u.nodes[v].get("kind") == ARTICLE:
            return [] if v in self.articles else [(d, "articles", v)]
        parts = [] if v in self.related else [(d, "related", v)]
        return parts + ([(d + _MENTIONS_LATER, "named", v)] if self.via_articles and v not in self.named else [])

    def read(self, parts: list[tuple[str, str]]) -> None:
        """Add every edge of these parts (``related``/``named`` of entities, ``articles``) to the graph."""
        related = sorted(v for p, v in parts if p == "related")
        named = sorted(v for p, v in parts if p == "named")
        arts = sorted(v for p, v in parts if p == "articles")
        rows = [r for i in range(0, len(related), _FEW) for end in ("s", "o")
                for r in _rows(self.store, _RELATED_FEW, end, related[i:i + _FEW])]
        self.relate(rows)
        mentions = _mentions_bounded(self.store, named, self.hub_articles) if named else []
        self.mention(mentions + (_rows(self.store, _MENTIONS, "art", arts) if arts else []))
        self.related.update(related)
        self.named.update(named)
        self.articles.update(arts)

    def relate(self, rows: list[dict[str, str]]) -> None:
        """Add these stated relations (rows ?s ?o) as edges."""
        for r in rows:
            if r["s"] != r["o"] and not {r["s"], r["o"]} & self.untyped:
                self.u.add_edge(r["s"], r["o"], weight=1.0)

    def mention(self, rows: list[dict[str, str]]) -> None:
        """Add these mentions (rows ?e ?art) as edges between the entity and its article."""
        for r in rows:
            if r["e"] not in self.untyped:
                self.u.add_node(r["art"], kind=ARTICLE)
                self.u.add_edge(r["e"], r["art"], weight=MENTION_WEIGHT)

    def type_entities(self, nodes: list[str]) -> bool:
        """Label the entities among ``nodes``; drop those that are not typed entities, saying if any were."""
        new = [v for v in nodes if v not in self.typed and self.u.nodes[v].get("kind") != ARTICLE]
        if not new:
            return False
        labels = {r["e"]: r["label"] for r in _rows(self.store, _NODES, iris=new)}
        for v in new:
            if v in labels:
                self.u.nodes[v]["label"] = labels[v]
                self.typed.add(v)
            else:
                self.untyped.add(v)
                self.u.remove_node(v)
        return len(labels) < len(new)


def read_path_graph(store: Store, source: str, target: str, k: int, *, via_articles: bool = True,
                    max_nodes: int = PATH_MAX_NODES, hub_articles: int = PATH_HUB_ARTICLES) -> nx.Graph:
    """Give the part of the path graph around two entities that holds their ``k`` shortest paths.

    Both ends are read outward by distance, one query per level, the side with fewer parts to read
    first: an entity's relations when the search reaches it, its articles a hop later. Once a path
    not read yet would be longer than the k-th path found, the nodes that can lie on the k paths are
    read in full (so ties break as in the whole graph) and reading stops; also when one end's
    component is read whole, or after ``max_nodes`` nodes (the paths are then the shortest among
    those). An entity named in more than ``hub_articles`` articles is followed through its
    ``hub_articles`` most recent ones only, so a co-mention path through an older article of a hub
    is found only when reached from the other side; stated relations all count.
    """
    reading = _Reading(store, via_articles, hub_articles)
    u = reading.u
    u.add_nodes_from((source, target))
    if reading.type_entities([source, target]):
        return u
    # a path with an edge not read yet weighs at least the two radii plus this much
    margin = min(1.0, MENTION_WEIGHT - _MENTIONS_LATER) if via_articles else 1.0
    while True:
        (ds, more_s, todo_s, rs), (dt, more_t, todo_t, rt) = (_nearest(u, end, reading) for end in (source, target))
        bound = rs + rt + margin  # every path lighter than this is read
        for dist, more in ((ds, more_s), (dt, more_t)):  # the distances such a path needs
            dist.update(_until(more, bound))
        if len(u) >= max_nodes:
            return u
        # the k-th path weighs no less than the shortest: until the radii pass it, no need to list paths
        if target in ds and bound > ds[target]:
            if math.inf in (rs, rt):
                last = _kth_weight(u, source, target, k, ds, dt)
            else:  # such a path lies among the nodes listed
                w = _path_weights(u, source, target, k, [v for v in ds if v in dt and ds[v] + dt[v] < bound])
                last = w[-1] if len(w) == k and w[-1] < bound else None
            if last is not None:
                keep = sorted(v for v in ds if v in dt and ds[v] + dt[v] <= last)
                if reading.type_entities(keep):
                    continue  # a node that is no entity of ours lay on a path: search again without it
                _read_ties(reading, keep)
                u.graph["kth_weight"] = last
                return u
        if math.inf in (rs, rt):
            return u
        reading.read(todo_s if len(todo_s) <= len(todo_t) else todo_t)


def _nearest(u: nx.Graph, end: str, reading: _Reading) -> tuple[dict, Iterator, list[tuple[str, str]], float]:
    """Give the distances from ``end`` as far as the nearest unread part, the rest to come, the parts
    at that distance to read, and the distance (infinite when every part of its component is read)."""
    dist: dict[str, float] = {}
    more = _dijkstra(u, end)
    todo: list[tuple[float, str, str]] = []
    radius = math.inf
    for v, d in more:
        dist[v] = d
        if d > radius:
            break
        parts = reading.unread(v, d)
        todo += parts
        radius = min([radius] + [key for key, _, _ in parts])
    return dist, more, [(p, v) for key, p, v in sorted(todo) if key == radius], radius


def _until(more: Iterator[tuple[str, float]], bound: float) -> Iterator[tuple[str, float]]:
    return itertools.takewhile(lambda vd: vd[1] < bound, more)


def _dijkstra(u: nx.Graph, end: str) -> Iterator[tuple[str, float]]:
    """Give each node reachable from ``end`` with its distance, nearest first (settled only as asked)."""
    done: set[str] = set()
    best = {end: 0.0}
    heap = [(0.0, end)]
    while heap:
        d, v = heapq.heappop(heap)
        if v in done:
            continue
        done.add(v)
        yield v, d
        for w, e in u.adj[v].items():
            if w not in done and d + e["weight"] < best.get(w, math.inf):
                best[w] = d + e["weight"]
                heapq.heappush(heap, (best[w], w))


def _read_ties(reading: _Reading, keep: list[str]) -> None:
    """Read the edges among the nodes that can lie on the k paths that may not be read yet.

    An edge is unread only when neither end has read its part: relations between two such
    entities, or an article and an entity neither of which has read the other. Only those edges are
    read, not the parts (a hub's every relation): the nodes past them cannot lie on the k paths.
    """
    u = reading.u
    entities = [v for v in keep if u.nodes[v].get("kind") != ARTICLE]
    related = [v for v in entities if v not in reading.related]
    arts = [v for v in keep if u.nodes[v].get("kind") == ARTICLE and v not in reading.articles]
    named = [v for v in entities if v not in reading.named] if reading.via_articles else []
    if len(related) > 1:
        reading.relate(_rows(reading.store, _RELATED_AMONG.replace("{among}", _iris(related)), "s", related))
    if named and arts:
        reading.mention(_rows(reading.store, _MENTIONS_AMONG.replace("{among}", _iris(named)), "art", arts))


def _iris(iris: list[str]) -> str:
    return ", ".join(str(ox.NamedNode(i)) for i in sorted(iris))


def _mentions_bounded(store: Store, entities: list[str], most: int) -> list[dict[str, str]]:
    """Give the articles naming each entity: all of them, or its ``most`` most recent (then by IRI) when more."""
    counts = {r["e"]: int(r["n"]) for r in _rows(store, _ARTICLE_COUNTS, "e", entities)}
    hubs = sorted(e for e in entities if counts.get(e, 0) > most)
    rows = _rows(store, _MENTIONS, "e", [e for e in entities if e not in hubs])
    for e in hubs:
        rows += [{"e": e, "art": r["art"]} for r in recent_mentions(store, e, most, counts[e])]
    return rows
