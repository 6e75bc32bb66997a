"""The entity index read from the store's cache as resolution asks for it (``LazyIndex``), so that
adding a few articles to a large store reads the nodes they could be, not every node.

Input: the cache's SQLite connection (``entity_cache``), whose tables hold every cached node as JSON,
its lookups (``resolve.index.entries``), its name keys by type and length (the near-equal names
rapidfuzz compares), the words said around bare funds and how many bare funds each word was said
around. Output: an ``EntityIndex`` that answers every lookup as the index read whole from the same
cache (``entity_cache.load_index``) would, after the same articles: the cache's answer for the key
with what this run added. ``whole`` gives that whole index, carrying over what this run added.

Each lookup is an indexed SQLite query, memoised for the run; the near-equal-name tier reads the name
keys of the lengths it compares (strings, not nodes) once each.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet

from .model import Identifier
from .resolve import EntityIndex, KnownEntity
from .resolve.index import entries
from .resolve.known import MAX_ARTICLES, amount_bucket
from .resolve.tupleset import TupleSet

#: Tables a whole save makes (``entity_cache``), beside ``nodes``: each node's lookups (``kind`` and
#: the key as JSON), its name keys by type and length, and for a bare fund the words said around it.
TABLES = (
    "CREATE TABLE lookups (kind TEXT NOT NULL, key TEXT NOT NULL, iri TEXT NOT NULL)",
    "CREATE INDEX lookups_by_key ON lookups (kind, key)",
    "CREATE INDEX lookups_by_iri ON lookups (iri)",
    "CREATE TABLE forms (type TEXT NOT NULL, len INTEGER NOT NULL, form TEXT NOT NULL, iri TEXT NOT NULL)",
    "CREATE INDEX forms_by_len ON forms (type, len)",
    "CREATE INDEX forms_by_iri ON forms (iri)",
    "CREATE TABLE said (bucket REAL NOT NULL, word TEXT NOT NULL, iri TEXT NOT NULL)",
    "CREATE INDEX said_by_word ON said (bucket, word)",
    "CREATE INDEX said_by_iri ON said (iri)",
    "CREATE TABLE counts (word TEXT PRIMARY KEY, n INTEGER NOT NULL)",
)
LAZY_TABLES = ("lookups", "forms", "said", "counts")
#: An ingest reads the whole index once it has resolved one article for every this many cached nodes:
#: by then the lookups have cost about what reading every node costs (about 50 microseconds a node).
NODES_PER_ARTICLE = 100


def node_to_json(known: KnownEntity) -> dict:
    """Give a node as the cache's ``nodes`` table holds it."""
    return {"iri": known.iri, "type": known.type, "label": known.label, "names": sorted(known.names),
            "forms": sorted(known.forms), "amounts": sorted(known.amounts),
            "ids": sorted([i.scheme, i.value] for i in known.identifiers), "roles": sorted(known.roles),
            "context": sorted(known.context), "articles": sorted(known.articles)[:MAX_ARTICLES]}


def node_from_json(data: str) -> KnownEntity:
    """Give the node a ``nodes`` row holds, its sets held as the index holds them (``TupleSet``)."""
    e = json.loads(data)
    return KnownEntity(
        iri=e["iri"], type=e["type"], label=e["label"], names=TupleSet(e["names"]), forms=TupleSet(e["forms"]),
        amounts=TupleSet(map(float, e["amounts"])), identifiers=TupleSet(Identifier(s, v) for s, v in e["ids"]),
        roles=TupleSet(e["roles"]), context=TupleSet(e["context"]), articles=TupleSet(e["articles"]))


def bare_words(known: KnownEntity) -> Iterator[tuple[float, str]]:
    """Give (amount, word) for each word said around a bare fund ("£5m": no name word says what it is for)."""
    if known.type == "Fund" and known.amounts and not known.purpose():
        for bucket in set(map(amount_bucket, known.amounts)):
            yield from ((bucket, word) for word in known.context)


def write_lookups(db: sqlite3.Connection, nodes: list[KnownEntity], old: dict[str, KnownEntity]) -> None:
    """Write these nodes' rows of the lazy tables over what the cache held for them (``old``: as cached)."""
    iris = [(k.iri,) for k in nodes]
    for table in ("lookups", "forms", "said"):
        db.executemany(f"DELETE FROM {table} WHERE iri = ?", iris)
    db.executemany("INSERT INTO lookups VALUES (?, ?, ?)",
                   ((kind, json.dumps(key, ensure_ascii=False), k.iri) for k in nodes for kind, key in entries(k)))
    db.executemany("INSERT INTO forms VALUES (?, ?, ?, ?)",
                   ((k.type, len(f), f, k.iri) for k in nodes for f in k.name_keys()))
    db.executemany("INSERT INTO said VALUES (?, ?, ?)", ((b, w, k.iri) for k in nodes for b, w in bare_words(k)))
    delta: dict[str, int] = {}  # a bare fund counts once for each word said around it
    for k, sign in [(k, 1) for k in nodes] + [(k, -1) for k in old.values()]:
        for word in {w for _, w in bare_words(k)}:
            delta[word] = delta.get(word, 0) + sign
    db.executemany("INSERT INTO counts VALUES (?, ?) ON CONFLICT (word) DO UPDATE SET n = n + excluded.n",
                   sorted((w, n) for w, n in delta.items() if n))
    db.execute("DELETE FROM counts WHERE n = 0")


