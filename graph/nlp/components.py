"""spaCy components of the extraction pipeline, registered by name with ``@Language.component``.

Each component reads and writes plain data on the Doc (``doc._.reformkg_*``: lists of dicts of
strings and numbers), so Docs survive ``nlp.pipe(n_process=2)``, which serialises them.
"""

from __future__ import annotations

from dataclasses import asdict

from spacy.language import Language
from spacy.tokens import Doc

from .entities import cluster_mentions, merge_same_owner, resolve_anaphors, select_mentions
from .mentions import (
    Mention,
    gazetteer_mentions,
    government_mentions,
    named_programme_mentions,
    sentence_case_title_mentions,
    titled_person_mentions,
)
from .ner import acronym_mentions, ner_mentions, surname_mentions
from .phrases import (
    anaphor_mentions,
    council_style_mentions,
    describe_generic_programmes,
    money_mentions,
    programme_phrase_mentions,
    quoted_programme_mentions,
)
from .relations import find_relations
from .resources import tag_to_pos
from .roles import find_roles
from .sentences import text_of

for _name in ("reformkg_mentions", "reformkg_entities", "reformkg_relations"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.component("reformkg_tag_pos")
def tag_pos(doc: Doc) -> Doc:
    """Give the Doc with coarse POS set from fine tags: the stock attribute_ruler's one-tag rules, faster."""
    table = tag_to_pos()
    for tok in doc:
        pos = table.get(tok.tag_)
        if pos:
            tok.pos_ = pos
    return doc


@Language.component("reformkg_line_sentences")
def line_sentences(doc: Doc) -> Doc:
    """Give the Doc with a sentence starting after every line break (the parser keeps these)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_ or prev.is_space:
            tok.is_sent_start = True
    return doc


@Language.component("reformkg_mentions")
def find_mentions(doc: Doc) -> Doc:
    """Give the Doc with its typed mentions (``doc._.reformkg_mentions``), overlaps resolved."""
    found = (
        money_mentions(doc)
        + gazetteer_mentions(doc)
        + council_style_mentions(doc)
        + named_programme_mentions(doc)
        + government_mentions(doc)
        + titled_person_mentions(doc)
        + ner_mentions(doc)
        + acronym_mentions(doc)
        + programme_phrase_mentions(doc)
        + quoted_programme_mentions(doc)
        + sentence_case_title_mentions(doc)
        + anaphor_mentions(doc)
    )
    selected = select_mentions(found)
    selected = sorted(selected + surname_mentions(doc, selected), key=lambda m: m.start)
    doc._.reformkg_mentions = [asdict(m) for m in selected]
    return doc


@Language.component("reformkg_entities")
def find_entities(doc: Doc) -> Doc:
    """Give the Doc with its entities (``doc._.reformkg_entities``): one per real thing, with roles."""
    mentions = [Mention(**m) for m in doc._.reformkg_mentions or []]
    clusters = cluster_mentions(mentions)
    resolve_anaphors(mentions, clusters)
    clusters = merge_same_owner(text_of(doc), clusters)
    describe_generic_programmes(doc, clusters)
    entities = []
    for i, c in enumerate(clusters, 1):
        entities.append(
            {
                "id": f"e{i}",
                "type": c.type,
                "name": c.name,
                "aliases": [s for s in c.surfaces() if s.lower() != c.name.lower()],
                "roles": [],
                "amount": c.amount,
                "mentions": sorted([m.start, m.end, m.text] for m in c.mentions),
            }
        )
    find_roles(doc, entities)
    doc._.reformkg_entities = entities
    return doc


@Language.component("reformkg_relations")
def find_relation_component(doc: Doc) -> Doc:
    """Give the Doc with its relations (``doc._.reformkg_relations``), each with its sentence offsets."""
    doc._.reformkg_relations = find_relations(doc, doc._.reformkg_entities or [])
    doc._.reformkg_mentions = None  # intermediate data: not needed past this point
    doc.user_data.pop("reformkg_text", None)
    doc.user_data.pop("reformkg_pronouns", None)
    return doc
