"""Store -> one file for other tools: RDF (Turtle, TriG, N-Quads, JSON-LD) or a network (GraphML, GEXF).

Input: a ``Store``. Output: the serialisation as bytes; the CLI writes it to stdout or a file.

RDF formats are written by pyoxigraph from the store's N-Quads dump: TriG, N-Quads and JSON-LD
keep one named graph per article; Turtle has no graphs, so it carries the union with duplicate
triples merged. The network formats are the entity network of ``explore.build_network`` (for
Gephi and Cytoscape), with list-valued attributes flattened to strings because GraphML and GEXF
only hold scalars.
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from .errors import QueryError
from .explore import build_network
from .store import Store
from .vocab import OA, ORG, RKG, SCHEMA, TIME

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
}
NETWORK_FORMATS = ("graphml", "gexf")
EXPORT_FORMATS = (*RDF_FORMATS, *NETWORK_FORMATS)
PREFIXES = {
    "rkg": str(RKG), "oa": str(OA), "org": str(ORG), "schema": str(SCHEMA), "time": str(TIME),
    "skos": str(SKOS), "dcterms": str(DCTERMS), "prov": str(PROV), "rdf": str(RDF), "xsd": str(XSD),
}


def _quads(store: Store) -> list[ox.Quad]:
    return list(ox.parse(store.dump_nquads(), format=ox.RdfFormat.N_QUADS))


def export_rdf(store: Store, fmt: str) -> bytes:
    """Give the whole store in an RDF format: turtle (union of graphs), trig, nquads or jsonld."""
    if fmt == "nquads":
        return store.dump_nquads()
    quads = _quads(store)
    if fmt == "turtle":
        # dict keeps the store's order and drops the same triple stated by several articles
        triples = list(dict.fromkeys(q.triple for q in quads))
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)  # type: ignore[return-value]
    if fmt == "jsonld":
        return ox.serialize(quads, format=ox.RdfFormat.JSON_LD)  # type: ignore[return-value]
    return ox.serialize(quads, format=RDF_FORMATS[fmt], prefixes=PREFIXES)  # type: ignore[return-value]


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def flat_network(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Give a copy of the entity network whose node and edge attributes are all scalars."""
    flat = nx.MultiDiGraph()
    for node, data in g.nodes(data=True):
        flat.add_node(node, **{k: _scalar(v) for k, v in data.items() if v is not None})
    for s, o, key, data in g.edges(keys=True, data=True):
        flat.add_edge(s, o, key=key, **{k: _scalar(v) for k, v in data.items() if v is not None})
    return flat


def export_network(store: Store, fmt: str) -> bytes:
    """Give the entity network as GraphML or GEXF: nodes are entities, edges relations with evidence."""
    g = flat_network(build_network(store))
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(g, buf, encoding="utf-8")
    else:
        nx.write_gexf(g, buf, encoding="utf-8")
    return buf.getvalue()


def export_store(store: Store, fmt: str) -> bytes:
    """Give the store serialised in one of ``EXPORT_FORMATS``."""
    if fmt in RDF_FORMATS:
        return export_rdf(store, fmt)
    if fmt in NETWORK_FORMATS:
        return export_network(store, fmt)
    raise QueryError(f"unknown export format {fmt!r} (use {', '.join(EXPORT_FORMATS)})")
