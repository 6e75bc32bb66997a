"""Resolved articles -> checked N-Triples -> the store, one atomic rewrite per article, in order.

Input: ``ResolvedArticle`` records. Output: each article's named graph replaced in the store, or a
``ReformKGError`` for an article whose graph fails the SHACL shapes (nothing of it is written).

Building a graph, checking it and serialising it run in worker processes (with ``workers``) while
the caller resolves the next articles; the writes stay in this process (one writer per store) and
in the order the articles were given, ``BATCH`` articles at a time (one bulk load on the embedded
store, one update request on a server).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType

from rdflib import URIRef

from .errors import ReformKGError
from .model import ResolvedArticle
from .rdfgraph import build_article_graph, build_link_graph, graph_iri, links_not_stored, to_ntriples
from .store import GraphWrite, Store
from .validate import check_article_graph, load_ontology, load_shapes
from .vocab import RKG

#: Articles in flight per worker: enough to keep workers busy, few enough to keep memory flat.
WINDOW = 4
#: Most articles written at once. Each is still written whole or not at all; a batch shortens the
#: time per article (a bulk load's fixed cost is shared) and a failure or a kill loses at most one
#: batch. Batches start at one article and double, so the first articles show in the store at once.
BATCH = 64
#: Longest an article waits for its batch (seconds): a slow source still shows in the store soon.
MAX_WAIT = 0.5

Done = Callable[[ResolvedArticle, int, ReformKGError | None], None]


def article_ntriples(resolved: ResolvedArticle, base_iri: str, *, links_only: bool = False) -> tuple[str, int]:
    """Give one article's graph as checked N-Triples, and its triple count.

    ``links_only`` gives (and checks) just the article's links: what a relink adds to a graph whose
    every other triple was checked when it was first stored.
    """
    article = resolved.extraction.article
    if not links_only:
        g = build_article_graph(resolved, base_iri)
        text = to_ntriples(g)
        check_article_graph(g, article.source or article.id, ntriples=text.encode("utf-8"))
        return text, len(g)
    g = build_link_graph(resolved, base_iri)
    # only the links and their sentences are checked: the rest was checked when first stored
    links = set(g.subjects(predicate=RKG.linkTarget))
    focus = links | {o for s in links for o in g.objects(s, RKG.evidence) if isinstance(o, URIRef)}
    check_article_graph(g, article.source or article.id, focus=focus)
    added = links_not_stored(g, resolved, base_iri)
    return to_ntriples(added), len(added)


def store_resolved(store: Store, resolved: ResolvedArticle, base_iri: str) -> int:
    """Write one resolved article as its own named graph (atomically) once it passes; give the triple count."""
    text, n = article_ntriples(resolved, base_iri)
    store.replace_graph(str(graph_iri(base_iri, resolved.extraction.article.id)), text)
    return n


def _warm() -> None:  # a worker parses the ontology and the shapes once, not per article
    load_ontology()
    load_shapes()


class ArticleWriter:
    """Write resolved articles to a store in the order given, checking them in ``workers`` processes.

    ``done(resolved, triples, error)`` is called once per article, in order, after its write (or
    its failure). With ``workers=0`` everything runs here, one article at a time.
    """

    def __init__(self, store: Store, base_iri: str, done: Done, *, workers: int = 0) -> None:
        self.store, self.base_iri, self.done = store, base_iri, done
        self._pool = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=_warm) if workers > 0 else None)
        self._window = max(1, workers * WINDOW)
        self._pending: deque[tuple[ResolvedArticle, bool, Future[tuple[str, int]]]] = deque()
        # checked articles waiting for the batch write: the article, its triple count, its write
        # (None when it failed its check, reported in its place in the order)
        self._batch: list[tuple[ResolvedArticle, int, GraphWrite | None, ReformKGError | None]] = []
        self._batch_started = 0.0
        self._batch_limit = 1

    def put(self, resolved: ResolvedArticle, *, links_only: bool = False) -> None:
        """Queue one article (with ``links_only``, its links to add to its stored graph); write those
        ahead of it that are ready, waiting when too many are queued."""
        if self._pool is None:
            self._settle(resolved, links_only,
                         lambda: article_ntriples(resolved, self.base_iri, links_only=links_only))
            return
        self._pending.append((resolved, links_only, self._pool.submit(article_ntriples, resolved, self.base_iri,
                                                                      links_only=links_only)))
        while self._pending and (self._pending[0][2].done() or len(self._pending) > self._window):
            self._settle(*self._next())

    def flush(self) -> None:
        """Write every queued article."""
        while self._pending:
            self._settle(*self._next())
        self._write_batch()

    def _next(self) -> tuple[ResolvedArticle, bool, Callable[[], tuple[str, int]]]:
        resolved, links_only, future = self._pending.popleft()
        return resolved, links_only, future.result

    def _settle(self, resolved: ResolvedArticle, links_only: bool, checked: Callable[[], tuple[str, int]]) -> None:
        try:
            text, n = checked()
        except ReformKGError as err:
            self._batch.append((resolved, 0, None, err))
        else:
            graph = str(graph_iri(self.base_iri, resolved.extraction.article.id))
            self._batch.append((resolved, n, GraphWrite(graph, text, replace=not links_only), None))
        if len(self._batch) == 1:
            self._batch_started = time.monotonic()
        if len(self._batch) >= self._batch_limit or time.monotonic() - self._batch_started >= MAX_WAIT:
            self._write_batch()
            self._batch_limit = min(BATCH, 2 * self._batch_limit)

    def _write_batch(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        failed: ReformKGError | None = None
        try:
            self.store.write_graphs([w for _, _, w, _ in batch if w is not None])
            self.store.flush()  # Oxigraph holds unflushed transactions in memory
        except ReformKGError as err:  # each article of the batch is reported failed: its bulk load added
            failed = err  # nothing (a replacement written by transaction before the error stays written)
        for resolved, n, _, err in batch:
            if err is None and failed is not None:
                self.done(resolved, 0, failed)
            else:
                self.done(resolved, n if err is None else 0, err)

    def close(self) -> None:
        """Write what is queued, then stop the workers."""
        try:
            self.flush()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> ArticleWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        elif self._pool is not None:  # an error or a kill: what is queued is not written
            self._pool.shutdown(wait=False, cancel_futures=True)
