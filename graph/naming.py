"""Store -> the entity a name stands for, and the article reference every view cites.

Input: a ``Store`` and a name (a label, an alias or an IRI). Output: the entity's IRI, or a
``QueryError`` suggesting close names; ``ArticleRef`` is the article a card, path or timeline cites.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox
from rapidfuzz import fuzz, process

from .errors import QueryError
from .neighbourhood import _P, _TYPED, _TYPES, _rows
from .resolve import normalise_name
from .store import Store

_NAMED = "{ ?e skos:prefLabel ?l BIND(true AS ?pref) } UNION { ?e skos:altLabel ?l BIND(false AS ?pref) }"
_LABELS = _P + f"SELECT DISTINCT ?e ?l ?pref WHERE {{ {{ {_TYPED.replace('{values}', '')} }} {_NAMED} }}"
# one entity, or one label as written: looked up by index, the type checked once per entity
# (each article's graph repeats a label: made distinct before the type is checked)
_LABELS_OF = _P + f"""SELECT ?e ?l ?pref WHERE {{ {{ SELECT DISTINCT ?e ?l ?pref WHERE {{ {{values}} {_NAMED} }} }}
  FILTER EXISTS {{ VALUES ?type {{ {_TYPES} }} ?e a ?type }} }}"""
# a label as written, put in the patterns (joined as VALUES, Oxigraph read the union before it)
_WRITTEN = _P + f"""SELECT ?e ?pref WHERE {{ {{ SELECT ?e ?pref WHERE {{ {{ ?e skos:prefLabel {{l}} BIND(true AS ?pref) }}
  UNION {{ ?e skos:altLabel {{l}} BIND(false AS ?pref) }} }} GROUP BY ?e ?pref }}
  FILTER EXISTS {{ VALUES ?type {{ {_TYPES} }} ?e a ?type }} }}"""


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
    written = store.query(_WRITTEN.replace("{l}", str(ox.Literal(name)))).values()
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


def article_ref(g: nx.MultiDiGraph, iri: str) -> ArticleRef:
    """Give the reference of an article a network cites (``g.graph["articles"]`` holds its metadata)."""
    meta = g.graph.get("articles", {}).get(iri, {})
    return ArticleRef(iri, meta.get("title"), meta.get("date"), meta.get("url"))
