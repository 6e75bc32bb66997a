"""Data files of the extraction stage: word lists, gazetteers and acronyms, loaded once per process.

The files live in ``reformkg/data/extraction`` and each says its source and licence (see its README).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data" / "extraction"


def _lines(name: str) -> list[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@cache
def word_set(name: str) -> frozenset[str]:
    """Give the lower-cased entries of ``data/extraction/NAME.txt`` as a set."""
    return frozenset(line.lower() for line in _lines(f"{name}.txt"))


@cache
def name_list(name: str) -> tuple[str, ...]:
    """Give the entries of ``data/extraction/NAME.txt`` as written (case kept), in file order."""
    return tuple(_lines(f"{name}.txt"))


@cache
def typed_names(name: str) -> tuple[tuple[str, str], ...]:
    """Give the ``(TYPE, name)`` rows of a tab-separated ``data/extraction/NAME.txt``."""
    rows = []
    for line in _lines(f"{name}.txt"):
        kind, _, value = line.partition("\t")
        rows.append((kind.strip(), value.strip()))
    return tuple(rows)


@cache
def acronym_names() -> dict[str, str]:
    """Give known acronyms of UK bodies and funds mapped to their long forms ("LEP" -> "Local Enterprise Partnership")."""
    table = {}
    for line in _lines("acronyms.tsv"):
        short, _, long = line.partition("\t")
        table[short.strip()] = long.strip()
    return table


@cache
def acronym_table() -> dict[str, str]:
    """Give known acronyms mapped to their lower-cased long forms, for comparing names."""
    return {short: long.lower() for short, long in acronym_names().items()}


@cache
def tag_to_pos() -> dict[str, str]:
    """Give the Penn Treebank tag -> Universal POS map (``data/extraction/tag_pos.tsv``)."""
    return dict(line.split("\t", 1) for line in _lines("tag_pos.tsv"))
