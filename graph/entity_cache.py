"""The entity index an ingest ends with, kept in the store's directory, so that the next ingest and
every ``link`` start in time that grows with the nodes of the graph (or only with the article's
candidates), not with every mention of every article.

Input: a ``Store`` and (to save) the ``EntityIndex`` resolution built. Output: that index again,
whole (for ingest) or just the nodes an article could link to (for ``link``).

Reading the index from the store is one query whose rows grow with every mention: about 2.7 ms
per stored article, so 27 s at 10,000 articles, which each ``link`` paid. The cache is an SQLite
file, ``reformkg-index.sqlite`` (Oxigraph leaves files it does not know alone): each node as JSON,
the typed lookup keys of ``resolve.lookup.node_keys`` (names, initials, a fund's sum with a purpose
word, ...) and the words of the names, so that ``link`` reads only the nodes that could give the
article a link. Its protocol keeps it from going stale:

- an ingest marks it invalid before its first write, and writes it and marks it valid in one
  transaction only after a run in which every article it resolved was stored; a crash, a kill or
  a failed article leaves it invalid;
- an invalid, missing or unreadable cache is never used: the index is read from the store;
- a remote store (a SPARQL endpoint) has no cache: its index is always read from the endpoint.

Each save stamps the cache with a new ``generation``, and an index read from the cache carries it
(``EntityIndex.saved_as``) with the nodes added or merged since (``EntityIndex.changed``). Saving
such an index into the cache that still has that generation and this ``VERSION`` rewrites only the
changed nodes' rows, keys and words; any other save (an index read from the store or from an older
version's cache, or a cache another save has since rewritten) drops and rewrites every table.
Either way the cache is marked valid in the transaction that writes it, and the tables it leaves
are the same: adding 100 articles to a 10,000-article store rewrites only the nodes they added or
merged into (a few hundred of 33,000), not every node.

A node keeps at most ``MAX_ARTICLES`` article identifiers: resolution and linking only ask whether
a node is known from an article other than the one at hand.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from .link import LINK_THRESHOLD, load_entity_index
from .model import Extraction, Identifier
from .resolve import EntityIndex, KnownEntity
from .resolve.candidates import linkable
from .resolve.known import MAX_ARTICLES
from .resolve.lookup import TIGHT_FLOOR, link_query, lookup_words, node_keys, probes, select
from .resolve.tupleset import TupleSet
from .store import EmbeddedStore, Store

CACHE_NAME = "reformkg-index.sqlite"
VERSION = "3"
#: Versions whose ``nodes`` table this one reads: versions 2 and 3 changed only the lookup keys and the
#: tables' indexes, so an ingest into a store cached by an older version still starts from its cache
#: (and, its save being a whole one, leaves a version 3 cache).
NODES_VERSIONS = ("1", "2", VERSION)
_META = "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)"
#: The tables a whole save drops and makes again (version 3: keys by IRI, one row per word and name,
#: so that a node's keys and its names' words can be replaced alone).
_TABLES = (
    "CREATE TABLE nodes (iri TEXT PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE keys (key TEXT NOT NULL, iri TEXT NOT NULL)",
    "CREATE INDEX keys_by_key ON keys (key)",
    "CREATE INDEX keys_by_iri ON keys (iri)",
    "CREATE TABLE words (word TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (name, word))",
    "CREATE INDEX words_by_word ON words (word)",
)


def cache_path(store: Store) -> Path | None:
    """Give where a store's index cache lives, or None for a store that has none (an endpoint)."""
    return Path(store.location) / CACHE_NAME if isinstance(store, EmbeddedStore) else None


def _open(store: Store, *, write: bool = False, versions: tuple[str, ...] = (VERSION,)) -> sqlite3.Connection | None:
    path = cache_path(store)
    if path is None or not (write or path.exists()):
        return None
    try:
        db = sqlite3.connect(path if write else f"file:{path}?mode=ro", uri=not write, timeout=30)
        if write:
            db.execute(_META)
        elif (meta := dict(db.execute("SELECT k, v FROM meta"))).get("valid") != "1" or meta.get("version") not in versions:
            db.close()
            return None
        return db
    except sqlite3.Error:
        return None  # unreadable, or written by another version: the store is the truth


def load_index(store: Store) -> EntityIndex:
    """Give the store's whole entity index: from its cache when valid, else read from the store."""
    db = _open(store, versions=NODES_VERSIONS)
    if db is None:
        return load_entity_index(store)
    with closing(db):
        meta = dict(db.execute("SELECT k, v FROM meta"))
        index = _index(data for (data,) in db.execute("SELECT data FROM nodes"))
    index.saved_as = meta.get("generation") if meta.get("version") == VERSION else None
    return index


def load_link_index(store: Store, extraction: Extraction, threshold: float = LINK_THRESHOLD) -> EntityIndex:
    """Give the nodes an article could link to at ``threshold``: the linkable ones
    (``resolve.candidates.linkable``: programmes, funds, bodies set up by a reform) that
    ``resolve.lookup.select`` finds (what ``link_extraction`` looks among), or the whole index
    (``load_index``) when the cache has no such keys or the threshold lets a weak hint link."""
    db = _open(store) if threshold > TIGHT_FLOOR else None
    if db is None:
        return load_index(store)
    with closing(db):
        iris = select(link_query(extraction, probes(extraction), threshold), _Postings(db))
        db.execute("CREATE TEMP TABLE wanted (iri TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO wanted VALUES (?)", ((i,) for i in iris))
        return _index(data for (data,) in db.execute("SELECT data FROM nodes JOIN wanted USING (iri)"))


