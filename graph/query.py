"""SPARQL over the store: ad-hoc queries, saved queries with safe parameters, results formats, stats.

Input: a ``Store`` and a query (text, file or saved-query name). Output: ``QueryResult`` and its
serialisations in the SPARQL 1.1 results formats (JSON, CSV, TSV, XML).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .errors import QueryError
from .model import ENTITY_TYPES, PREDICATES
from .store import QueryResult, Store, Term
from .vocab import ENTITY_CLASSES, PREDICATE_PROPERTIES, RKG

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
QUERIES_DIR = ONTOLOGY_DIR / "queries"


@dataclass(frozen=True)
class Parameter:
    """A saved query's parameter: name, kind (``literal`` or ``iri``) and what it means."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class SavedQuery:
    """A query kept in ``ontology/queries/NAME.rq`` with its header: title, description, parameters."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str

    def to_json(self) -> dict:
        """Give the JSON shape of ``reformkg query --list --format json``."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": [{"name": p.name, "kind": p.kind, "description": p.description} for p in self.parameters],
        }


_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Give the SavedQuery of a ``.rq`` file's text; ``# param: name (iri|literal) description``."""
    title, description, params = name, "", []
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if not m:
            continue
        key, value = m.groups()
        if key == "title":
            title = value.strip()
        elif key == "description":
            description = (description + " " + value.strip()).strip()
        else:
            pm = re.match(r"(\w+)\s*(?:\((iri|literal)\))?\s*(.*)", value.strip())
            if pm:
                params.append(Parameter(pm.group(1), pm.group(2) or "literal", pm.group(3).strip()))
    return SavedQuery(name, title, description, tuple(params), text)


_READ: dict[Path, tuple[int, SavedQuery]] = {}


def _read_saved(path: Path) -> SavedQuery:
    """Give the saved query in a file, parsed again only when the file has changed."""
    stamp = path.stat().st_mtime_ns
    known = _READ.get(path)
    if known is None or known[0] != stamp:
        known = _READ[path] = (stamp, parse_saved_query(path.stem, path.read_text(encoding="utf-8")))
    return known[1]


def list_saved_queries(folder: Path = QUERIES_DIR) -> list[SavedQuery]:
    """Give every saved query in the folder, sorted by name."""
    return [_read_saved(p) for p in sorted(folder.glob("*.rq"))]


def get_saved_query(name: str, folder: Path = QUERIES_DIR) -> SavedQuery:
    """Give the saved query of that name, or raise QueryError listing the known names."""
    path = folder / f"{name}.rq"
    if not re.fullmatch(r"[\w-]+", name) or not path.is_file():
        known = ", ".join(q.name for q in list_saved_queries(folder))
        raise QueryError(f"no saved query named {name!r} (known: {known})")
    return _read_saved(path)


def bind_values(query: SavedQuery, values: dict[str, str]) -> dict[str, Term]:
    """Give typed RDF terms for a saved query's parameters, checking names and IRIs."""
    known = {p.name: p for p in query.parameters}
    unknown = set(values) - set(known)
    if unknown:
        raise QueryError(f"{query.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                         f"it takes {', '.join(known) or 'none'}")
    bound: dict[str, Term] = {}
    for name, value in values.items():
        if known[name].kind == "iri":
            if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value, re.I):
                raise QueryError(f"{query.name}: parameter {name} must be an IRI, got {value!r}")
            bound[name] = ox.NamedNode(value)
        else:
            bound[name] = ox.Literal(value)
    return bound


def run_query(store: Store, sparql: str, params: dict[str, Term] | None = None) -> QueryResult:
    """Give the result of a SPARQL query over the store (the union of all article graphs)."""
    return store.query(sparql, params)


def run_saved_query(store: Store, name: str, values: dict[str, str] | None = None) -> QueryResult:
    """Give the result of a saved query with its parameters bound safely."""
    q = get_saved_query(name)
    return store.query(q.sparql, bind_values(q, values or {}))


def _json_term(t: Term) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = t.datatype.value
    return out


def serialize_result(result: QueryResult, fmt: str) -> str:
    """Give the result in a SPARQL 1.1 results format (json, csv, tsv, xml) or, for graphs, N-Triples."""
    if result.kind == "graph":
        return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples)
    if fmt == "json":
        if result.kind == "ask":
            return json.dumps({"head": {}, "boolean": result.boolean})
        bindings = [{k: _json_term(v) for k, v in rec.items()} for rec in result.records()]
        return json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}},
                          ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        if fmt == "csv":
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(result.variables if result.kind == "select" else ["boolean"])
            rows = [[("" if t is None else t.value) for t in row] for row in result.rows]
            w.writerows(rows if result.kind == "select" else [[str(result.boolean).lower()]])
            return buf.getvalue()
        lines = ["\t".join("?" + v for v in result.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        parts += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
        parts.append("</head>")
        if result.kind == "ask":
            parts.append(f"<boolean>{str(result.boolean).lower()}</boolean>")
        else:
            parts.append("<results>")
            for rec in result.records():
                parts.append("<result>")
                for k, t in rec.items():
                    j = _json_term(t)
                    tag = {"uri": "uri", "bnode": "bnode"}.get(j["type"], "literal")
                    attrs = ""
                    if "xml:lang" in j:
                        attrs = f" xml:lang={quoteattr(j['xml:lang'])}"
                    elif "datatype" in j:
                        attrs = f" datatype={quoteattr(j['datatype'])}"
                    parts.append(f"<binding name={quoteattr(k)}><{tag}{attrs}>{escape(t.value)}</{tag}></binding>")
                parts.append("</result>")
            parts.append("</results>")
        parts.append("</sparql>\n")
        return "\n".join(parts)
    raise QueryError(f"unknown results format {fmt!r} (use json, csv, tsv or xml)")


def collect_stats(store: Store) -> dict:
    """Give counts of articles, entities by type and relations by predicate."""
    articles = store.query(f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a <{RKG.Article}> }}")
    n_articles = int(articles.rows[0][0].value) if articles.rows else 0  # type: ignore[union-attr]
    classes = " ".join(f"<{c}>" for c in ENTITY_CLASSES.values())
    by_type = store.query(
        f"SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?t {{ {classes} }} ?e a ?t }} GROUP BY ?t"
    )
    counts = {t: 0 for t in ENTITY_TYPES}
    for rec in by_type.records():
        counts[rec["t"].value.rsplit("#", 1)[-1]] = int(rec["n"].value)
    props = " ".join(f"<{p}>" for p in PREDICATE_PROPERTIES.values())
    by_pred = store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} "
        f"?s ?p ?o }} }} GROUP BY ?p"
    )
    rels = {p: 0 for p in PREDICATES}
    for rec in by_pred.records():
        rels[rec["p"].value.rsplit("#", 1)[-1]] = int(rec["n"].value)
    return {"articles": n_articles, "entities": counts, "relations": rels}
