"""SHACL Core shapes -> SPARQL queries that find every violation, for Oxigraph to run.

Input: a shapes graph and the ontology's class hierarchy (rdflib ``Graph``s). Output: a ``CoreQuery``
whose ``texts`` select ``?this ?value ?check`` rows, one per SHACL result, with ``checks[?check]``
giving the result's path, message and severity.

pyshacl evaluates the Core shapes node by node in Python, about 30 ms for one article's graph; the
same shapes compiled to SPARQL run in Oxigraph in a few milliseconds. pyshacl stays the reference
(``validate_graph(..., engine="pyshacl")``) and the tests hold the two to the same results on broken
graphs. The compiler covers the Core components our shapes use, with SHACL's semantics:

* targets: ``sh:targetClass`` (instances of subclasses too), ``sh:targetNode``,
  ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
* paths: an IRI, ``sh:inversePath``, ``sh:alternativePath``, sequences, ``sh:zeroOrMorePath``,
  ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
* constraints: ``sh:class``, ``sh:datatype`` (ill-formed literals fail, checked by an XSD cast, so
  ``"1e5"^^xsd:decimal`` fails here as XSD says, where pyshacl's Python ``Decimal`` accepts it),
  ``sh:nodeKind``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern``, ``sh:in``, ``sh:hasValue``,
  the four range components, ``sh:minCount``, ``sh:maxCount`` (up to 3), ``sh:node``, ``sh:not``,
  ``sh:and``, ``sh:or``, nested ``sh:property``.

Anything else raises ``UnsupportedShape``: a new component in the shapes file must be compiled
(or checked by pyshacl), never silently skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

#: XSD datatypes whose lexical form SPARQL can test by casting: a failed cast is an ill-formed literal
_CASTABLE = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.date, XSD.dateTime,
             XSD.time}
_NODE_KIND = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
_RANGE = {SH.minExclusive: ">", SH.minInclusive: ">=", SH.maxExclusive: "<", SH.maxInclusive: "<="}
#: what a shape may say besides its constraints: none of these changes which nodes conform
_DESCRIPTIVE = {RDF.type, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group,
                RDFS.label, RDFS.comment, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                SH.targetObjectsOf, SH.deactivated, SH.path, SH.property, SH.sparql, SH.declare,
                SH.prefixes}
_VALUE_KEYS = {SH["class"], SH.datatype, SH.nodeKind, SH.minLength, SH.maxLength, SH.pattern, SH.flags,
               SH["in"], SH.node, SH["not"], SH["and"], SH["or"], *_RANGE}
_COUNT_KEYS = {SH.minCount, SH.maxCount, SH.hasValue}
MAX_COUNT = 3  # cardinality is compiled to distinct-value joins: fine for small bounds only


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """What a result row of the compiled query stands for."""

    shape: str
    path: str  # the property shape's path when it is one IRI, else ""
    message: str
    severity: str


@dataclass(frozen=True)
class CoreQuery:
    """The compiled shapes: SELECTs over ``?this ?value ?check`` (one per shape with targets: a
    single union of every branch ran nine times slower in Oxigraph, measured), and the checks
    their ``?check`` numbers."""

    texts: tuple[str, ...]
    checks: tuple[Check, ...]
    #: Per text, what the data must hold for its targets to select anything: ``"a <class>"`` (an
    #: instance of the class or a subclass) or ``"p <property>"`` (the property used); None when a
    #: target names its nodes (``sh:targetNode``), so the text always runs.
    needs: tuple[frozenset[str] | None, ...]

    def wanted(self, present: AbstractSet[str]) -> list[str]:
        """Give the texts whose targets can select a node of data that holds ``present``."""
        return [t for t, need in zip(self.texts, self.needs, strict=True)
                if need is None or not need.isdisjoint(present)]


class _Compiler:
    def __init__(self, shapes: Graph, ontology: Graph) -> None:
        self.g, self.ontology = shapes, ontology
        self._fresh = itertools.count()

    def var(self, stem: str) -> str:
        return f"?_{stem}{next(self._fresh)}"

    def subclasses(self, cls: Node) -> str:
        found = {cls, *self.ontology.transitive_subjects(RDFS.subClassOf, cls)}
        return " ".join(sorted(n.n3() for n in found))  # type: ignore[attr-defined]

    def list_of(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def path(self, node: Node) -> str:
        g = self.g
        if isinstance(node, URIRef):
            return node.n3()
        if (g.value(node, RDF.first)) is not None:
            return "(" + "/".join(self.path(p) for p in self.list_of(node)) + ")"
        for key, wrap in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                          (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
            inner = g.value(node, key)
            if inner is not None:
                return wrap.format(self.path(inner))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in self.list_of(alternatives)) + ")"
        raise UnsupportedShape(f"sh:path {node!r} is not a SHACL path this compiler knows")

    def check_keys(self, shape: Node) -> None:
        for p in set(self.g.predicates(shape)):
            if p not in _DESCRIPTIVE | _VALUE_KEYS | _COUNT_KEYS:
                raise UnsupportedShape(f"shape {shape}: {p} is not compiled to SPARQL")
        if self.g.value(shape, SH.flags) is not None and self.g.value(shape, SH.pattern) is None:
            raise UnsupportedShape(f"shape {shape}: sh:flags without sh:pattern")

    # --- what fails: expressions true for a value that violates one constraint --------------

    def value_failures(self, shape: Node, v: str) -> list[str]:
        """Give one SPARQL expression per value-type constraint of ``shape``, true when value ``v`` fails it."""
        g, out = self.g, []
        for cls in g.objects(shape, SH["class"]):
            t = self.var("t")
            out.append(f"NOT EXISTS {{ {v} a {t} . VALUES {t} {{ {self.subclasses(cls)} }} }}")
        for dt in g.objects(shape, SH.datatype):
            ok = f"isLiteral({v}) && datatype({v}) = {dt.n3()}"
            if dt in _CASTABLE:
                ok += f" && COALESCE(isLiteral({dt.n3()}({v})), false)"
            out.append(f"!({ok})")
        for kind in g.objects(shape, SH.nodeKind):
            if kind not in _NODE_KIND:
                raise UnsupportedShape(f"sh:nodeKind {kind}")
            out.append("!(" + _NODE_KIND[kind].format(v=v) + ")")
        for n in g.objects(shape, SH.minLength):
            out.append(f"COALESCE(isBlank({v}) || STRLEN(STR({v})) < {int(n)}, true)")
        for n in g.objects(shape, SH.maxLength):
            out.append(f"COALESCE(isBlank({v}) || STRLEN(STR({v})) > {int(n)}, true)")
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            args = Literal(str(pattern)).n3() + (", " + Literal(str(flags)).n3() if flags is not None else "")
            out.append(f"COALESCE(isBlank({v}) || !REGEX(STR({v}), {args}), true)")
        for key, op in _RANGE.items():
            for bound in g.objects(shape, key):
                out.append(f"!COALESCE({v} {op} {bound.n3()}, false)")
        for members in g.objects(shape, SH["in"]):
            allowed = " || ".join(f"sameTerm({v}, {m.n3()})" for m in self.list_of(members))
            out.append(f"!({allowed or 'false'})")
        for other in g.objects(shape, SH.node):
            out.append(f"!({self.conforms(other, v)})")
        for other in g.objects(shape, SH["not"]):
            out.append(self.conforms(other, v))
        for members in g.objects(shape, SH["and"]):
            out.append("!(" + " && ".join(self.conforms(s, v) for s in self.list_of(members)) + ")")
        for members in g.objects(shape, SH["or"]):
            out.append("!(" + " || ".join(self.conforms(s, v) for s in self.list_of(members)) + ")")
        return out

    def count_failures(self, shape: Node, focus: str, path: str) -> list[str]:
        """Give one group pattern per cardinality constraint of a property shape, with a solution when it fails."""
        g, out = self.g, []
        for n in g.objects(shape, SH.minCount):
            if int(n) > 0:
                out.append(f"FILTER NOT EXISTS {{ {self._distinct(focus, path, int(n))} }}")
        for n in g.objects(shape, SH.maxCount):
            out.append(self._distinct(focus, path, int(n) + 1))
        for value in g.objects(shape, SH.hasValue):
            out.append(f"FILTER NOT EXISTS {{ {focus} {path} {value.n3()} }}")
        return out

    def _distinct(self, focus: str, path: str, n: int) -> str:
        if n > MAX_COUNT + 1:
            raise UnsupportedShape(f"cardinality {n} is over the compiled bound of {MAX_COUNT}")
        names = [self.var("n") for _ in range(n)]
        pattern = " ".join(f"{focus} {path} {x} ." for x in names)
        different = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2))
        return pattern + (f" FILTER({different})" if different else "")

    def failures(self, shape: Node, focus: str) -> list[str]:
        """Give group patterns, one per constraint of ``shape`` (and of its property shapes), each
        with a solution when ``focus`` fails that constraint."""
        self.check_keys(shape)
        if self.g.value(shape, SH.deactivated) == Literal(True):
            return []
        path_node = self.g.value(shape, SH.path)
        if path_node is None:
            out = [f"FILTER({e})" for e in self.value_failures(shape, focus)]
        else:
            path, value = self.path(path_node), self.var("v")
            out = [f"{focus} {path} {value} . FILTER({e})" for e in self.value_failures(shape, value)]
            out += self.count_failures(shape, focus, path)
        for prop in self.g.objects(shape, SH.property):
            out += self.failures(prop, focus)
        return out

    def conforms(self, shape: Node, focus: str) -> str:
        """Give an expression true when ``focus`` conforms to ``shape``."""
        parts = self.failures(shape, focus)
        return " && ".join(f"NOT EXISTS {{ {p} }}" for p in parts) if parts else "true"

    # --- the top-level query: one branch per constraint, numbered by ?check ------------------

    def targets(self, shape: Node) -> str:
        g, found = self.g, []
        classes = list(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g:
            classes.append(shape)  # an implicit class target
        for cls in classes:
            t = self.var("t")
            found.append(f"?this a {t} . VALUES {t} {{ {self.subclasses(cls)} }}")
        found += [f"VALUES ?this {{ {n.n3()} }}" for n in g.objects(shape, SH.targetNode)]
        found += [f"?this {p.n3()} [] ." for p in g.objects(shape, SH.targetSubjectsOf)]
        found += [f"[] {p.n3()} ?this ." for p in g.objects(shape, SH.targetObjectsOf)]
        if not found:
            return ""
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {t} }}" for t in found) + " } }"

    def needs(self, shape: Node) -> frozenset[str] | None:
        """What ``targets`` needs in the data to select a node (``CoreQuery.needs``)."""
        g = self.g
        if any(True for _ in g.objects(shape, SH.targetNode)):
            return None
        classes = list(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g:
            classes.append(shape)
        found = {f"a {c}" for cls in classes for c in (cls, *self.ontology.transitive_subjects(RDFS.subClassOf, cls))}
        found |= {f"p {p}" for key in (SH.targetSubjectsOf, SH.targetObjectsOf) for p in g.objects(shape, key)}
        return frozenset(found)

    def check(self, shape: Node) -> Check:
        g = self.g
        path = g.value(shape, SH.path)
        message = g.value(shape, SH.message)
        severity = g.value(shape, SH.severity)
        return Check(shape=str(shape), path=str(path) if isinstance(path, URIRef) else "",
                     message=str(message) if message is not None else f"fails {shape}",
                     severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation")

    def branches(self, shape: Node, target: str, checks: list[Check]) -> list[str]:
        """Give the query branches of ``shape`` for the focus nodes ``target`` selects as ``?this``."""
        self.check_keys(shape)
        if self.g.value(shape, SH.deactivated) == Literal(True):
            return []
        found: list[tuple[str, str]] = []  # (pattern, how ?value is bound)
        path_node = self.g.value(shape, SH.path)
        if path_node is None:
            found += [(f"FILTER({e})", "BIND(?this AS ?value)") for e in self.value_failures(shape, "?this")]
        else:
            path = self.path(path_node)
            found += [(f"?this {path} ?value . FILTER({e})", "") for e in self.value_failures(shape, "?value")]
            found += [(c, "") for c in self.count_failures(shape, "?this", path)]
        out = []
        for pattern, bind in found:
            out.append(f"{target} {pattern} {bind} BIND({len(checks)} AS ?check)")
            checks.append(self.check(shape))
        for prop in self.g.objects(shape, SH.property):
            if path_node is not None:
                raise UnsupportedShape(f"shape {shape}: sh:property on a property shape")
            out += self.branches(prop, target, checks)
        return out


def compile_shapes(shapes: Graph, ontology: Graph) -> CoreQuery:
    """Give the Core constraints of ``shapes`` as SPARQL queries (``sh:sparql`` constraints are not
    part of it: they are SPARQL already). ``ontology`` gives the subclasses of each class."""
    compiler = _Compiler(shapes, ontology)
    roots = {s for key in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
             for s in shapes.subjects(key)}
    roots |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if (s, RDF.type, SH.NodeShape) in shapes}
    checks: list[Check] = []
    texts, needs = [], []
    for shape in sorted(roots, key=str):
        branches = compiler.branches(shape, compiler.targets(shape), checks)
        if branches:
            body = " UNION ".join(f"{{ {b} }}" for b in branches)
            texts.append(f"SELECT DISTINCT ?this ?value ?check WHERE {{ {body} }}")
            needs.append(compiler.needs(shape))
    return CoreQuery(texts=tuple(texts), checks=tuple(checks), needs=tuple(needs))
