"""Article graphs -> a store: embedded Oxigraph on disk, or a remote SPARQL 1.1 endpoint.

Input: one article's graph as N-Triples plus its named-graph IRI. Output: a ``Store`` that
replaces each article's graph atomically and answers SPARQL over the union of graphs.

Each write is atomic: a replacement is one SPARQL update (``DROP GRAPH`` + ``INSERT DATA``, one
Oxigraph transaction), and a batch of new graphs is one bulk load, whose files Oxigraph adds to
the store in one step at its end (RocksDB ingests them atomically). A killed ingest never leaves
half an article; a loop of ``add()`` would not be atomic.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .errors import QueryError, StoreError
from .sparql_params import Term, bind_parameters


@dataclass(frozen=True)
class QueryResult:
    """The answer to a SPARQL query: SELECT rows, an ASK boolean, or CONSTRUCT triples."""

    kind: str  # "select", "ask" or "graph"
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    def records(self) -> list[dict[str, Term]]:
        """Give SELECT rows as dicts of variable name to term (unbound variables left out)."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def values(self) -> list[dict[str, str]]:
        """Give SELECT rows as dicts of variable name to the term's lexical value."""
        return [{v: t.value for v, t in rec.items()} for rec in self.records()]


@dataclass(frozen=True)
class GraphWrite:
    """One write of a batch: a named graph's triples (N-Triples), replacing the graph or added to it."""

    graph_iri: str
    ntriples: str
    replace: bool = True


