"""SHACL Core shapes -> results, run by pyshacl: the reference engine for ``shacl_sparql``.

Input: an article's rdflib ``Graph``, the Core shapes, and the ontology triples the shapes read.
Output: ``Result`` tuples (focus, path, value, message, severity), one per top-level SHACL result.

Ingest checks graphs with the shapes compiled to SPARQL (``shacl_sparql``); this engine is what
``validate_graph(..., engine="pyshacl")`` runs, and what the tests hold the compiled queries to.
pyshacl runs with ``inference="none"`` on an rdflib graph whose literals are rebuilt from their
N-Triples lexical form (what the store will hold), with the ontology's class hierarchy and typing
merged into the data graph (a pyoxigraph-backed graph types plain literals ``xsd:string``, giving
false ``sh:in`` results; ``ont_graph=`` copies the class hierarchy but not instance typing).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node


class ShapesCannotRun(Exception):
    """pyshacl gave no report graph: the shapes file is broken."""


class Result(NamedTuple):
    """One top-level SHACL result, as plain strings ("" for a blank node or no value)."""

    focus: str
    path: str
    value: str
    message: str  # "" when the shape gives none
    severity: str
    shape: str


class PyshaclEngine:
    """The Core shapes harvested once: pyshacl's ``validate()`` parses them again on every call
    (8 ms of a 45 ms article check), and its Shape objects keep no state between runs."""

    def __init__(self, core_shapes: Graph, ontology: Iterable[tuple[Node, Node, Node]]) -> None:
        self.shapes = ShapesGraph(core_shapes)
        self.shapes.shapes  # noqa: B018 - the property getter harvests the shapes
        self.ontology = tuple(ontology)

    def results(self, g: Graph, focus: Collection[URIRef] | None = None) -> list[Result]:
        """Give the SHACL results of ``g`` (of the ``focus`` nodes only, when given)."""
        data = Graph()
        data.addN((s, p, _as_stored(o), data) for s, p, o in g)
        data.addN((s, p, o, data) for s, p, o in self.ontology)
        options = {"inference": "none", "allow_warnings": True, "allow_infos": True, "inplace": True,
                   "focus_nodes": list(focus) if focus is not None else None}
        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=Graph(), options=options)
        validator.shacl_graph = self.shapes
        _, report, text = validator.run()
        if not isinstance(report, Graph):  # pyshacl reports a broken shapes file this way
            raise ShapesCannotRun(text.strip())
        out = []
        for res in report.objects(None, SH.result):  # top-level results, not sh:detail ones
            focus_node = report.value(res, SH.focusNode)
            path, value = report.value(res, SH.resultPath), report.value(res, SH.value)
            severity, message = report.value(res, SH.resultSeverity), report.value(res, SH.resultMessage)
            out.append(Result(
                focus=str(focus_node) if isinstance(focus_node, URIRef) else "",
                path=str(path) if isinstance(path, URIRef) else "",
                value=str(value) if isinstance(value, (URIRef, Literal)) else "",
                message=str(message) if message is not None else "",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                shape=str(report.value(res, SH.sourceShape)),
            ))
        return out


def _as_stored(term: Node) -> Node:
    # check what will be stored: a literal as its N-Triples lexical form reads back. A term built in
    # Python can differ from it (Literal(1.0, datatype=xsd:decimal) holds a float and fails
    # sh:datatype), and an oxrdflib graph's plain literals come back typed xsd:string. Rebuilding the
    # literal from its lexical form is what the N-Triples parser does, without the parse.
    if isinstance(term, Literal):
        return Literal(str(term), lang=term.language, datatype=term.datatype)
    return term