class _Postings:
    """``resolve.lookup.Postings`` read from the cache's ``keys`` and ``words`` tables."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def _many(self, sql: str, values: Iterable[str], *extra: int) -> set[str]:
        values = sorted(values)
        out: set[str] = set()
        for i in range(0, len(values), 500):  # SQLite binds at most 999 values
            chunk = values[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out |= {v for (v,) in self.db.execute(sql.format(marks=marks), (*chunk, *extra))}
        return out

    def iris(self, keys: set[str]) -> set[str]:
        return self._many("SELECT DISTINCT iri FROM keys WHERE key IN ({marks})", keys)

    def names_with_any(self, words: frozenset[str]) -> set[str]:
        return self._many("SELECT DISTINCT name FROM words WHERE word IN ({marks})", words)

    def names_with_all(self, words: frozenset[str]) -> set[str]:
        return self._many("SELECT name FROM words WHERE word IN ({marks}) GROUP BY name HAVING COUNT(*) = ?",
                          words, len(words))


def invalidate(store: Store) -> None:
    """Mark the store's index cache invalid: called before a write, which would make it stale."""
    db = _open(store, write=True)
    if db is not None:
        with closing(db), db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('valid', '0')")


def save_index(store: Store, index: EntityIndex) -> None:
    """Write the index as the store's cache and mark it valid, in one transaction: only the nodes
    changed since it was read when the cache is still the one it was read from, else every node."""
    db = _open(store, write=True)
    if db is None:
        return
    generation = uuid.uuid4().hex
    with closing(db), db:
        db.execute("BEGIN IMMEDIATE")  # the tables' drops too: nothing is seen until the commit
        meta = dict(db.execute("SELECT k, v FROM meta"))
        if index.saved_as is not None and (meta.get("version"), meta.get("generation")) == (VERSION, index.saved_as):
            _write_nodes(db, [index.entities[i] for i in sorted(index.changed)])
        else:
            for table in ("nodes", "keys", "words"):
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _TABLES:
                db.execute(statement)
            _write_nodes(db, list(index.entities.values()), whole=True)
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       (("version", VERSION), ("generation", generation), ("valid", "1")))
    index.changed.clear()
    index.saved_as = generation


def _write_nodes(db: sqlite3.Connection, nodes: list[KnownEntity], *, whole: bool = False) -> None:
    """Write these nodes' rows, keys and their names' words over what the cache held for them."""
    iris = [(k.iri,) for k in nodes]
    linkable_ = [k for k in nodes if linkable(k)]
    names = {name for k in linkable_ for name in k.name_keys()}
    if not whole:  # the names only these nodes held lose their words (a node's keys can shrink)
        held = {key[2:] for iri in iris for (key,) in db.execute("SELECT key FROM keys WHERE iri = ?", iri)
                if key.startswith("n ")}
        db.executemany("DELETE FROM keys WHERE iri = ?", iris)
    db.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
                   ((k.iri, k.type, json.dumps(_to_json(k), ensure_ascii=False)) for k in nodes))
    db.executemany("INSERT INTO keys VALUES (?, ?)", ((key, k.iri) for k in linkable_ for key in node_keys(k)))
    if not whole:
        gone = [(n,) for n in sorted(held - names)
                if db.execute("SELECT 1 FROM keys WHERE key = ? LIMIT 1", (f"n {n}",)).fetchone() is None]
        db.executemany("DELETE FROM words WHERE name = ?", gone)
    db.executemany("INSERT OR IGNORE INTO words VALUES (?, ?)",
                   ((w, name) for name in names for w in lookup_words(name.split())))


def _to_json(known: KnownEntity) -> dict:
    return {"iri": known.iri, "type": known.type, "label": known.label, "names": sorted(known.names),
            "forms": sorted(known.forms), "amounts": sorted(known.amounts),
            "ids": sorted([i.scheme, i.value] for i in known.identifiers), "roles": sorted(known.roles),
            "context": sorted(known.context), "articles": sorted(known.articles)[:MAX_ARTICLES]}


def _index(rows: Iterable[str]) -> EntityIndex:
    # held as the index holds them (``KnownEntity.compact``): words, names and article ids recur
    # across thousands of nodes and are interned, so each is held once
    index = EntityIndex()
    for row in rows:
        e = json.loads(row)
        index.add(KnownEntity(
            iri=e["iri"], type=e["type"], label=e["label"], names=TupleSet(e["names"]), forms=TupleSet(e["forms"]),
            amounts=TupleSet(map(float, e["amounts"])), identifiers=TupleSet(Identifier(s, v) for s, v in e["ids"]),
            roles=TupleSet(e["roles"]), context=TupleSet(e["context"]), articles=TupleSet(e["articles"])))
    index.changed.clear()  # the index is what the cache holds
    return index
