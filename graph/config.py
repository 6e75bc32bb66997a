"""One frozen Settings dataclass: CLI option, then ``REFORMKG_*`` environment variable, then default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _default_store() -> str:
    """The default store: ``$XDG_DATA_HOME/reformkg/store`` (``~/.local/share/reformkg/store``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "reformkg" / "store")


@dataclass(frozen=True)
class Settings:
    """Run-time settings of ReformKG."""

    store: str = field(
        default_factory=lambda: os.environ.get("REFORMKG_STORE") or _default_store(),
        metadata={"help": "Store location: a directory (embedded Oxigraph) or a SPARQL endpoint URL."},
    )
    base_iri: str = field(
        default_factory=lambda: os.environ.get("REFORMKG_BASE_IRI") or "https://w3id.org/reformkg/id/",
        metadata={"help": "Base under which entity, article and relation IRIs are minted."},
    )
    n_process: int = field(
        default_factory=lambda: int(os.environ.get("REFORMKG_PROCESSES") or 1),
        metadata={"help": "Worker processes for extraction (spaCy nlp.pipe n_process)."},
    )