class LazyIndex(EntityIndex):
    """An ``EntityIndex`` over the cache: nodes read when a lookup finds them; what this run adds
    or merges held as in any index. Valid while the cache's tables stay as they were when opened."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__()
        self.db = db
        self.cached_nodes = db.execute("SELECT COUNT(*) FROM nodes").fetchone()[0]
        self._from_cache: set[str] = set()
        self._absent: set[str] = set()
        self._asked: dict[tuple[str, tuple], frozenset[str]] = {}
        self._forms: dict[tuple[str, int], tuple[list[str], list[str]]] = {}

    def __len__(self) -> int:
        return self.cached_nodes + len(self.entities.keys() - self._from_cache)

    def worth_reading_whole(self, articles: int) -> bool:
        """Give whether, after resolving this many articles lazily, the rest are better resolved whole."""
        return articles * NODES_PER_ARTICLE >= self.cached_nodes

    def _node(self, iri: str) -> KnownEntity | None:
        known = self.entities.get(iri)
        if known is not None or iri in self._absent:
            return known
        row = self.db.execute("SELECT data FROM nodes WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            self._absent.add(iri)
            return None
        known = self.entities[iri] = node_from_json(row[0])
        known.compact()
        self._types.setdefault(known.type, {})[iri] = known
        self._from_cache.add(iri)
        if any(True for _ in bare_words(known)):  # as the whole index holds it: words counted, not new
            self._said_around[iri] = known.context
        return known

    def _cached(self, kind: str, key: tuple) -> frozenset[str]:
        found = self._asked.get((kind, key))
        if found is None:
            rows = self.db.execute("SELECT iri FROM lookups WHERE kind = ? AND key = ?",
                                   (kind, json.dumps(key, ensure_ascii=False)))
            found = self._asked[(kind, key)] = frozenset(i for (i,) in rows)
        return found

    def _ids(self, kind: str, key: tuple) -> AbstractSet[str]:
        return self._cached(kind, key) | super()._ids(kind, key)

    def _code(self, key: tuple[str, str, str]) -> str | None:
        # the whole index keeps the first node read with a code: the cache's, in its rows' order
        row = self.db.execute("SELECT l.iri FROM lookups l JOIN nodes n USING (iri) WHERE l.kind = 'code' "
                              "AND l.key = ? ORDER BY n.rowid LIMIT 1", (json.dumps(key, ensure_ascii=False),))
        found = row.fetchone()
        return found[0] if found else super()._code(key)

    def _near_keys(self, type_: str, length: int) -> list[tuple[list[str], list[str]]]:
        cached = self._forms.get((type_, length))
        if cached is None:
            rows = self.db.execute("SELECT form, iri FROM forms WHERE type = ? AND len = ?", (type_, length)).fetchall()
            cached = self._forms[(type_, length)] = ([f for f, _ in rows], [i for _, i in rows])
        return [cached, *super()._near_keys(type_, length)]

    def _bare_saying(self, bucket: float, wanted: frozenset[str] | None) -> set[str]:
        here = super()._bare_saying(bucket, wanted)
        if wanted is None:
            return here or set(self._cached("bare", (bucket,)))
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(f"SELECT DISTINCT iri FROM said WHERE bucket = ? AND word IN ({marks})",
                               (bucket, *sorted(wanted)))
        return here | {i for (i,) in rows}

    def _count(self, word: str) -> int:
        row = self.db.execute("SELECT n FROM counts WHERE word = ?", (word,)).fetchone()
        return (row[0] if row else 0) + super()._count(word)

    def whole(self, rows: Iterable[str] | None = None) -> EntityIndex:
        """Give the whole index: every cached node read (``rows``: their JSON, by default from the cache)
        with what this run added or merged, as an index read whole at the start would hold it now."""
        index = EntityIndex()
        for data in rows if rows is not None else (d for (d,) in self.db.execute("SELECT data FROM nodes")):
            index.add(node_from_json(data))
        for iri, known in self.entities.items():  # this run's nodes, as merged
            index.entities[iri] = known
            index._types.setdefault(known.type, {})[iri] = known
        for kind, held in self._by.items():  # and the lookups this run added
            for key, iris in held.items():
                index._by[kind].setdefault(key, set()).update(iris)
        for key, iri in self._by_code.items():
            index._by_code.setdefault(key, iri)
        for key, (keys, owners) in self._keys.items():
            mine = index._keys.setdefault(key, ([], []))
            mine[0].extend(keys)
            mine[1].extend(owners)
        index._said_around.update(self._said_around)
        for word, n in self._bare_count.items():
            index._bare_count[word] = index._bare_count.get(word, 0) + n
        index.changed, index.saved_as = set(self.changed), self.saved_as
        return index
