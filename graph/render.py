"""Store -> networkx graph -> interactive HTML (pyvis / vis-network), offline and escaped.

Input: a ``Store`` (and optionally a focus entity and depth). Output: an HTML string; the CLI
writes it to a file.
"""

from __future__ import annotations

import html
import json

import networkx as nx

from .store import Store
from .vocab import CLASS_TYPES, PREDICATE_PROPERTIES, RKG

TYPE_COLOURS = {
    "Person": "#e15759",
    "Organisation": "#4e79a7",
    "Region": "#59a14f",
    "Fund": "#f28e2b",
    "Programme": "#b07aa1",
}

_EDGES = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?p ?o ?sentence ?article WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in PREDICATE_PROPERTIES.values())} }}
  ?a a <{RKG.Assertion}> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ;
     <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ;
     <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o ;
     <{RKG.evidence}>/<http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?sentence ;
     <http://www.w3.org/ns/prov#wasDerivedFrom> ?article .
}}"""
_NODES = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?type (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?art) AS ?articles) WHERE {{
  VALUES ?type {{ {" ".join(f"<{c}>" for c in CLASS_TYPES)} }}
  ?e a ?type ; skos:prefLabel ?l .
  OPTIONAL {{ ?art <{RKG.mentions}> ?e }}
}} GROUP BY ?e ?type"""


def build_network(store: Store) -> nx.MultiDiGraph:
    """Give the entity network: nodes with type and label, edges with predicate and evidence."""
    g = nx.MultiDiGraph()
    for rec in store.query(_NODES).records():
        type_ = CLASS_TYPES.get(__import__("rdflib").URIRef(rec["type"].value), "Entity")
        g.add_node(rec["e"].value, label=rec["label"].value, type=type_, articles=int(rec["articles"].value))
    for rec in store.query(_EDGES).records():
        s, o = rec["s"].value, rec["o"].value
        if s in g and o in g:
            g.add_edge(s, o, predicate=rec["p"].value.rsplit("#", 1)[-1],
                       evidence=rec["sentence"].value, article=rec["article"].value)
    return g


def neighbourhood(g: nx.MultiDiGraph, focus: str, depth: int) -> nx.MultiDiGraph:
    """Give the subgraph within ``depth`` hops (either direction) of the node whose label matches."""
    wanted = focus.casefold()
    seeds = [n for n, d in g.nodes(data=True) if d.get("label", "").casefold() == wanted or n == focus]
    if not seeds:
        seeds = [n for n, d in g.nodes(data=True) if wanted in d.get("label", "").casefold()]
    keep: set[str] = set()
    und = g.to_undirected(as_view=True)
    for s in seeds:
        keep |= set(nx.single_source_shortest_path_length(und, s, cutoff=depth))
    return g.subgraph(keep).copy()


def render_network(g: nx.MultiDiGraph, title: str = "ReformKG") -> str:
    """Give a self-contained HTML page drawing the network with vis-network (no CDN needed)."""
    from pyvis.network import Network

    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line", heading="")
    for n, d in g.nodes(data=True):
        # vis-network sets tooltips as text, so labels and titles go in raw (never innerHTML)
        net.add_node(n, label=d.get("label", n), title=f"{d.get('type')}: {d.get('label')}",
                     color=TYPE_COLOURS.get(d.get("type", ""), "#999999"), group=d.get("type"))
    for s, o, d in g.edges(data=True):
        net.add_edge(s, o, label=d["predicate"], title=f"{d['predicate']}\n{d['evidence']}")
    page = net.generate_html(notebook=False)
    # pyvis's template pulls bootstrap from a CDN in every mode; the page needs none of it
    lines = [ln for ln in page.splitlines() if "cdn.jsdelivr.net" not in ln and "cdnjs.cloudflare" not in ln]
    head = f"<title>{html.escape(title)}</title><script>window.REFORMKG={json.dumps({'nodes': g.number_of_nodes()})}</script>"
    return "\n".join(lines).replace("<head>", "<head>" + head, 1)
