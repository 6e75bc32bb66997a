"""Article graphs -> SHACL verdicts: one article before it is stored, or every graph of a store.

Input: an rdflib ``Graph`` (one article's graph) or a ``Store``. Output: ``Violation`` records
(a ``ValidationReport`` for a store); ``check_article_graph`` raises ``ValidationError``.

The shapes are ``ontology/shapes.ttl``. The graph is loaded into a scratch Oxigraph store beside
the ontology's class hierarchy; its SHACL Core part runs there as SPARQL compiled from the shapes
(``shacl_sparql``; pyshacl, ``shacl_reference``, is the reference engine the tests compare it
with), and its ``sh:sparql`` constraints run there too, with ``$this`` bound by substitution:
pyshacl re-parses and evaluates them with rdflib's engine, measured at 2-3 s per article against a
few milliseconds here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .errors import ValidationError
from .rdfgraph import to_ntriples
from .shacl_reference import PyshaclEngine, ShapesCannotRun
from .shacl_sparql import CoreQuery, UnsupportedShape, compile_shapes
from .store import Store
from .violations import ValidationReport, Violation, short_iri
from .vocab import CLASS_TYPES

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_PATH = ONTOLOGY_DIR / "reformkg.ttl"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
MAX_LISTED = 3  # violations spelled out in an error message; the rest are counted

_DATA = ox.NamedNode("urn:reformkg:checked")  # the graph being checked, in a scratch store
_ONTOLOGY = ox.NamedNode("urn:reformkg:ontology")
_TYPES_PRESENT = "SELECT DISTINCT ?t WHERE { ?s a ?t }"
_PROPERTIES_PRESENT = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
_NAME_QUERY = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
               "SELECT ?this ?label ?type WHERE { ?this a ?type OPTIONAL { ?this skos:prefLabel ?label } }")


@cache
def load_ontology() -> Graph:
    """Give the ReformKG ontology (``ontology/reformkg.ttl``) as an rdflib graph."""
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


@cache
def load_shapes() -> Graph:
    """Give the SHACL shapes (``ontology/shapes.ttl``) as an rdflib graph."""
    return Graph().parse(SHAPES_PATH, format="turtle")


@cache
def _core_shapes() -> Graph:
    core = Graph()
    for triple in load_shapes():
        if triple[1] != SH.sparql:
            core.add(triple)
    return core


@dataclass(frozen=True)
class _SparqlCheck:
    targets: tuple[str, ...]  # SPARQL patterns selecting ?this
    query: str
    message: str
    severity: str
    across_articles: bool  # a deactivated shape: run over the whole store, not per article


@cache
def _sparql_checks() -> tuple[_SparqlCheck, ...]:
    shapes, checks = load_shapes(), []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for decl in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(decl, SH.declare)
        )
        targets = [f"?this a <{c}>" for c in shapes.objects(shape, SH.targetClass)]
        targets += [f"?this <{p}> ?any" for p in shapes.objects(shape, SH.targetSubjectsOf)]
        severity = shapes.value(shape, SH.severity)
        checks.append(_SparqlCheck(
            targets=tuple(targets),
            query=prefixes + str(shapes.value(constraint, SH.select)),
            message=str(shapes.value(constraint, SH.message)),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            across_articles=shapes.value(shape, SH.deactivated) == Literal(True),
        ))
    return tuple(checks)


def _format(message: str, values: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]) -> str:
    for name, term in values.items():
        if term is not None:
            message = message.replace("{?" + name + "}", short_iri(term.value))
    return message


def _run_sparql_checks(store: ox.Store, graph: str, focus: Collection[URIRef] | None = None) -> list[Violation]:
    wanted = set(focus) if focus is not None else None
    out = []
    targeted: dict[str, set[ox.NamedNode]] = {}  # target pattern -> its focus nodes, found once
    for check in _sparql_checks():
        if check.across_articles:
            continue
        for t in check.targets:
            if t not in targeted:
                targeted[t] = {row[0] for row in store.query(f"SELECT DISTINCT ?this {{ {t} }}", default_graph=_DATA)}
        focus_nodes = {node for t in check.targets for node in targeted[t]}
        for node in sorted(focus_nodes, key=str):
            solutions = store.query(check.query, substitutions={ox.Variable("this"): node}, default_graph=_DATA)
            names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
            for row in solutions:  # type: ignore[union-attr]
                values = dict(zip(names, row))
                path, value = values.get("path"), values.get("value")
                # with focus, a result counts when it is about a focus node: the one checked or the
                # node at fault (the article's checks on its spans, for a rewrite's new sentences)
                if wanted is not None and URIRef(node.value) not in wanted and (
                        value is None or URIRef(value.value) not in wanted):
                    continue
                out.append(Violation(
                    focus=node.value, message=_format(check.message, values), severity=check.severity,
                    path=path.value if path is not None else "",
                    value=value.value if value is not None else "",
                    focus_name=_name(store, node.value), graph=graph,
                ))
    return out


def _run_compiled(store: ox.Store, graph: str, focus: Collection[URIRef] | None) -> list[Violation]:
    core = _core_query()
    wanted = {str(f) for f in focus} if focus is not None else None
    out = []
    # a shape whose targets the graph cannot hold is not asked: a link graph (what a relink checks)
    # holds 3 of the 19 shapes' targets, and their queries were most of its check
    present = {f"a {t.value}" for (t,) in store.query(_TYPES_PRESENT, use_default_graph_as_union=True)}
    present |= {f"p {p.value}" for (p,) in store.query(_PROPERTIES_PRESENT, use_default_graph_as_union=True)}
    rows = (row for text in core.wanted(present) for row in store.query(text, use_default_graph_as_union=True))
    for this, value, check in rows:  # type: ignore[misc]
        if wanted is not None and this.value not in wanted:
            continue
        rule = core.checks[int(check.value)]
        out.append(Violation(
            focus=this.value, message=rule.message, severity=rule.severity, path=rule.path,
            value=value.value if isinstance(value, (ox.NamedNode, ox.Literal)) else "",
            focus_name=_name(store, this.value), graph=graph,
        ))
    return out


def _name(store: ox.Store, node: str) -> str:
    rows = list(store.query(_NAME_QUERY, substitutions={ox.Variable("this"): ox.NamedNode(node)}, default_graph=_DATA))
    kind = next((CLASS_TYPES[URIRef(t.value)] for _, _, t in rows if URIRef(t.value) in CLASS_TYPES), None)
    if kind is None:
        return ""
    label = next((lab.value for _, lab, _ in rows if lab is not None), None)
    return f'{kind} "{label}"' if label is not None else f"{kind} {short_iri(node)}"


def _reference_results(g: Graph, store: ox.Store, graph: str, focus: Collection[URIRef] | None) -> list[Violation]:
    try:
        results = _reference_engine().results(g, focus)
    except ShapesCannotRun as err:
        raise ValidationError(f"{SHAPES_PATH}: SHACL shapes cannot run ({err})") from err
    return [Violation(focus=r.focus, message=r.message or "fails " + short_iri(r.shape), severity=r.severity,
                      path=r.path, value=r.value, focus_name=_name(store, r.focus) if r.focus else "", graph=graph)
            for r in results]


def _ordered(results: list[Violation]) -> list[Violation]:
    # violations first, then a stable order so messages and tests do not depend on hashing
    return sorted(results, key=lambda v: (v.severity != "Violation", v.focus, v.path, v.message, v.value))


@cache
def _core_query() -> CoreQuery:
    try:
        return compile_shapes(_core_shapes(), load_ontology())
    except UnsupportedShape as err:
        raise ValidationError(f"{SHAPES_PATH}: SHACL shapes cannot run ({err})") from err


@cache
def _reference_engine() -> PyshaclEngine:
    return PyshaclEngine(_core_shapes(), _ontology_for_shapes())


@cache
def _ontology_quads() -> tuple[ox.Quad, ...]:
    return tuple(ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), ox.NamedNode(str(o)), _ONTOLOGY)
                 for s, p, o in _ontology_for_shapes() if isinstance(s, URIRef) and isinstance(o, URIRef))


@cache
def _ontology_for_shapes() -> tuple[tuple[Node, Node, Node], ...]:
    # what the Core shapes read of the ontology: the class hierarchy (sh:class, sh:targetClass on a
    # subclass) and the typing of its terms; labels, comments, domains and ranges are not consulted
    return tuple(t for t in load_ontology() if t[1] in (RDFS.subClassOf, RDF.type))


def validate_graph(g: Graph, graph: str = "", *, focus: Collection[URIRef] | None = None,
                   ntriples: bytes | None = None, engine: str = "oxigraph") -> list[Violation]:
    """Give the SHACL results (violations and warnings) for one article's graph.

    With ``focus``, only those nodes are checked (what a rewrite adds to a graph already checked);
    ``ntriples`` is the graph's N-Triples when the caller has serialised it already. ``engine``
    runs the Core shapes compiled to SPARQL in Oxigraph (``"oxigraph"``) or in pyshacl
    (``"pyshacl"``, the reference the compiled query is tested against).
    """
    if engine not in ("oxigraph", "pyshacl"):
        raise ValueError(f"unknown SHACL engine {engine!r}: oxigraph or pyshacl")
    if focus is not None and not focus:
        return []
    if ntriples is None:
        ntriples = to_ntriples(g).encode("utf-8")
    return _validate(ntriples, graph, focus, reference=g if engine == "pyshacl" else None)


def _validate(ntriples: bytes, graph: str, focus: Collection[URIRef] | None,
              reference: Graph | None = None) -> list[Violation]:
    # the Oxigraph engine reads the N-Triples only; pyshacl (``reference``) needs the rdflib graph
    store = ox.Store()
    # the article in one named graph, the class hierarchy in another: the Core query reads both
    # (as pyshacl reads the ontology merged into the data graph), the sh:sparql checks the article only
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=_DATA)
    store.extend(_ontology_quads())
    if reference is not None:
        core = _reference_results(reference, store, graph, focus)
    else:
        core = _run_compiled(store, graph, focus)
    return _ordered(core) + _run_sparql_checks(store, graph, focus)


def check_article_graph(g: Graph, where: str, *, focus: Collection[URIRef] | None = None,
                        ntriples: bytes | None = None) -> list[Violation]:
    """Give the warnings of an article graph that passes; raise ValidationError if it fails.

    The error's message is one line naming the source and the first few violations.
    """
    results = validate_graph(g, focus=focus, ntriples=ntriples)
    violations = [v for v in results if v.severity == "Violation"]
    if violations:
        listed = "; ".join(v.describe() for v in violations[:MAX_LISTED])
        more = f" (and {len(violations) - MAX_LISTED} more)" if len(violations) > MAX_LISTED else ""
        raise ValidationError(
            f"{where}: not stored, its graph fails {len(violations)} SHACL check(s): {listed}{more}",
            tuple(v.describe() for v in violations),
        )
    return results


def validate_store(store: Store, on_progress: Callable[[int, int], None] | None = None) -> ValidationReport:
    """Give the SHACL verdict on a store: every named graph checked as ingest checks it, then the
    across-article checks (deactivated shapes) over the union of graphs."""
    by_graph: dict[str, list[str]] = defaultdict(list)
    for q in ox.parse(store.dump_nquads(), format=ox.RdfFormat.N_QUADS):
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph[name].append(f"{q.subject} {q.predicate} {q.object} .\n")
    results: list[Violation] = []
    for i, (name, lines) in enumerate(sorted(by_graph.items()), 1):
        results += _validate("".join(lines).encode("utf-8"), name, None)
        if on_progress:
            on_progress(i, len(by_graph))
    return ValidationReport(graphs=len(by_graph), results=tuple(results + _check_across_articles(store)))


def _check_across_articles(store: Store) -> list[Violation]:
    # one query per check over the union of graphs, $this left unbound: it binds every focus node
    out = []
    for check in _sparql_checks():
        if not check.across_articles:
            continue
        for rec in store.query(check.query).records():
            out.append(Violation(focus=rec["this"].value, message=_format(check.message, dict(rec)),
                                 severity=check.severity, value=rec["value"].value if "value" in rec else ""))
    return out
