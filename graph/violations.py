"""SHACL results as ReformKG reports them: ``Violation`` (one result, readable in one line) and
``ValidationReport`` (the verdict on a whole store), with IRIs shortened for people.

Input: the strings of a SHACL result. Output: the records ``validate`` gives and the CLI prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import RDF
from rdflib.namespace import DCTERMS, PROV, SKOS

from .vocab import OA, ORG, RKG, SCHEMA

_PREFIXES = {str(ns): f"{name}:" for name, ns in (
    ("rkg", RKG), ("oa", OA), ("dcterms", DCTERMS), ("skos", SKOS), ("schema", SCHEMA), ("prov", PROV),
    ("org", ORG), ("rdf", RDF))}

_KIND = re.compile(r"/(?:article|source|mention|sentence|assertion|holding|link|graph|person|organisation|"
                   r"region|fund|programme|post)/")


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node at fault (and its name), the property, the value and why."""

    focus: str
    message: str
    severity: str = "Violation"  # or "Warning" / "Info"
    path: str = ""
    value: str = ""
    focus_name: str = ""  # e.g. 'Fund "£600m package"', for people reading the message
    graph: str = ""

    def describe(self) -> str:
        """Give the result as one readable line: what, where, why."""
        where = self.focus_name or short_iri(self.focus)
        if self.path:
            where += f" {short_iri(self.path)}"
        text = f"{where}: {self.message}"
        if self.value and self.value != self.focus and short_iri(self.value) not in self.message:
            text += f" (got {short_iri(self.value)[:80]})"
        return text

    def to_json(self) -> dict:
        """Give the JSON shape used by ``reformkg validate --format json``."""
        return {"severity": self.severity, "graph": self.graph, "focus": self.focus, "path": self.path,
                "value": self.value, "message": self.message, "text": self.describe()}


@dataclass(frozen=True)
class ValidationReport:
    """The verdict on a whole store: how many graphs were checked and every result."""

    graphs: int
    results: tuple[Violation, ...]

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Give the results of severity Violation (what ingest would reject)."""
        return tuple(v for v in self.results if v.severity == "Violation")

    @property
    def conforms(self) -> bool:
        """Give whether no graph has a violation (warnings allowed)."""
        return not self.violations

    def to_json(self) -> dict:
        """Give the JSON shape of ``reformkg validate --format json``."""
        return {"conforms": self.conforms, "graphs": self.graphs, "violations": len(self.violations),
                "warnings": len(self.results) - len(self.violations),
                "results": [v.to_json() for v in self.results]}


def short_iri(term: str) -> str:
    for ns, prefix in _PREFIXES.items():
        if term.startswith(ns):
            return prefix + term[len(ns):]
    # an instance IRI: from the kind segment minted after the base on, e.g. mention/<article>/3-9
    match = _KIND.search(term)
    return term[match.start() + 1:] if match else term
