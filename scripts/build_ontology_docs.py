"""Write HTML documentation of the ReformKG ontology and its SHACL shapes (one self-contained page).

pyLODE 3.4.1 installs from PyPI but fails on import (its version module reads a pyproject.toml
that the wheel does not ship), so this is a small generator of its own with rdflib and jinja2.
It documents what the files say: each class and property with its label, comment, IRI, the
standard terms it specialises (linked), domains and ranges (``owl:unionOf`` read as "A or B"),
and each shape with its target and messages.

Usage: python scripts/build_ontology_docs.py [--out docs/ontology.html]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SH
from rdflib.term import Node

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "reformkg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2.5rem} .term{margin:1.2rem 0;padding:.6rem 1rem;background:#f7f7f7}
code{font-size:90%} dt{font-weight:600;float:left;width:9rem;clear:left} dd{margin-left:10rem}
pre{background:#f3f3f3;padding:.8rem;white-space:pre-wrap}
</style></head><body>
<h1>{{ title }}</h1>
<p>{{ description }}</p>
<p>IRI: <code>{{ iri }}</code> · namespace <code>{{ ns }}</code> · version {{ version }}</p>
<h2 id="design">Design notes</h2>
<pre>{{ notes }}</pre>
<nav><ul>{% for section, terms in sections %}<li><a href="#{{ section|lower|replace(' ', '-') }}">{{ section }}</a>:
{% for t in terms %}<a href="#{{ t.local }}">{{ t.local }}</a>{{ ", " if not loop.last }}{% endfor %}</li>{% endfor %}
<li><a href="#shapes">SHACL shapes</a></li></ul></nav>
{% for section, terms in sections %}<h2 id="{{ section|lower|replace(' ', '-') }}">{{ section }}</h2>
{% for t in terms %}<div class="term" id="{{ t.local }}"><h3>{{ t.label }} <small><code>rkg:{{ t.local }}</code></small></h3>
<p>{{ t.comment }}</p><dl>
{% for name, values in t.facts if values %}<dt>{{ name }}</dt><dd>{% for v in values %}{{ v|safe }}{{ ", " if not loop.last }}{% endfor %}</dd>{% endfor %}
</dl></div>{% endfor %}{% endfor %}
<h2 id="shapes">SHACL shapes</h2>
{% for s in shapes %}<div class="term" id="shape-{{ s.local }}"><h3>{{ s.local }}</h3><dl>
<dt>targets</dt><dd>{{ s.targets|join(", ")|safe }}</dd>
<dt>severity</dt><dd>{{ s.severity }}</dd>
<dt>messages</dt><dd>{% for m in s.messages %}{{ m }}<br>{% endfor %}</dd></dl></div>{% endfor %}
</body></html>
"""


@dataclass
class Term:
    """One documented term: its local name, label, comment and facts (name, HTML links)."""

    local: str
    label: str
    comment: str
    facts: list[tuple[str, list[str]]] = field(default_factory=list)


def _link(g: Graph, node: Node, ns: str) -> str:
    from html import escape

    if (node, OWL.unionOf, None) in g:
        return " or ".join(_link(g, m, ns) for m in Collection(g, g.value(node, OWL.unionOf)))
    text = str(node)
    if text.startswith(ns):
        local = text[len(ns):]
        return f'<a href="#{escape(local)}"><code>rkg:{escape(local)}</code></a>'
    short = g.namespace_manager.normalizeUri(URIRef(text)) if isinstance(node, URIRef) else text
    return f'<a href="{escape(text)}"><code>{escape(short)}</code></a>'


def _terms(g: Graph, kind: URIRef, ns: str) -> list[Term]:
    out = []
    for s in sorted(set(g.subjects(RDF.type, kind)), key=str):
        if not str(s).startswith(ns):
            continue
        t = Term(str(s)[len(ns):], str(g.value(s, RDFS.label) or ""), str(g.value(s, RDFS.comment) or ""))
        links = lambda p: [_link(g, o, ns) for o in sorted(g.objects(s, p), key=str)]  # noqa: E731
        t.facts = [("subclass of", links(RDFS.subClassOf)), ("subproperty of", links(RDFS.subPropertyOf)),
                   ("domain", links(RDFS.domain)), ("range", links(RDFS.range)), ("see also", links(RDFS.seeAlso)),
                   ("subclasses", [_link(g, c, ns) for c in sorted(g.subjects(RDFS.subClassOf, s), key=str)]),
                   ("used as domain of", [_link(g, p, ns) for p in sorted(g.subjects(RDFS.domain, s), key=str)])]
        out.append(t)
    return out


def _shapes(shapes: Graph, g: Graph, ns: str) -> list[dict]:
    out = []
    for s in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = [_link(g, o, ns) for p in (SH.targetClass, SH.targetSubjectsOf) for o in shapes.objects(s, p)]
        messages = {str(m) for m in shapes.objects(s, SH.message)}
        for child in list(shapes.objects(s, SH.property)) + list(shapes.objects(s, SH.sparql)):
            messages |= {str(m) for m in shapes.objects(child, SH.message)}
        severity = shapes.value(s, SH.severity)
        scope = " (across articles: run by reformkg validate over the whole store)" if (
            s, SH.deactivated, None) in shapes else ""
        out.append({"local": str(s).rsplit("#", 1)[-1], "targets": targets, "messages": sorted(messages),
                    "severity": (str(severity).rsplit("#", 1)[-1] if severity else "Violation") + scope})
    return out


def render_docs(ontology_path: Path = ONTOLOGY, shapes_path: Path = SHAPES) -> str:
    """Give the HTML page documenting the ontology and the shapes."""
    g = Graph().parse(ontology_path, format="turtle")
    shapes = Graph().parse(shapes_path, format="turtle")
    iri = next(g.subjects(RDF.type, OWL.Ontology))
    ns = str(iri) + "#"
    text = ontology_path.read_text(encoding="utf-8").splitlines()
    notes = "\n".join(line[2:] for line in text if line.startswith("#"))
    sections = [("Classes", _terms(g, OWL.Class, ns)), ("Object properties", _terms(g, OWL.ObjectProperty, ns)),
                ("Datatype properties", _terms(g, OWL.DatatypeProperty, ns))]
    return Environment(autoescape=True).from_string(TEMPLATE).render(
        title=str(g.value(iri, DCTERMS.title)), description=str(g.value(iri, DCTERMS.description)),
        iri=str(iri), ns=ns, version=str(g.value(iri, OWL.versionInfo)), notes=notes,
        sections=sections, shapes=_shapes(shapes, g, ns))


def main(argv: list[str] | None = None) -> int:
    """Write the documentation page; give the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "ontology.html")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_docs(), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
