"""The ReformKG ontology namespace; terms are reached only through here, never as string literals.

``tests/test_ontology.py`` checks that every term below is declared in ``ontology/reformkg.ttl``;
standard vocabularies (Dublin Core, SKOS, PROV-O) come from ``rdflib.namespace``.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace, URIRef

from .model import ENTITY_TYPES, PREDICATES

ONTOLOGY_IRI = "https://w3id.org/reformkg/ontology#"

OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
SHAPES = Namespace("https://w3id.org/reformkg/shapes#")


class RKG(DefinedNamespace):
    """Terms of the ReformKG ontology (``ontology/reformkg.ttl``)."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI)

    # classes
    Person: URIRef
    Organisation: URIRef
    Region: URIRef
    Fund: URIRef
    Programme: URIRef
    Article: URIRef
    SourceRecord: URIRef
    Mention: URIRef
    EvidenceSentence: URIRef
    Assertion: URIRef
    Post: URIRef
    PostHolding: URIRef
    Link: URIRef
    # relations (the ten predicates of the annotation guideline)
    represents: URIRef
    member_of: URIRef
    announced: URIRef
    funds: URIRef
    allocated_to: URIRef
    part_of: URIRef
    builds_on: URIRef
    covers: URIRef
    leads: URIRef
    commented_on: URIRef
    # article, mention and provenance properties
    text: URIRef
    givenTitle: URIRef
    givenDate: URIRef
    mentions: URIRef
    mentionOf: URIRef
    evidence: URIRef
    post: URIRef
    asOf: URIRef
    roleLabel: URIRef
    linksTo: URIRef
    linkTarget: URIRef
    linkScore: URIRef
    gssCode: URIRef
    wikidata: URIRef
    localId: URIRef


# the closed sets of model.py, as ontology terms
ENTITY_CLASSES = {name: RKG[name] for name in ENTITY_TYPES}
PREDICATE_PROPERTIES = {name: RKG[name] for name in PREDICATES}
CLASS_TYPES = {v: k for k, v in ENTITY_CLASSES.items()}
