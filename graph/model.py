"""Frozen dataclasses that cross stage boundaries: ingest -> extract -> resolve -> store.

Offsets (``start``/``end``) always index ``Article.text`` (the cleaned plain text), never raw HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

EntityType = Literal["Person", "Organisation", "Region", "Fund", "Programme"]
Predicate = Literal[
    "represents",
    "member_of",
    "announced",
    "funds",
    "allocated_to",
    "part_of",
    "builds_on",
    "covers",
    "leads",
    "commented_on",
]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
PREDICATES: tuple[str, ...] = get_args(Predicate)


@dataclass(frozen=True)
class Article:
    """One article's cleaned plain text and metadata, as ingested from a file or manifest record."""

    id: str
    text: str
    source: str = ""
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    publisher: str | None = None
    notes: tuple[str, ...] = ()  # e.g. "decoded as cp1252"


@dataclass(frozen=True)
class Span:
    """A stretch of ``Article.text``: a mention of an entity."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    """The sentence a relation comes from; ``text[start:end] == sentence``."""

    article_id: str
    sentence: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """An entity as one article names it, with its aliases, roles, amount and mentions."""

    id: str
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    amount_gbp: float | None = None
    mentions: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Relation:
    """A typed, directed relation between two entities of one article, with its evidence."""

    subject: str
    predicate: Predicate
    object: str
    evidence: Evidence


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one article."""

    article: Article
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()

    def to_json(self) -> dict:
        """Give the public JSON shape read by ``score.py`` (a contract with a test of its own)."""
        return {
            "article": {
                "id": self.article.id,
                "source": self.article.source,
                "title": self.article.title,
                "url": self.article.url,
                "published": self.article.published,
                "publisher": self.article.publisher,
            },
            "entities": [
                {
                    "id": e.id,
                    "type": e.type,
                    "name": e.name,
                    "aliases": list(e.aliases),
                    "amount_gbp": e.amount_gbp,
                    "roles": list(e.roles),
                }
                for e in self.entities
            ],
            "relations": [
                {
                    "subject": r.subject,
                    "predicate": r.predicate,
                    "object": r.object,
                    "evidence": r.evidence.sentence,
                    "start": r.evidence.start,
                    "end": r.evidence.end,
                }
                for r in self.relations
            ],
        }


@dataclass(frozen=True)
class Identifier:
    """An authoritative identifier of an entity: scheme (``gss``, ``wikidata``...) and value."""

    scheme: str
    value: str


@dataclass(frozen=True)
class ResolvedEntity:
    """An extracted entity with the IRI of the graph node it resolved to."""

    entity: Entity
    iri: str
    label: str = ""  # the node's canonical name in the graph (may differ from this article's)
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True)
class Link:
    """A programme or fund already in the graph that an article refers to."""

    iri: str
    name: str
    type: EntityType
    score: float
    evidence: Evidence | None = None
    aliases: tuple[str, ...] = ()
    amount_gbp: float | None = None

    def to_json(self) -> dict:
        """Give the JSON shape of ``reformkg link --format json``."""
        return {
            "iri": self.iri,
            "name": self.name,
            "aliases": list(self.aliases),
            "type": self.type,
            "amount_gbp": self.amount_gbp,
            "score": round(self.score, 4),
            "evidence": self.evidence.sentence if self.evidence else None,
        }


@dataclass(frozen=True)
class ResolvedArticle:
    """One article's extraction with every entity resolved to a graph IRI, ready to store."""

    extraction: Extraction
    entities: tuple[ResolvedEntity, ...]
    links: tuple[Link, ...] = field(default=())

    def iri_of(self, entity_id: str) -> str:
        """Give the IRI that the article-local entity id resolved to."""
        for r in self.entities:
            if r.entity.id == entity_id:
                return r.iri
        raise KeyError(entity_id)
