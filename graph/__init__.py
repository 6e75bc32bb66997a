"""ReformKG: news articles about policy reform -> a queryable, viewable knowledge graph.

The public API is one function per stage plus the dataclasses that cross stage boundaries::

    from reformkg import ingest_path, extract_article, resolve_extraction, open_store, run_saved_query

Submodules are imported on first use, so ``import reformkg`` (and the CLI's start-up) stays
cheap: spaCy loads only when extraction is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # data crossing stage boundaries
    "Article": "model", "Span": "model", "Evidence": "model", "Entity": "model", "Relation": "model",
    "Extraction": "model", "Identifier": "model", "ResolvedEntity": "model", "ResolvedArticle": "model",
    "Link": "model", "Settings": "config",
    # errors
    "ReformKGError": "errors", "SourceError": "errors", "QueryError": "errors",
    "ValidationError": "errors", "StoreError": "errors",
    # stages, in data-flow order
    "ingest_path": "ingest", "read_article": "ingest",
    "extract_article": "extract", "extract_articles": "extract", "load_pipeline": "extract",
    "resolve_extraction": "resolve", "load_gazetteer": "gazetteer",
    "build_article_graph": "rdfgraph", "validate_graph": "validate", "open_store": "store",
    "run_query": "query", "run_saved_query": "query", "list_saved_queries": "query", "collect_stats": "query",
    "render_network_html": "render", "entity_card": "explore", "find_paths": "explore", "timeline": "explore",
    "link_extraction": "link", "export_store": "export",
    "ingest_sources": "pipeline", "extract_file": "pipeline",
}
__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    """Give a public name, importing its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reformkg' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
