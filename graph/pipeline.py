"""The whole path for one batch: sources -> articles -> extractions -> resolved graphs -> store.

This is the facade the CLI and the server call; the stages themselves live in their own
modules and never import this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Settings
from .errors import ReformKGError, SourceError
from .extract import extract_article, extract_articles
from .ingest import ingest_path, read_article
from .link import link_extraction, load_entity_index
from .model import Article, Extraction, Link, ResolvedArticle
from .rdfgraph import build_article_graph, graph_iri, to_ntriples
from .resolve import resolve_extraction
from .store import Store, open_store
from .validate import check_article_graph


@dataclass
class IngestReport:
    """What one ingest run did: articles stored, and the failures (source, message, exit code)."""

    stored: list[str] = field(default_factory=list)
    failures: list[ReformKGError] = field(default_factory=list)
    triples: int = 0


def _articles(paths: Iterable[Path | str], failures: list[ReformKGError]) -> Iterator[Article]:
    for path in paths:
        for item in ingest_path(path):
            if isinstance(item, SourceError):
                failures.append(item)
            else:
                yield item


def store_resolved(store: Store, resolved: ResolvedArticle, settings: Settings) -> int:
    """Write one resolved article as its own named graph (atomically); give the triple count.

    The graph is checked against the SHACL shapes first: one that fails raises ValidationError
    and nothing of that article is written.
    """
    g = build_article_graph(resolved, settings.base_iri)
    article = resolved.extraction.article
    check_article_graph(g, article.source or article.id)
    store.replace_graph(str(graph_iri(settings.base_iri, resolved.extraction.article.id)), to_ntriples(g))
    return len(g)


def ingest_sources(
    paths: Iterable[Path | str],
    settings: Settings,
    *,
    on_article: Callable[[Article, int], None] | None = None,
    on_error: Callable[[ReformKGError], None] | None = None,
) -> IngestReport:
    """Give the report of ingesting every article under ``paths`` into the configured store."""
    report = IngestReport()

    def failed(err: ReformKGError) -> None:
        # the report outlives this call: a kept traceback would keep this frame, and so the open
        # store, alive (a later read-only open in the same process then saw a half-compacted store)
        report.failures.append(err.with_traceback(None))
        if on_error:
            on_error(err)

    store = open_store(settings.store)
    try:
        index = load_entity_index(store)
        batch: list[tuple[ResolvedArticle, int]] = []
        source_failures: list[ReformKGError] = []
        articles = _articles(paths, source_failures)
        for extraction in extract_articles(articles, n_process=settings.n_process):
            while source_failures:
                failed(source_failures.pop(0))
            try:
                resolved = resolve_extraction(extraction, index, settings.base_iri)
                n = store_resolved(store, resolved, settings)
            except ReformKGError as err:
                failed(err)
                continue
            batch.append((resolved, n))
            report.stored.append(extraction.article.id)
            report.triples += n
            if on_article:
                on_article(extraction.article, n)
        for err in source_failures:
            failed(err)
        # Links last, against the whole batch's nodes: the same folder ingested twice, or one article
        # again, then records the same links whatever the order. Each rewrite is atomic.
        for resolved, n in batch:
            links = link_extraction(resolved.extraction, index)
            if links:
                try:
                    report.triples += store_resolved(store, replace(resolved, links=links), settings) - n
                except ReformKGError as err:  # the article stays stored, without its links
                    failed(err)
    finally:
        store.close()
    return report


def link_file(path: Path | str, settings: Settings) -> tuple[Link, ...]:
    """Give the programmes and funds of the store that one article file refers to, best first."""
    extraction = extract_article(read_article(Path(path)))
    store = open_store(settings.store, read_only=True)
    try:
        index = load_entity_index(store)
    finally:
        store.close()
    return link_extraction(extraction, index)


def extract_file(path: Path | str) -> Extraction:
    """Give one article file's extraction, without storing anything."""
    return extract_article(read_article(Path(path)))
