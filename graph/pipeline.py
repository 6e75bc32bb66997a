"""The whole path for one batch: sources -> articles -> extractions -> resolved graphs -> store.

This is the facade the CLI and the server call; the stages themselves live in their own
modules and never import this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .errors import ReformKGError, SourceError
from .extract import extract_article, extract_articles
from .ingest import ingest_path, read_article
from .model import Article, Extraction, ResolvedArticle
from .rdfgraph import build_article_graph, graph_iri, to_ntriples
from .resolve import EntityIndex, KnownEntity, normalise_name, resolve_extraction
from .store import Store, open_store
from .validate import check_article_graph
from .vocab import CLASS_TYPES, SCHEMA

_INDEX_QUERY = f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?type ?label ?alt ?amount WHERE {{
  ?e a ?type ; skos:prefLabel ?label .
  FILTER(?type IN ({", ".join(f"<{c}>" for c in CLASS_TYPES)}))
  OPTIONAL {{ ?e skos:altLabel ?alt }}
  OPTIONAL {{ ?e <{SCHEMA.amount}>/<{SCHEMA.value}> ?amount }}
}}"""


@dataclass
class IngestReport:
    """What one ingest run did: articles stored, and the failures (source, message, exit code)."""

    stored: list[str] = field(default_factory=list)
    failures: list[ReformKGError] = field(default_factory=list)
    triples: int = 0


def load_entity_index(store: Store) -> EntityIndex:
    """Give the index of every entity node already in the store, for incremental resolution."""
    index = EntityIndex()
    from rdflib import URIRef

    for row in store.query(_INDEX_QUERY).records():
        type_ = CLASS_TYPES.get(URIRef(row["type"].value))
        if type_ is None:
            continue
        forms = {normalise_name(row["label"].value)}
        if "alt" in row:
            forms.add(normalise_name(row["alt"].value))
        amount = float(row["amount"].value) if "amount" in row else None
        index.add(KnownEntity(row["e"].value, type_, row["label"].value, forms, amount))
    return index


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
            report.stored.append(extraction.article.id)
            report.triples += n
            if on_article:
                on_article(extraction.article, n)
        for err in source_failures:
            failed(err)
    finally:
        store.close()
    return report


def extract_file(path: Path | str) -> Extraction:
    """Give one article file's extraction, without storing anything."""
    return extract_article(read_article(Path(path)))
