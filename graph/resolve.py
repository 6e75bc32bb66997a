"""Extractions -> resolved entities with stable IRIs: one node per real thing across articles.

Input: an ``Extraction`` and an ``EntityIndex`` of what the graph already holds.
Output: a ``ResolvedArticle`` whose entities carry IRIs (existing ones where they match).

Resolution is incremental: a new article is matched against the index and the index grows;
nothing already resolved is revisited.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from .model import Entity, Extraction, ResolvedArticle, ResolvedEntity

_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "cllr",
           "councillor", "professor", "prof", "rt", "hon", "the"}


def normalise_name(text: str) -> str:
    """Give a name's comparison key: lower case, no accents, punctuation or leading titles."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(\d),(?=\d{3})", r"\1", text)
    text = re.sub(r"['’`]s\b", "", text)
    words = re.sub(r"[^a-z0-9£ ]+", " ", text).split()
    while words and words[0] in _TITLES:
        words = words[1:]
    return " ".join(words)


def slugify(text: str) -> str:
    """Give a short ASCII slug for an IRI path segment."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-")
    return slug[:60].strip("-") or "x"


def mint_iri(base: str, type_: str, key: str) -> str:
    """Give the IRI for an entity of a type with a stable key: the one place IRIs are minted."""
    digest = hashlib.sha1(f"{type_}|{normalise_name(key)}".encode()).hexdigest()[:8]
    return f"{base}{type_.lower()}/{slugify(key)}-{digest}"


def _forms(entity: Entity) -> set[str]:
    return {f for f in (normalise_name(n) for n in (entity.name, *entity.aliases)) if f}


def _fund_key(entity: Entity) -> str:
    amount = f"{entity.amount_gbp:.0f}" if entity.amount_gbp else ""
    return f"{entity.name}|{amount}"


@dataclass
class KnownEntity:
    """A node already in the graph: its IRI, type, canonical name, other names and amount."""

    iri: str
    type: str
    label: str
    forms: set[str] = field(default_factory=set)
    amount_gbp: float | None = None


@dataclass
class EntityIndex:
    """What the graph already knows, indexed by (type, normalised name) for matching."""

    entities: dict[str, KnownEntity] = field(default_factory=dict)
    _by_form: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, known: KnownEntity) -> None:
        """Add or extend a node with more names."""
        current = self.entities.get(known.iri)
        if current is None:
            self.entities[known.iri] = current = known
        else:
            current.forms |= known.forms
        for form in known.forms | {normalise_name(known.label)}:
            self._by_form.setdefault((known.type, form), known.iri)

    def match(self, entity: Entity) -> KnownEntity | None:
        """Give the known node this entity is, or None."""
        for form in sorted(_forms(entity)):
            iri = self._by_form.get((entity.type, form))
            if iri is None:
                continue
            known = self.entities[iri]
            if entity.type == "Fund" and entity.amount_gbp and known.amount_gbp:
                if abs(entity.amount_gbp - known.amount_gbp) > 0.005 * known.amount_gbp:
                    continue  # same words, different money: a different fund
            return known
        return None


def resolve_extraction(extraction: Extraction, index: EntityIndex, base_iri: str) -> ResolvedArticle:
    """Give the article's entities resolved to graph nodes, growing the index with new ones."""
    resolved = []
    for entity in extraction.entities:
        known = index.match(entity)
        if known is None:
            key = _fund_key(entity) if entity.type == "Fund" else entity.name
            known = KnownEntity(
                iri=mint_iri(base_iri, entity.type, key),
                type=entity.type,
                label=entity.name,
                forms=_forms(entity),
                amount_gbp=entity.amount_gbp,
            )
        index.add(KnownEntity(known.iri, known.type, known.label, _forms(entity), known.amount_gbp))
        resolved.append(ResolvedEntity(entity=entity, iri=known.iri, label=known.label))
    return ResolvedArticle(extraction=extraction, entities=tuple(resolved))
