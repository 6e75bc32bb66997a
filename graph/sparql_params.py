"""Parameters of a saved query -> the query text with them bound, by ``VALUES`` clauses.

Input: SPARQL text and a mapping of parameter names to pyoxigraph terms. Output: SPARQL text that
any SPARQL 1.1 store runs (the embedded one and remote endpoints alike). Each value is joined by a
trailing ``VALUES`` clause, and also early, inside the group or subquery that surely binds it,
where that provably selects the same rows: Oxigraph does not push a trailing ``VALUES`` into
subqueries, so a query about one entity would otherwise read the whole store.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import QueryError

Term = ox.NamedNode | ox.BlankNode | ox.Literal


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
            _, value, _ = self.peek()
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
