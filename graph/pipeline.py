"""The whole path for one batch: sources -> articles -> extractions -> resolved graphs -> store.

This is the facade the CLI and the server call; the stages themselves live in their own
modules and never import this one.
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from .config import Settings
from .entity_cache import invalidate, load_index, load_link_index, save_index
from .errors import ReformKGError, SourceError
from .extract import extract_article, extract_articles
from .ingest import ingest_path, read_article
from .link import link_extraction
from .model import Article, Extraction, Link, ResolvedArticle
from .resolve import EntityIndex, resolve_extraction
from .resolve.candidates import word_index
from .store import Store, open_store
from .writer import ArticleWriter


@dataclass
class IngestReport:
    """What one ingest run did: articles stored, and the failures (source, message, exit code)."""

    stored: list[str] = field(default_factory=list)
    failures: list[ReformKGError] = field(default_factory=list)
    triples: int = 0
    store_seconds: float = 0.0  # extracting, resolving, checking and writing every article
    link_seconds: float = 0.0  # then linking each stored article against the whole batch


def _articles(paths: Iterable[Path | str], failures: list[ReformKGError]) -> Iterator[Article]:
    for path in paths:
        for item in ingest_path(path):
            if isinstance(item, SourceError):
                failures.append(item)
            else:
                yield item


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
        index = load_index(store)
        invalidate(store)
        unstored = False  # an article resolved but not stored: its nodes are in the index only
        source_failures: list[ReformKGError] = []
        with tempfile.TemporaryFile(prefix="reformkg-ingest-") as spill:

            def stored(resolved: ResolvedArticle, n: int, err: ReformKGError | None) -> None:
                nonlocal unstored
                if err is not None:
                    unstored = True
                    failed(err)
                    return
                pickle.dump(resolved, spill, protocol=pickle.HIGHEST_PROTOCOL)
                report.stored.append(resolved.extraction.article.id)
                report.triples += n
                if on_article:
                    on_article(resolved.extraction.article, n)

            started = time.perf_counter()
            with ArticleWriter(store, settings.base_iri, stored, workers=_workers(settings)) as writer:
                for extraction in extract_articles(_articles(paths, source_failures), n_process=settings.n_process):
                    while source_failures:
                        failed(source_failures.pop(0))
                    try:
                        resolved = resolve_extraction(extraction, index, settings.base_iri)
                    except ReformKGError as err:
                        unstored = True
                        failed(err)
                        continue
                    writer.put(resolved)
            for err in source_failures:
                failed(err)
            spill.seek(0)
            report.store_seconds = time.perf_counter() - started
            report.triples += _relink(store, _spilled(spill), index, settings, failed)
            report.link_seconds = time.perf_counter() - started - report.store_seconds
        if not unstored:  # a failed article's nodes are in the index but not in the store
            save_index(store, index)
    finally:
        store.close()
    return report


def _workers(settings: Settings) -> int:
    """Worker processes checking graphs: as many as extract, when extraction runs in parallel."""
    return settings.n_process if settings.n_process > 1 else 0


def _spilled(spill: IO[bytes]) -> Iterator[ResolvedArticle]:
    while True:
        try:
            yield pickle.load(spill)
        except EOFError:
            return


def _relink(store: Store, stored: Iterable[ResolvedArticle], index: EntityIndex,
            settings: Settings, failed: Callable[[ReformKGError], None]) -> int:
    """Add to each stored article its links against the whole batch; give the triples added.

    Links are computed once the batch is stored, against the final index: the same folder ingested
    twice, or in another order, records the same links. (Linking each article as it is stored
    would rebuild the linker's word index after every article, a cost that grows with the graph.)
    The batch waits on disk (``stored``), not in memory, so ingest streams; a rewrite checks only
    the links against the shapes, the rest was checked when the article was first stored.
    """
    added = 0

    def linked(resolved: ResolvedArticle, n: int, err: ReformKGError | None) -> None:
        nonlocal added
        if err is not None:  # the article stays stored, without its links
            failed(err)
        else:
            added += n

    postings = word_index(index)  # the index does not change during the pass: its word index is built once
    with ArticleWriter(store, settings.base_iri, linked, workers=_workers(settings)) as writer:
        for resolved in stored:
            links = link_extraction(resolved.extraction, index, postings=postings)
            if links:
                writer.put(replace(resolved, links=links), links_only=True)
    return added


def link_file(path: Path | str, settings: Settings) -> tuple[Link, ...]:
    """Give the programmes, funds and new bodies of the store that one article file refers to, best first."""
    extraction = extract_article(read_article(Path(path)))
    store = open_store(settings.store, read_only=True)
    try:
        index = load_link_index(store, extraction)
    finally:
        store.close()
    return link_extraction(extraction, index)


def extract_file(path: Path | str) -> Extraction:
    """Give one article file's extraction, without storing anything."""
    return extract_article(read_article(Path(path)))
