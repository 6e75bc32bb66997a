"""A store -> what the web pages show that ``explore`` does not: name search, article reading views.

Input: a ``Store``. Output: ``SearchIndex`` (fuzzy name lookup over entity labels), ``ArticleView``
(an article's text cut into segments, each a mention linked to its entity, inside the evidence
sentence asked for, or neither), the list of stored articles, and the ``Link``s of posted text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process, utils

from ..errors import QueryError
from ..model import Link
from ..store import Store
from ..vocab import CLASS_TYPES, ENTITY_CLASSES, OA, RKG

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_TYPES = " ".join(f"<{c}>" for c in ENTITY_CLASSES.values())
_TYPE_NAMES = {str(k): v for k, v in CLASS_TYPES.items()}
_LABELS = f"""SELECT DISTINCT ?e ?type ?label ?pref WHERE {{ VALUES ?type {{ {_TYPES} }} ?e a ?type .
  {{ ?e <{_SKOS}prefLabel> ?label BIND(true AS ?pref) }} UNION {{ ?e <{_SKOS}altLabel> ?label BIND(false AS ?pref) }} }}"""
_ARTICLES = f"""SELECT ?a (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) (SAMPLE(?p) AS ?publisher) WHERE {{
  ?a a <{RKG.Article}> . OPTIONAL {{ ?a <{_DCT}title> ?t }} OPTIONAL {{ ?a <{_DCT}date> ?d }}
  OPTIONAL {{ ?a <{_DCT}publisher> ?p }} }} GROUP BY ?a ORDER BY DESC(?date) ?a"""
_ARTICLE = f"""SELECT ?text ?title ?date ?publisher ?url WHERE {{ {{a}} a <{RKG.Article}> ; <{RKG.text}> ?text .
  OPTIONAL {{ {{a}} <{_DCT}title> ?title }} OPTIONAL {{ {{a}} <{_DCT}date> ?date }}
  OPTIONAL {{ {{a}} <{_DCT}publisher> ?publisher }} OPTIONAL {{ {{a}} <{_DCT}source> ?url }} }} LIMIT 1"""
_MENTIONS = f"""SELECT ?start ?end ?e ?label ?type WHERE {{ ?m a <{RKG.Mention}> ; <{OA.hasSource}> {{a}} ;
  <{RKG.mentionOf}> ?e ; <{OA.hasSelector}> ?sel . ?sel <{OA.start}> ?start ; <{OA.end}> ?end .
  OPTIONAL {{ ?e <{_SKOS}prefLabel> ?label }} OPTIONAL {{ VALUES ?type {{ {_TYPES} }} ?e a ?type }} }}"""
_SENTENCES = f"""SELECT ?start ?end ?exact WHERE {{ ?s a <{RKG.EvidenceSentence}> ; <{OA.hasSource}> {{a}} ;
  <{OA.hasSelector}> ?p, ?q . ?p <{OA.start}> ?start ; <{OA.end}> ?end . ?q <{OA.exact}> ?exact }}"""


def term_of(iri: str) -> str:
    """Give an IRI in the N-Triples form pyoxigraph writes (escaped), or QueryError if it is not one."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        raise QueryError(f"not an IRI: {iri!r}") from exc


@dataclass(frozen=True)
class Hit:
    """An entity whose name matches a search: IRI, preferred name, type, the name matched and score."""

    iri: str
    label: str
    type: str
    matched: str
    score: float

    def to_json(self) -> dict:
        """Give the hit as a JSON object."""
        return {"iri": self.iri, "label": self.label, "type": self.type, "matched": self.matched,
                "score": round(self.score, 1)}


class SearchIndex:
    """Every entity label and alias of a store, searched with rapidfuzz."""

    def __init__(self, store: Store) -> None:
        self._names: list[str] = []
        self._owners: list[str] = []
        self.labels: dict[str, str] = {}
        self.types: dict[str, str] = {}
        for rec in store.query(_LABELS).values():
            self._names.append(rec["label"])
            self._owners.append(rec["e"])
            self.types[rec["e"]] = _TYPE_NAMES.get(rec["type"], "Entity")
            if rec["pref"] == "true" or rec["e"] not in self.labels:
                self.labels[rec["e"]] = rec["label"]

    def search(self, text: str, limit: int = 10) -> list[Hit]:
        """Give the entities whose names best match the text, best first, one hit per entity."""
        if not text.strip():
            return []
        found = process.extract(text, self._names, scorer=fuzz.WRatio, processor=utils.default_process,
                                limit=limit * 4, score_cutoff=50)
        hits: dict[str, Hit] = {}
        for name, score, i in found:
            iri = self._owners[i]
            # an exact name beats a longer name that merely contains it (WRatio scores both 100)
            score = score + (1 if utils.default_process(name) == utils.default_process(text) else 0)
            if iri not in hits or score > hits[iri].score:
                hits[iri] = Hit(iri, self.labels[iri], self.types[iri], name, score)
        return sorted(hits.values(), key=lambda h: (-h.score, h.label))[:limit]


