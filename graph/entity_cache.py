"""The entity index an ingest ends with, kept in the store's directory, so that the next ingest and
every ``link`` start in time that grows with the nodes of the graph (or only with the article's
candidates), not with every mention of every article.

Input: a ``Store`` and (to save) the ``EntityIndex`` resolution built. Output: that index again,
whole (for ingest) or just the nodes an article could link to (for ``link``).

Reading the index from the store is one query whose rows grow with every mention: about 2.7 ms
per stored article, so 27 s at 10,000 articles, which each ``link`` paid. The cache is an SQLite
file, ``reformkg-index.sqlite`` (Oxigraph leaves files it does not know alone): each node as JSON,
and the words, initials and rounded sums of its names as lookup keys. Its protocol keeps it from
going stale:

- an ingest marks it invalid before its first write, and writes it and marks it valid in one
  transaction only after a run in which every article it resolved was stored; a crash, a kill or
  a failed article leaves it invalid;
- an invalid, missing or unreadable cache is never used: the index is read from the store;
- a remote store (a SPARQL endpoint) has no cache: its index is always read from the endpoint.

A node keeps at most ``MAX_ARTICLES`` article identifiers: resolution and linking only ask whether
a node is known from an article other than the one at hand.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from .link import distinctive, load_entity_index
from .model import Extraction, Identifier
from .resolve import EntityIndex, KnownEntity
from .resolve.candidates import linkable
from .resolve.names import amount_buckets, normalise_name
from .store import EmbeddedStore, Store

CACHE_NAME = "reformkg-index.sqlite"
VERSION = "1"
MAX_ARTICLES = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (iri TEXT PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key TEXT NOT NULL, iri TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS keys_by_key ON keys (key);
"""


def cache_path(store: Store) -> Path | None:
    """Give where a store's index cache lives, or None for a store that has none (an endpoint)."""
    return Path(store.location) / CACHE_NAME if isinstance(store, EmbeddedStore) else None


def _open(store: Store, *, write: bool = False) -> sqlite3.Connection | None:
    path = cache_path(store)
    if path is None or not (write or path.exists()):
        return None
    try:
        db = sqlite3.connect(path if write else f"file:{path}?mode=ro", uri=not write, timeout=30)
        if write:
            db.executescript(_SCHEMA)
        elif dict(db.execute("SELECT k, v FROM meta")) != {"version": VERSION, "valid": "1"}:
            db.close()
            return None
        return db
    except sqlite3.Error:
        return None  # unreadable, or written by another version: the store is the truth


def load_index(store: Store) -> EntityIndex:
    """Give the store's whole entity index: from its cache when valid, else read from the store."""
    db = _open(store)
    if db is None:
        return load_entity_index(store)
    with closing(db):
        return _index(data for (data,) in db.execute("SELECT data FROM nodes"))


def load_link_index(store: Store, extraction: Extraction) -> EntityIndex:
    """Give the nodes an article could link to: the linkable ones (``resolve.candidates.linkable``:
    programmes, funds, bodies set up by a reform) sharing a distinctive name word, an initialism or
    a rounded sum with it (what ``link_extraction`` looks among), or the whole index when there
    is no valid cache."""
    db = _open(store)
    if db is None:
        return load_entity_index(store)
    words = set(normalise_name(extraction.article.text).split())
    amounts = set().union(*(amount_buckets(e.amount_gbp) for e in extraction.entities if e.amount_gbp))
    keys = [f"w {w}" for w in words] + [f"m {a:.2g}" for a in amounts]
    with closing(db):
        db.execute("CREATE TEMP TABLE wanted (key TEXT PRIMARY KEY)")
        db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in keys))
        rows = db.execute("SELECT data FROM nodes WHERE iri IN (SELECT iri FROM keys JOIN wanted USING (key))")
        return _index(data for (data,) in rows)


def invalidate(store: Store) -> None:
    """Mark the store's index cache invalid: called before a write, which would make it stale."""
    db = _open(store, write=True)
    if db is not None:
        with closing(db), db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('valid', '0')")


def save_index(store: Store, index: EntityIndex) -> None:
    """Write the whole index as the store's cache and mark it valid, in one transaction."""
    db = _open(store, write=True)
    if db is None:
        return
    with closing(db), db:
        db.execute("DELETE FROM nodes")
        db.execute("DELETE FROM keys")
        db.executemany("INSERT INTO nodes VALUES (?, ?, ?)",
                       ((k.iri, k.type, json.dumps(_to_json(k), ensure_ascii=False)) for k in index.entities.values()))
        db.executemany("INSERT INTO keys VALUES (?, ?)", ((key, k.iri) for k in index.entities.values()
                                                          if linkable(k) for key in _keys(k)))
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", (("version", VERSION), ("valid", "1")))


def _keys(known: KnownEntity) -> set[str]:
    """A linkable node's lookup keys: the distinctive words of its names' keys (linking needs one of them, an
    initialism or a sum in the article: a word like "fund" or "council" alone never links), their
    initialisms, and its sums to two significant figures."""
    words = distinctive(known.name_keys()) | known.initials()
    return {f"w {w}" for w in words} | {f"m {a:.2g}" for a in known.amounts}


def _to_json(known: KnownEntity) -> dict:
    return {"iri": known.iri, "type": known.type, "label": known.label, "names": sorted(known.names),
            "forms": sorted(known.forms), "amounts": sorted(known.amounts),
            "ids": sorted([i.scheme, i.value] for i in known.identifiers), "roles": sorted(known.roles),
            "context": sorted(known.context), "articles": sorted(known.articles)[:MAX_ARTICLES]}


def _index(rows: Iterable[str]) -> EntityIndex:
    index = EntityIndex()
    for row in rows:
        e = json.loads(row)
        index.add(KnownEntity(
            iri=e["iri"], type=e["type"], label=e["label"], names=set(e["names"]), forms=set(e["forms"]),
            amounts={float(a) for a in e["amounts"]}, identifiers={Identifier(s, v) for s, v in e["ids"]},
            roles=set(e["roles"]), context=set(e["context"]), articles=set(e["articles"])))
    return index