class Store(Protocol):
    """What every store kind offers: atomic per-article replacement and SPARQL queries."""

    location: str

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        """Replace the named graph by the given triples in one atomic step."""

    def add_to_graph(self, graph_iri: str, ntriples: str) -> None:
        """Add triples to a named graph in one atomic step (those it holds already stay once)."""

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        """Make several writes, in order, each atomic: the way to store a batch of articles."""

    def drop_graph(self, graph_iri: str) -> None:
        """Remove one named graph."""

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a SPARQL query over the union of all named graphs."""

    def graphs(self) -> list[str]:
        """Give the IRIs of all named graphs."""

    def dump_nquads(self) -> bytes:
        """Give the whole dataset as N-Quads."""

    def flush(self) -> None:
        """Make the writes so far durable (and let the store release the memory holding them)."""

    def close(self) -> None:
        """Flush and release the store."""


def _result_from_oxigraph(res: object) -> QueryResult:
    if isinstance(res, (bool, ox.QueryBoolean)):  # pyoxigraph 0.5 answers ASK with a QueryBoolean
        return QueryResult(kind="ask", boolean=bool(res))
    if isinstance(res, ox.QuerySolutions):
        names = tuple(v.value for v in res.variables)
        return QueryResult(kind="select", variables=names, rows=tuple(tuple(s) for s in res))
    return QueryResult(kind="graph", triples=tuple(res))  # type: ignore[arg-type]


_SNAPSHOT_RETRIES = 4


def _vanished(exc: BaseException) -> bool:
    """Give whether an error is RocksDB finding a file gone that a concurrent writer compacted away."""
    text = str(exc)
    return "No such file" in text or "Corruption" in text


def _open_read_only(path: str) -> ox.Store:
    """Give a read-only snapshot of a store, retrying while a concurrent writer swaps its files.

    A read-only open reads the file list, then the files; a writer compacting in between makes
    the open fail with "No such file" (RocksDB calls it corruption, but the store is whole).
    """
    for attempt in range(_SNAPSHOT_RETRIES):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError) as exc:
            if not _vanished(exc) or attempt == _SNAPSHOT_RETRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


#: Fewest graphs worth a bulk load (measured per 490-triple graph: one alone 12.9 ms, four 4.9 ms
#: each, against 7.3 ms for a transaction).
BULK_MIN = 4


def _has_blank_nodes(ntriples: str) -> bool:
    # a blank node label starts a line (a subject) or follows a space (an object); a literal holding
    # " _:" only sends the graph the slower, equally correct way
    return ntriples.startswith("_:") or "\n_:" in ntriples or " _:" in ntriples


def _remove_unfinished_bulk_loads(path: Path) -> None:
    """Delete the files of a bulk load that was killed before it ended (not part of the store).

    Only the process holding the store's lock bulk-loads, and this one holds it now: any such file
    is left over from a killed writer (measured: a load killed midway leaves its files and adds
    nothing to the store).
    """
    for leftover in path.glob("bulk-*.sst"):
        leftover.unlink(missing_ok=True)


class EmbeddedStore:
    """An Oxigraph store in a directory on disk (one writer process at a time)."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.location = str(path)
        self.read_only = read_only
        try:
            if read_only:
                if not Path(path).exists():
                    raise StoreError(f"{path}: no store here (run 'reformkg ingest' first)")
                self._store = _open_read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
                _remove_unfinished_bulk_loads(Path(path))
        except (OSError, RuntimeError) as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"{path}: store is in use by another writer (wait for it to finish, or use another --store)"
                ) from exc
            raise StoreError(f"{path}: cannot open store ({exc})") from exc

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        self._write(graph_iri, ntriples, drop_first=True)

    def add_to_graph(self, graph_iri: str, ntriples: str) -> None:
        self._write(graph_iri, ntriples, drop_first=False)

    def _write(self, graph_iri: str, ntriples: str, *, drop_first: bool) -> None:
        g = ox.NamedNode(graph_iri)
        try:
            if drop_first and self._store.contains_named_graph(g):
                self._store.update(f"DROP GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
            else:
                # a load is one transaction too, and a quarter faster than parsing the same triples
                # as an INSERT DATA update (measured: 19 vs 26 ms for a 650-triple article graph);
                # read as Turtle, which takes N-Triples and the triples INSERT DATA took before
                self._store.load(ntriples.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=g)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.location}: could not write graph {graph_iri} ({exc})") from exc

    def write_graphs(self, writes: Sequence[GraphWrite]) -> None:
        # Oxigraph's bulk loader writes sorted files and adds them to the store at once: three times
        # faster than a transaction per article (measured: 2.3 vs 7.3 ms for a 490-triple article
        # graph, 64 graphs a load; but 12.9 ms for one graph alone, so fewer than BULK_MIN graphs go
        # by transaction). It cannot drop a graph, so a graph already stored is replaced by a
        # transaction; a graph written twice in one batch ends the bulk part first, keeping order.
        bulk: list[str] = []
        in_bulk: set[str] = set()
        for w in writes:
            g = ox.NamedNode(w.graph_iri)
            if w.graph_iri in in_bulk or (w.replace and self._store.contains_named_graph(g)):
                if w.graph_iri in in_bulk:
                    self._bulk_load(bulk)
                    bulk, in_bulk = [], set()
                self._write(w.graph_iri, w.ntriples, drop_first=w.replace)
            elif _has_blank_nodes(w.ntriples):  # one TriG document would share their labels across graphs
                self._write(w.graph_iri, w.ntriples, drop_first=False)
            elif w.ntriples.strip():
                bulk.append(w)
                in_bulk.add(w.graph_iri)
        self._bulk_load(bulk)

    def _bulk_load(self, writes: list[GraphWrite]) -> None:
        if len(writes) < BULK_MIN:
            for w in writes:
                self._write(w.graph_iri, w.ntriples, drop_first=False)
            return
        # N-Triples lines are TriG inside a graph block
        blocks = [f"{ox.NamedNode(w.graph_iri)} {{\n{w.ntriples}\n}}\n" for w in writes]
        try:
            self._store.bulk_load("".join(blocks).encode("utf-8"), format=ox.RdfFormat.TRIG)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.location}: could not write {len(blocks)} graphs ({exc})") from exc

    def drop_graph(self, graph_iri: str) -> None:
        self._store.update(f"DROP SILENT GRAPH {ox.NamedNode(graph_iri)}")

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        text = bind_parameters(sparql, bindings)
        for attempt in range(_SNAPSHOT_RETRIES):
            try:
                res = self._store.query(text, use_default_graph_as_union=True)
                return _result_from_oxigraph(res)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL syntax error: {exc}") from exc
            except (OSError, RuntimeError) as exc:
                if not (self.read_only and _vanished(exc)) or attempt == _SNAPSHOT_RETRIES - 1:
                    raise StoreError(f"{self.location}: query failed ({exc})") from exc
                # a writer compacted away files of this read-only snapshot: take a new one
                self._store = _open_read_only(self.location)
        raise AssertionError("unreachable")

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump_nquads(self) -> bytes:
        return self._store.dump(format=ox.RdfFormat.N_QUADS)

    def flush(self) -> None:
        # until flushed, Oxigraph holds every write in memory: about 0.5 MB per article graph
        if not self.read_only:
            self._store.flush()

    def close(self) -> None:
        # without a flush the next open replays the write-ahead log (seconds, not ms)
        self.flush()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(location: str, *, read_only: bool = False) -> Store:
    """Give the store at a location: a directory (embedded Oxigraph) or an ``http(s)://`` endpoint."""
    if location.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(location)
    return EmbeddedStore(location, read_only=read_only)