@dataclass(frozen=True)
class ArticleSummary:
    """A stored article in a listing: IRI, title, date and publisher."""

    iri: str
    title: str | None
    date: str | None
    publisher: str | None


def list_articles(store: Store) -> list[ArticleSummary]:
    """Give every stored article, newest first."""
    return [ArticleSummary(r["a"], r.get("title"), r.get("date"), r.get("publisher"))
            for r in store.query(_ARTICLES).values()]


@dataclass(frozen=True)
class Segment:
    """A stretch of article text: plain, or a mention of an entity; maybe inside the evidence sentence."""

    text: str
    start: int
    entity: str | None = None
    label: str | None = None
    type: str | None = None
    evidence: bool = False


@dataclass(frozen=True)
class ArticleView:
    """An article to read: metadata, text segments, and the evidence sentence highlighted (if any)."""

    iri: str
    title: str | None
    date: str | None
    publisher: str | None
    url: str | None
    text: str
    segments: tuple[Segment, ...]
    mentions: tuple[Segment, ...]
    evidence: tuple[int, int] | None

    def to_json(self) -> dict:
        """Give the article and its mentions as a JSON object."""
        return {"iri": self.iri, "title": self.title, "date": self.date, "publisher": self.publisher,
                "url": self.url, "text": self.text,
                "mentions": [{"start": m.start, "end": m.start + len(m.text), "text": m.text, "entity": m.entity,
                              "label": m.label, "type": m.type} for m in self.mentions],
                "evidence": None if self.evidence is None else {"start": self.evidence[0], "end": self.evidence[1]}}


def _find_evidence(store: Store, art: str, text: str, sentence: str) -> tuple[int, int] | None:
    for rec in store.query(_SENTENCES.replace("{a}", art)).values():
        start, end = int(rec["start"]), int(rec["end"])
        if rec["exact"] == sentence and text[start:end] == sentence:
            return start, end
    at = text.find(sentence) if sentence else -1
    return None if at < 0 else (at, at + len(sentence))


def article_view(store: Store, iri: str, evidence: str | None = None) -> ArticleView:
    """Give an article's reading view; ``evidence`` is a sentence of it to highlight."""
    art = term_of(iri)
    rows = store.query(_ARTICLE.replace("{a}", art)).values()
    if not rows:
        raise QueryError(f"no article {iri!r} in the store")
    meta, text = rows[0], rows[0]["text"]
    spans = []
    for rec in store.query(_MENTIONS.replace("{a}", art)).values():
        start, end = int(rec["start"]), int(rec["end"])
        if 0 <= start < end <= len(text):
            spans.append((start, end, rec["e"], rec.get("label"), _TYPE_NAMES.get(rec.get("type", ""))))
    spans.sort(key=lambda s: (s[0], -s[1]))
    mentions: list[tuple[int, int, str, str | None, str | None]] = []
    for span in spans:  # overlapping mentions: the earlier, then longer, one wins
        if not mentions or span[0] >= mentions[-1][1]:
            mentions.append(span)
    ev = _find_evidence(store, art, text, evidence) if evidence else None
    cuts = sorted({0, len(text), *(c for m in mentions for c in m[:2]), *(ev or ())})
    owner = {m[0]: m for m in mentions}
    segments, current = [], None
    for a, b in itertools.pairwise(cuts):
        current = owner.get(a, current if current and a < current[1] else None)
        inside = ev is not None and ev[0] <= a < ev[1]
        if current:
            segments.append(Segment(text[a:b], a, current[2], current[3], current[4], inside))
        else:
            segments.append(Segment(text[a:b], a, evidence=inside))
    return ArticleView(iri, meta.get("title"), meta.get("date"), meta.get("publisher"), meta.get("url"), text,
                       tuple(segments), tuple(Segment(text[s:e], s, iri_, lab, typ) for s, e, iri_, lab, typ in mentions),
                       ev)


def link_text(store: Store, text: str, title: str | None = None, url: str | None = None) -> tuple[Link, ...]:
    """Give the programmes, funds and new bodies of the store that a new article's text refers to, best first.

    The text is cleaned and extracted like an ingested article (the spaCy pipeline loads on first
    use, a few seconds), then linked against the store's entity index; nothing is stored.
    """
    from ..extract import extract_article
    from ..ingest import article_from_text
    from ..entity_cache import load_link_index
    from ..link import link_extraction

    extraction = extract_article(article_from_text(text, "posted text", title=title, url=url))
    return link_extraction(extraction, load_link_index(store, extraction))
