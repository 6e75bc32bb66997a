"""A SPARQL request's text -> its query form, or a QueryError when a read-only endpoint must refuse it.

Oxigraph (like rdflib's engine and the oxigraph server) executes ``SERVICE <url>`` by making the
HTTP request, offers no switch to turn that off, and pyoxigraph exposes no parser. So the endpoint
reads the query itself before running it, and errs on the side of refusing. Oxigraph's parser is
lenient in ways a plain tokenizer is not (measured: ``1SERVICE SILENT <u> {}`` and
``SERVICESILENT:{}`` both run a SERVICE call; in ``FILTER(?o<'>')`` the ``<`` is an operator, not
the start of an IRI), so:

1. a query whose text, with ``\\uXXXX`` escapes decoded, never contains "service" cannot name one;
2. one that does and also uses escapes is refused outright;
3. otherwise a tokenizer skips comments, strings and IRIs, and any bare word (or prefix of a
   prefixed name) containing SERVICE counts, as does any IRI-looking token that could be a ``<``
   operator hiding a string or comment start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import QueryError

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '''(?:[^'\\]|\\.|'(?!''))*'''
              | "(?:[^"\\\n\r]|\\.)*"
              | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<var>[?$]\w+)
  | (?P<word>(?:\w[\w.\-]*)?:(?:[\w.\-:%]|\\.)*|\w[\w\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# tokens after which a "<" may be Oxigraph's less-than operator rather than an IRI's start
_OPERAND_END = {"var", "string", "lang", "iri", "word"}


@dataclass(frozen=True)
class QueryForm:
    """What a SPARQL request is: its form (SELECT, ASK, CONSTRUCT, DESCRIBE or an update verb)."""

    form: str
    uses_service: bool = False

    @property
    def is_update(self) -> bool:
        """Give whether the request is a SPARQL update rather than a query."""
        return self.form in UPDATE_KEYWORDS

    @property
    def returns_graph(self) -> bool:
        """Give whether the answer is RDF triples (CONSTRUCT, DESCRIBE) rather than results."""
        return self.form in ("CONSTRUCT", "DESCRIBE")


def decode_escapes(text: str) -> str:
    """Give the text with SPARQL's ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes decoded."""

    def _char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _ESCAPE.sub(_char, text)


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group(0)) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("space", "comment")]


def _names_service(tokens: list[tuple[str, str]]) -> bool:
    brackets: list[str] = []
    previous = ""
    for kind, text in tokens:
        if kind == "word" and "SERVICE" in text.split(":", 1)[0].upper():
            return True
        if kind == "iri" and previous in _OPERAND_END and brackets[-1:] == ["("] and re.search(r"['#]", text):
            return True  # read as "<" then code, this could open a string or comment Oxigraph does not see
        if kind == "other" and text in "({[":
            brackets.append(text)
        elif kind == "other" and text in ")}]" and brackets:
            brackets.pop()
        previous = kind
    return False


def classify_query(text: str) -> QueryForm:
    """Give the form of a SPARQL request and whether it may call a SERVICE; QueryError if it has no form."""
    tokens = _tokens(text)
    words = [t.upper() for kind, t in tokens if kind == "word" and ":" not in t]
    form = next((w for w in words if w in QUERY_FORMS or w in UPDATE_KEYWORDS), None)
    if form is None:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    decoded = decode_escapes(text)
    if "service" not in decoded.casefold():
        return QueryForm(form=form)
    return QueryForm(form=form, uses_service=decoded != text or _names_service(tokens))


def check_query(text: str, *, allow_service: bool = False) -> QueryForm:
    """Give the form of a query this read-only endpoint may run, or raise QueryError saying why not."""
    found = classify_query(text)
    if found.is_update:
        raise QueryError(
            f"SPARQL update ({found.form}) refused: this endpoint is read-only "
            "(change the store with 'reformkg ingest')"
        )
    if found.uses_service and not allow_service:
        raise QueryError(
            "SERVICE refused: this endpoint never queries other endpoints "
            "(start it with 'reformkg serve --allow-service' to permit federated queries)"
        )
    return found
