"""Extractions -> resolved entities with stable IRIs: one node per real thing across articles.

Input: an ``Extraction`` and an ``EntityIndex`` of what the graph already holds.
Output: a ``ResolvedArticle`` whose entities carry IRIs (existing ones where they match) and the
authoritative identifiers the shipped gazetteer knows (ONS GSS codes, Wikidata IDs).

Resolution is incremental: a new article is matched against the index and the index grows;
nothing already resolved is revisited. Matching is rule-first (the same specific name, an acronym
of a known name, a person's surname when only one known person has it, a fund's amount plus its
purpose) with ``rapidfuzz.fuzz.ratio`` as a high-threshold tie-breaker: subset-rewarding scorers
cannot tell "NHS" from "NHS England".
"""

from __future__ import annotations

import hashlib

from ..gazetteer import Gazetteer, GazetteerEntry, load_gazetteer
from ..model import Entity, Extraction, Identifier, ResolvedArticle, ResolvedEntity
from .cues import SET_UP, introduced_as_new
from .index import NAME_RATIO, EntityIndex
from .known import KnownEntity
from .names import normalise_name, slugify

__all__ = ["NAME_RATIO", "EntityIndex", "KnownEntity", "identifiers_for", "mint_iri", "normalise_name",
           "resolve_extraction", "slugify"]


def mint_iri(base: str, type_: str, key: str) -> str:
    """Give the IRI for an entity of a type with a stable key: the one place IRIs are minted."""
    digest = hashlib.sha1(f"{type_}|{normalise_name(key)}".encode()).hexdigest()[:8]
    return f"{base}{type_.lower()}/{slugify(key)}-{digest}"


def _gazetteer_entry(entity: Entity, gazetteer: Gazetteer | None) -> GazetteerEntry | None:
    """The gazetteer's entry for a place or body with a code: the current, largest area when names repeat."""
    if gazetteer is None or entity.type not in ("Region", "Organisation"):
        return None
    for name in (entity.name, *entity.aliases):
        entries = [e for e in gazetteer.lookup(name) if e.type == entity.type and (e.gss_code or e.wikidata)]
        if len({(e.gss_code, e.wikidata) for e in entries}) > 1:
            entries = [e for e in entries if e.current]  # lookup puts larger areas first
        if entries:
            return entries[0]
    return None


def identifiers_for(entity: Entity, gazetteer: Gazetteer | None) -> tuple[Identifier, ...]:
    """Give a place's or body's GSS code and Wikidata ID as the shipped gazetteer records them."""
    entry = _gazetteer_entry(entity, gazetteer)
    if entry is None:
        return ()
    found = [Identifier("gss", entry.gss_code)] if entry.gss_code else []
    return tuple(found + ([Identifier("wikidata", entry.wikidata)] if entry.wikidata else []))


def _context(extraction: Extraction, entity: Entity) -> str:
    """The text around a fund's mentions: where its purpose ("to repair potholes") is usually said."""
    text = extraction.article.text
    return " ".join(text[max(0, s.start - 160): s.end + 160] for s in entity.mentions[:4])


def _introduced_as_new(extraction: Extraction, entity: Entity) -> bool:
    """Give whether the article introduces a body as newly set up ("will set up a new X Board")."""
    text = extraction.article.text
    return any(introduced_as_new(text[max(0, s.start - 48): s.start]) for s in entity.mentions)


def _key(entity: Entity, identifiers: tuple[Identifier, ...], gazetteer: Gazetteer | None) -> str:
    """The IRI key: the gazetteer's name and code when there is one, so the IRI does not depend on wording."""
    entry = _gazetteer_entry(entity, gazetteer) if identifiers else None
    if entry is not None:
        return f"{entry.name} {identifiers[0].scheme} {identifiers[0].value}"
    if entity.type == "Fund" and entity.amount_gbp:
        return f"{entity.name}|{entity.amount_gbp:.0f}"
    return entity.name


def _order(entity: Entity) -> int:
    """Full names before bare surnames and acronyms, so "Mr Hunt" meets the article's own "Jeremy Hunt"."""
    return -max(len(normalise_name(n).split()) for n in (entity.name, *entity.aliases))


def _taken(index: EntityIndex, iri: str, article_id: str, minted: set[str]) -> bool:
    """An IRI is taken by another thing, unless only this article made it (in an earlier ingest of it)."""
    if iri in minted:
        return True
    known = index.entities.get(iri)
    return known is not None and not known.articles <= {article_id}


def resolve_extraction(
    extraction: Extraction, index: EntityIndex, base_iri: str, gazetteer: Gazetteer | None = None
) -> ResolvedArticle:
    """Give the article's entities resolved to graph nodes, growing the index with new ones."""
    if gazetteer is None:
        gazetteer = load_gazetteer()
    article_id = extraction.article.id
    resolved: dict[str, ResolvedEntity] = {}
    minted: set[str] = set()
    for entity in sorted(extraction.entities, key=_order):
        idents = identifiers_for(entity, gazetteer)
        context = _context(extraction, entity) if entity.type == "Fund" else ""
        known = index.match(entity, idents, context)
        if known is None:
            key = _key(entity, idents, gazetteer)
            iri = mint_iri(base_iri, entity.type, key)
            if _taken(index, iri, article_id, minted):  # same words, judged another thing: apart, stably
                iri = mint_iri(base_iri, entity.type, f"{key}|{article_id}")
                if _taken(index, iri, article_id, minted):
                    iri = mint_iri(base_iri, entity.type, f"{key}|{article_id}|{entity.id}")
            minted.add(iri)
            known = KnownEntity.from_entity(iri, entity, idents, context, label=entity.name)
        else:
            known = KnownEntity.from_entity(known.iri, entity, idents, context, label=known.label)
        known.articles.add(article_id)
        if entity.type == "Organisation" and _introduced_as_new(extraction, entity):
            known.context.add(SET_UP)  # a body this reform sets up: linkable like its programmes
        node = index.add(known)
        resolved[entity.id] = ResolvedEntity(entity=entity, iri=node.iri, label=node.label,
                                             identifiers=tuple(sorted(node.identifiers, key=lambda i: i.scheme)))
    return ResolvedArticle(extraction=extraction, entities=tuple(resolved[e.id] for e in extraction.entities))

