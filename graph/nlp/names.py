"""Names: normalise surface forms, strip honorifics, compare names and acronyms.

Every function here is pure and idempotent where it normalises, so a name that has been
normalised once normalises to itself (a hypothesis property in ``tests/test_properties.py``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .resources import word_set

_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"[’']s$")
_EDGE_PUNCT = " \t\n\"'“”‘’,.;:()[]-–—"
_LINKERS = {"and", "of", "for", "the", "&", "to", "in", "on", "at"}


@lru_cache(maxsize=8192)
def clean_surface(text: str) -> str:
    """Give a mention's surface text with whitespace collapsed and edge punctuation and quotes dropped."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip(_EDGE_PUNCT)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=8192)
def strip_titles(name: str) -> str:
    """Give a person's name without leading honorifics or a trailing "MP" ("Cllr Mary Firth" -> "Mary Firth")."""
    titles = word_set("titles")
    words = clean_surface(name).split(" ")
    while len(words) > 1 and words[0].lower().rstrip(".") in titles:
        words = words[1:]
    while len(words) > 1 and words[-1].rstrip(".") in {"MP", "MSP", "MS", "AM", "MEP", "QC", "KC", "OBE", "CBE", "MBE"}:
        words = words[:-1]
    return " ".join(words)


@lru_cache(maxsize=8192)
def normalise_name(name: str) -> str:
    """Give the canonical form of a name: clean, without honorifics or a trailing possessive."""
    previous = None
    while previous != name:
        previous = name
        name = strip_titles(_POSSESSIVE.sub("", clean_surface(name)))
    return name


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """Give a lower-cased key of a name for comparing mentions (punctuation and "the" dropped)."""
    text = unicodedata.normalize("NFKD", normalise_name(name).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[’'`]s\b", "", text)
    words = re.sub(r"[^a-z0-9£ ]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def acronym(name: str) -> str:
    """Give the initials of a multi-word name ("West Midlands Combined Authority" -> "WMCA")."""
    words = [w for w in re.split(r"[\s-]+", name) if w]
    letters = [w if w.isupper() else w[0] for w in words if w.lower() not in _LINKERS and w[0].isalpha()]
    return "".join(letters).upper() if len(letters) >= 2 else ""


def is_acronym(text: str) -> bool:
    """Give whether ``text`` looks like an acronym ("LEP", "UKSPF", "DfE")."""
    return 2 <= len(text) <= 8 and " " not in text and sum(c.isupper() for c in text) >= 2


def acronym_matches(short: str, long: str) -> bool:
    """Give whether the acronym ``short`` abbreviates ``long`` (initials, allowing a dropped "of"/"and")."""
    if not is_acronym(short):
        return False
    letters = short.upper()
    words = [w for w in re.split(r"[\s-]+", long) if w and w[0].isalpha()]
    every = "".join(w if w.isupper() else w[0] for w in words).upper()
    caps = [w for w in words if w[0].isupper()]
    capitals = "".join(w if w.isupper() else w[0] for w in caps).upper() if len(caps) >= 2 else ""
    # one capitalised word is no initials: "NHS" is not the acronym of "joint NHS and social care strategy"
    return letters in {acronym(long), every, capitals} - {""}


def surname(name: str) -> str:
    """Give the last word of a person's normalised name ("Anna Moss" -> "Moss")."""
    words = normalise_name(name).split(" ")
    return words[-1] if words else ""
