"""Store -> how two entities connect: the k shortest paths between them, each hop with its evidence.

Input: a ``Store`` and two entity IRIs. Output: ``EntityPath`` dataclasses, read from the part of
the path graph ``pathsearch`` finds; the sentences, labels and articles of their hops only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyoxigraph as ox

from .naming import ArticleRef
from .neighbourhood import _ARTICLES, _NODES, _P, _mention_sentences, _rows
from .pathsearch import _PREDICATES, ARTICLE, k_shortest_paths, read_path_graph
from .store import Store
from .vocab import OA, RKG

# The relations between given pairs, with evidence: the plain triple, looked up by both ends, finds
# the article graphs that state it; the assertion is read there.
_FACTS = _P + f"""SELECT DISTINCT ?s ?p ?o ?sentence ?art WHERE {{ {{values}} GRAPH ?g {{ ?s ?p ?o .
  ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; a <{RKG.Assertion}> ; prov:wasDerivedFrom ?art ;
     <{RKG.evidence}> ?ev . ?ev <{OA.hasSelector}> ?sel . ?sel <{OA.exact}> ?sentence }}
  FILTER (?p IN ({", ".join(f"<{p}>" for p in _PREDICATES)})) }}"""


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


def _first_facts(store: Store, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Give, for each pair of related entities (either order), the first of the relations between them
    (by subject, predicate, object, article, sentence), with its evidence."""
    if not pairs:
        return {}
    wanted = sorted({(a, b) for x, y in pairs for a, b in ((x, y), (y, x))})
    rows = []
    for i in range(0, len(wanted), 100):
        values = "VALUES (?s ?o) { " + " ".join(f"({ox.NamedNode(a)} {ox.NamedNode(b)})" for a, b in wanted[i:i + 100])
        rows += store.query(_FACTS.replace("{values}", values + " }")).values()
    first: dict[tuple[str, str], dict[str, str]] = {}
    for r in sorted(rows, key=lambda r: (r["s"], r["p"].rsplit("#", 1)[-1], r["o"], r["art"], r["sentence"])):
        first.setdefault(tuple(sorted((r["s"], r["o"]))), r)  # type: ignore[arg-type]
    return first


def collect_paths(store: Store, source: str, target: str, k: int = 3, *, via_articles: bool = True) -> list[EntityPath]:
    """Give up to ``k`` shortest paths between two entity IRIs, stated relations first, each hop with evidence."""
    u = read_path_graph(store, source, target, k, via_articles=via_articles)
    found = k_shortest_paths(u, source, target, k)
    arts = {n for p in found for n in p if u.nodes[n].get("kind") == ARTICLE}
    entities = {n for p in found for n in p if n not in arts}
    unlabelled = {n for n in entities if "label" not in u.nodes[n]}
    label = {n: u.nodes[n]["label"] for n in entities - unlabelled}
    label |= {r["e"]: r["label"] for r in _rows(store, _NODES, iris=unlabelled)} if unlabelled else {}
    sentences = _mention_sentences(store, entities, arts)
    facts = _first_facts(store, {(x, y) for p in found for x, y in itertools.pairwise(p)
                                 if x not in arts and y not in arts})
    cited = arts | {f["art"] for f in facts.values()}
    meta = {r["art"]: r for r in _rows(store, _ARTICLES, "art", cited)} if cited else {}
    article = {a: ArticleRef(a, m.get("title"), m.get("date"), m.get("url")) for a in cited for m in [meta.get(a, {})]}
    paths = []
    for p in found:
        hops, i = [], 0
        while i < len(p) - 1:
            x, y = p[i], p[i + 1]
            if y in arts:
                z = p[i + 2]
                said = [s for s in (sentences.get((x, y)), sentences.get((z, y))) if s]
                evidence = said[0] if len(set(said)) == 1 else " … ".join(dict.fromkeys(said))
                hops.append(PathHop(x, label[x], "co_mentioned", z, label[z], evidence, article[y]))
                i += 2
                continue
            f = facts[tuple(sorted((x, y)))]  # type: ignore[index]
            hops.append(PathHop(f["s"], label[f["s"]], f["p"].rsplit("#", 1)[-1], f["o"], label[f["o"]],
                                f["sentence"], article[f["art"]]))
            i += 1
        paths.append(EntityPath(tuple(hops)))
    return paths
