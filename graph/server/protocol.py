"""A QueryResult and a request's ``Accept`` / ``format`` -> response bytes and media type (SPARQL 1.1 Protocol).

SELECT and ASK answer in the SPARQL results formats (JSON, XML, CSV, TSV), CONSTRUCT and DESCRIBE
in RDF (Turtle, N-Triples, JSON-LD, RDF/XML). A client asking only for formats we lack still gets
the default (JSON, Turtle) rather than 406: SPARQLWrapper and others send broad Accept lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..query import serialize_result
from ..store import QueryResult

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
# media types and ``format=`` names that clients use for the same formats
_RESULT_ALIASES = {
    "application/json": "json", "application/sparql-results+json": "json", "json": "json", "srj": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml", "xml": "xml",
    "srx": "xml", "text/csv": "csv", "csv": "csv", "text/tab-separated-values": "tsv", "tsv": "tsv",
}
_GRAPH_ALIASES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "turtle": "turtle", "ttl": "turtle",
    "text/n3": "turtle", "n3": "turtle", "application/n-triples": "nt", "text/plain": "nt", "nt": "nt",
    "ntriples": "nt", "n-triples": "nt", "application/ld+json": "jsonld", "application/x-json+ld": "jsonld",
    "application/json": "jsonld", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "application/rdf+xml": "rdfxml", "application/xml": "rdfxml", "text/xml": "rdfxml", "xml": "rdfxml",
    "rdfxml": "rdfxml", "rdf": "rdfxml",
}
PREFIXES = {
    "rkg": "https://w3id.org/reformkg/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass(frozen=True)
class Encoded:
    """A serialised answer: its bytes and its media type."""

    body: bytes
    media_type: str


def _accepted(accept: str) -> list[str]:
    """Give the media types of an Accept header, most wanted first (q=0 dropped)."""
    ranked = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if fields[0] and q > 0:
            ranked.append((-q, i, fields[0].lower()))
    return [m for _, _, m in sorted(ranked)]


def choose_format(kind: str, accept: str = "", requested: str | None = None) -> str:
    """Give the format name for a result kind from a ``format=`` value, else the Accept header."""
    aliases = _GRAPH_ALIASES if kind == "graph" else _RESULT_ALIASES
    if requested and requested.lower() in aliases:
        return aliases[requested.lower()]
    for media in _accepted(accept):
        if media in aliases:
            return aliases[media]
    return "turtle" if kind == "graph" else "json"


def encode_result(result: QueryResult, fmt: str) -> Encoded:
    """Give the result serialised in the format ``choose_format`` picked for it."""
    if result.kind == "graph":
        body = ox.serialize(list(result.triples), format=_GRAPH_FORMATS[fmt],
                            prefixes=PREFIXES if fmt == "turtle" else None)
        return Encoded(body or b"", GRAPH_TYPES[fmt])
    if result.kind == "ask" and fmt == "tsv":
        # the TSV format defines no boolean; answer like the CSV serialiser does
        text = f"boolean\n{str(result.boolean).lower()}\n"
    else:
        text = serialize_result(result, fmt)
    charset = "; charset=utf-8"
    return Encoded(text.encode("utf-8"), RESULT_TYPES[fmt] + charset)
