"""Article graphs -> a store: embedded Oxigraph on disk, or a remote SPARQL 1.1 endpoint.

Input: one article's graph as N-Triples plus its named-graph IRI. Output: a ``Store`` that
replaces each article's graph atomically and answers SPARQL over the union of graphs.

One SPARQL update per article (``DROP SILENT GRAPH`` + ``INSERT DATA``) is the unit of
atomicity: Oxigraph applies it in one transaction, so a killed ingest never leaves half an
article. A loop of ``add()`` would not be atomic.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
import re
import time
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .errors import QueryError, StoreError

Term = ox.NamedNode | ox.BlankNode | ox.Literal


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


class Store(Protocol):
    """What every store kind offers: atomic per-article replacement and SPARQL queries."""

    location: str

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        """Replace the named graph by the given triples in one atomic step."""

    def add_to_graph(self, graph_iri: str, ntriples: str) -> None:
        """Add triples to a named graph in one atomic step (those it holds already stay once)."""

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


def bind_parameters(sparql: str, bindings: Mapping[str, Term] | None) -> str:
    """Give the query with parameters bound by a trailing ``VALUES`` clause, and early where that is safe.

    Terms are written in their N-Triples form by pyoxigraph, which escapes them: nothing
    a user types is pasted into the query text as SPARQL syntax. Oxigraph does not push a
    trailing ``VALUES`` into subqueries, so each parameter is also joined, by a ``VALUES`` of its
    own, at the start of the innermost group that surely binds it (``_early_spots``); the
    trailing clause stays, so the answer is the same either way.
    """
    if not bindings:
        return sparql
    names = list(bindings)
    for name in names:
        if not name.isidentifier():
            raise QueryError(f"bad parameter name {name!r}: use letters, digits and _")
    terms = {n: str(bindings[n]) for n in names}
    text = sparql
    for at, name in sorted(_early_spots(sparql, tuple(names)), reverse=True):
        text = f"{text[:at]} VALUES ?{name} {{ {terms[name]} }}{text[at:]}"
    return f"{text}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms.values())}) }}"


# Reading a query just far enough to place a parameter's VALUES early. Joining ``VALUES ?p {t}``
# into a pattern keeps exactly its solutions with ?p = t when the pattern always binds ?p, and
# that selection passes unchanged through joins, OPTIONAL/MINUS on their right, FILTER, BIND,
# DISTINCT, projection, and a GROUP BY that has ?p as a key; it does not pass LIMIT/OFFSET, a
# grouping without ?p as a key, nor the right side of OPTIONAL/MINUS/EXISTS. So a VALUES goes at
# the start of a group only when the group's leading joins (before any OPTIONAL, MINUS, BIND or
# SERVICE) bind ?p with a triple pattern, GRAPH ?p, or a subquery that projects ?p; it goes down
# through such groups and subqueries while each is safe. Anything this reader is unsure of
# leaves only the trailing VALUES.
_TOKEN = re.compile(r"""(?P<skip>\s+|\#[^\n\r]*)
  | (?P<str>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>) | (?P<var>[?$]\w+)
  | (?P<word>(?:[\w:]|\\.)(?:[\w:.%-]|\\.)*(?<!\.)) | (?P<punct>\S)""", re.VERBOSE)
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
_ELEMENTS = {"GRAPH", "OPTIONAL", "MINUS", "SERVICE", "BIND", "FILTER", "VALUES"}
_MODIFIERS = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}
_CLOSE = {"(": ")", "{": "}", "[": "]"}


class _Unsure(Exception):
    """The query is not one ``_Reader`` can place an early VALUES in safely."""


@dataclass
class _Group:
    """A ``{ ... }`` group: where a VALUES would go, the variables its leading joins surely bind."""

    at: int
    binds: set[str] = field(default_factory=set)
    optionals: list[_Group] = field(default_factory=list)
    wraps: bool = False  # holds a subquery and nothing else: no room for a VALUES
    kids: list[_Group | _Select] = field(default_factory=list)  # groups and subqueries among those joins


@dataclass
class _Select:
    """A SELECT (the query or a subquery): its WHERE group and what a selection cannot pass."""

    where: _Group
    projected: set[str] | None  # plain variables projected; None for SELECT *
    keys: set[str]  # plain-variable GROUP BY keys
    grouped: bool
    sliced: bool  # LIMIT, OFFSET or its own VALUES
    top: bool = False

    def opens(self, var: str) -> bool:
        """Give whether selecting ``var`` on the answer is the same as selecting it in the WHERE group."""
        shown = self.top or (not self.sliced and (self.projected is None or var in self.projected))
        return var in self.where.binds and shown and (not self.grouped or var in self.keys)

    def binds(self) -> set[str]:
        """Give the variables every solution of this subquery binds."""
        return {v for v in self.where.binds if (self.projected is None or v in self.projected)
                and (not self.grouped or v in self.keys)}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """Give (kind, text, end offset) of each token; comments and spaces left out."""
    if re.search(r"\\[uU]", text):  # \u escapes are decoded before parsing: not read here
        raise _Unsure
    out, depth = [], 0
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup or "", m.group()
        depth += (value == "(") - (value == ")") if kind == "punct" else 0
        if (kind == "punct" and value in "\"'") or (kind == "iri" and depth and re.search(r"['#()]", value)):
            raise _Unsure  # an unclosed string, or a '<' operator that reads as an IRI
        if kind != "skip":
            out.append((kind, value, m.end()))
    return out


class _Reader:
    """Reads the group structure of a SELECT query; raises ``_Unsure`` at anything else."""

    def __init__(self, text: str) -> None:
        self.toks, self.i = _tokens(text), 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "", -1)

    def take(self, want: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok[0] == "end" or (want is not None and tok[1].upper() != want):
            raise _Unsure
        self.i += 1
        return tok

    def word(self, *words: str) -> bool:
        kind, value, _ = self.peek()
        return kind == "word" and value.upper() in words

    def skip(self) -> bool:
        """Take a bracketed stretch; give whether it may hold an aggregate."""
        opens, maybe = [_CLOSE[self.take()[1]]], False
        while opens:
            kind, value, _ = self.take()
            if kind == "punct" and value in _CLOSE:
                opens.append(_CLOSE[value])
            elif kind == "punct" and value in ")}]" and value != opens.pop():
                raise _Unsure
            maybe |= value.upper() in _AGGREGATES or (kind == "iri" or ":" in value) and self.peek()[1] == "("
        return maybe

    def query(self) -> _Select:
        while self.word("PREFIX", "BASE"):
            if self.take()[1].upper() == "PREFIX":
                self.take()
            self.take()
        top = self.select()
        if self.peek()[0] != "end":
            raise _Unsure
        top.top = True
        return top

    def select(self) -> _Select:
        self.take("SELECT")
        if self.word("DISTINCT", "REDUCED"):
            self.take()
        projected: set[str] | None = set()
        grouped = False
        while not (self.word("WHERE", "FROM") or self.peek()[1] == "{"):
            if self.peek()[1] == "(":
                grouped |= self.skip()
                continue
            kind, value, _ = self.take()
            if value == "*":
                projected = None
            elif kind == "var" and projected is not None:
                projected.add(value[1:])
            else:
                raise _Unsure
        while self.word("FROM"):
            if self.take() and self.take()[1].upper() == "NAMED":
                self.take()
        if self.word("WHERE"):
            self.take()
        where, keys, sliced = self.group(), set(), False
        while self.word(*_MODIFIERS):
            head = self.take()[1].upper()
            if head in ("GROUP", "ORDER"):
                self.take("BY")
            grouped |= head in ("GROUP", "HAVING")
            sliced |= head in ("LIMIT", "OFFSET", "VALUES")
            while not self.word(*_MODIFIERS) and self.peek()[1] not in ("}", ""):
                if self.peek()[1] in _CLOSE:
                    self.skip()
                elif self.take()[0] == "var" and head == "GROUP":
                    keys.add(self.toks[self.i - 1][1][1:])
        return _Select(where, projected, keys, grouped, sliced)

    def group(self) -> _Group:
        """Read ``{ ... }``: the variables bound by its leading joins, and the groups among them."""
        g = _Group(self.take("{")[2])
        if self.word("SELECT"):
            sub = self.select()
            g.kids.append(sub)
            g.binds |= sub.binds()
            g.wraps = True
            self.take("}")
            return g
        leading = True  # still in the joins before the first OPTIONAL, MINUS, BIND or SERVICE
        while self.peek()[1] != "}":
            kind, value, _ = self.peek()
            if value == "{" or self.word("GRAPH"):
                name = (self.take(), self.take())[1] if self.word("GRAPH") else None
                kid, alone = self.group(), True
                while self.word("UNION"):
                    self.take()
                    self.group()
                    alone = False
                if leading and alone:
                    g.kids.append(kid)
                    g.binds |= kid.binds | ({name[1][1:]} if name and name[0] == "var" else set())
            elif self.word("OPTIONAL"):
                self.take()
                g.optionals.append(self.group())
                leading = False
            elif self.word("MINUS", "SERVICE", "BIND"):
                leading = False
                if self.take()[1].upper() == "SERVICE":
                    self.take() if self.word("SILENT") else None
                    self.take()
                self.skip()
            elif self.word("FILTER"):
                self.take()
                if self.word("NOT"):
                    self.take()
                if self.peek()[1] != "(":
                    self.take()  # EXISTS or a function's name
                self.skip()
            elif self.word("VALUES"):
                self.take()
                self.skip() if self.peek()[1] == "(" else self.take()
                self.skip()
            elif value == ".":
                self.take()
            else:
                found = self.triples()
                g.binds |= found if leading else set()
        self.take("}")
        return g

    def triples(self) -> set[str]:
        """Read a run of triple patterns; give their variables."""
        found: set[str] = set()
        depth = 0
        while depth or not (self.word(*_ELEMENTS) or self.peek()[1] in ("{", "}")):
            kind, value, _ = self.take()
            if kind == "var":
                found.add(value[1:])
            elif kind == "punct" and value in "([":
                depth += 1
            elif kind == "punct" and value in ")]":
                depth -= 1
            elif kind == "punct" and value in "{}" or kind == "word" and ":" not in value and not (
                    value in ("a", "true", "false") or value[0].isdigit() or self.toks[self.i - 2][1] == "@"):
                raise _Unsure
        return found


def _spots(node: _Group | _Select, var: str) -> list[int]:
    """Give the offsets where ``VALUES ?var`` may go in a pattern that surely binds ``var``.

    The innermost group of the leading joins that binds it, and inside each OPTIONAL that binds
    it too (a left side with ?var = t joins only right-side rows with ?var = t).
    """
    if isinstance(node, _Select):
        if not node.opens(var):
            return []
        node = node.where
    if var not in node.binds:
        return []
    here = next((found for kid in node.kids if (found := _spots(kid, var))), [] if node.wraps else [node.at])
    return here + [at for opt in node.optionals for at in _spots(opt, var)]


@functools.lru_cache(maxsize=256)
def _early_spots(sparql: str, names: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """Give (offset, parameter) for each place a parameter's VALUES can go early."""
    try:
        top = _Reader(sparql).query()
    except (_Unsure, KeyError):
        return ()
    return tuple((at, n) for n in names for at in _spots(top, n))


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
        except (OSError, RuntimeError) as exc:
            if "lock" in str(exc).lower():
                raise StoreError(
                    f"{path}: store is in use by another writer (wait for it to finish, or use another --store)"
                ) from exc
            raise StoreError(f"{path}: cannot open store ({exc})") from exc

    def replace_graph(self, graph_iri: str, ntriples: str) -> None:
        g = ox.NamedNode(graph_iri)
        try:
            self._store.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.location}: could not write graph {graph_iri} ({exc})") from exc

    def add_to_graph(self, graph_iri: str, ntriples: str) -> None:
        g = ox.NamedNode(graph_iri)
        try:
            self._store.update(f"INSERT DATA {{ GRAPH {g} {{\n{ntriples}\n}} }}")
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.location}: could not write graph {graph_iri} ({exc})") from exc

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

