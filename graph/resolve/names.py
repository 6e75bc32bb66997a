"""Name comparison for resolution and linking: comparison keys, acronyms, surnames, fund purposes.

Input: names as articles write them. Output: normalised keys and yes/no judgements that
``resolve.py`` (one node per real thing) and ``link.py`` (a new article's links) share, so a
name that merges two nodes is also a name that links an article to the node.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "baroness", "cllr",
          "councillor", "professor", "prof", "rt", "hon", "the"}
STOP = {"the", "of", "for", "and", "to", "in", "on", "a", "an", "at", "by", "with", "from", "its", "their",
        "our", "this", "that", "these", "those", "into", "over", "per", "s"}
#: Heads and modifiers that do not name one thing: "the plan", "new funding", "the £5m package".
GENERIC = {"plan", "plans", "package", "funding", "fund", "funds", "money", "budget", "strategy", "project",
           "review", "report", "programme", "program", "scheme", "pilot", "paper", "framework", "initiative",
           "new", "long", "term", "government", "blueprint", "study", "grant", "grants", "investment", "cash",
           "deal", "agreement", "consultation", "proposals", "policy", "document", "reforms", "reform", "extra",
           "additional", "further", "total", "overall", "whole", "boost", "pot", "allocation", "award",
           "settlement", "share", "national", "year", "years", "annual", "first", "second", "latest", "recent",
           "pounds", "million", "billion", "bn", "m", "k", "one", "two", "three", "off", "up", "uk"}
#: Words of the policy domain too common in any fund's sentence to tell two funds apart.
COMMON = {"government", "council", "councils", "local", "authority", "authorities", "said", "says", "will",
          "would", "has", "have", "been", "be", "is", "are", "was", "were", "announced", "today", "also",
          "england", "uk", "people", "services", "service", "public", "million", "billion", "funding", "fund",
          "new", "more", "which", "who", "it", "as", "but", "not", "we", "they", "he", "she", "year",
          "years", "help", "support", "used", "use", "across", "being", "all", "than", "over", "up"}
#: Single-word bodies whose forms say no more than the kind of body: "the council", "the board".
ORG_GENERIC = {"council", "county council", "city council", "board", "department", "authority", "committee",
               "partnership", "trust", "ministry", "agency", "team", "office", "party", "union", "charity"}
_AMOUNT = re.compile(r"^(£|\$|€)?\d[\d.,]*(m|bn|k|million|billion|bln|mn)?$")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def normalise_name(text: str) -> str:
    """Give a name's comparison key: lower case, no accents, punctuation or leading titles."""
    # names recur across articles and linking asks for the same ones again: memoised, but not
    # whole article texts, which would fill the memo with text seen once
    return _normalise_short(text) if len(text) <= 200 else _normalise(text)


@lru_cache(maxsize=1 << 16)
def _normalise_short(text: str) -> str:
    return _normalise(text)


_THOUSANDS = re.compile(r"(\d),(?=\d{3})")
_POSSESSIVE = re.compile(r"['’`]s\b")
_NOT_WORD = re.compile(r"[^a-z0-9£ ]+")


def _normalise(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        # the marks are dropped by the few distinct characters that are marks, not by testing every
        # character: a fund's context, 1,300 characters, was read one character at a time per fund
        marks = {ord(c): None for c in set(text) if not c.isascii() and unicodedata.combining(c)}
        if marks:
            text = text.translate(marks)
    text = _POSSESSIVE.sub("", _THOUSANDS.sub(r"\1", text.lower()))
    words = _NOT_WORD.sub(" ", text).split()
    while words and words[0] in TITLES:
        words = words[1:]
    return " ".join(words)


def slugify(text: str) -> str:
    """Give a short ASCII slug for an IRI path segment."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise_name(text)).strip("-")
    return slug[:60].strip("-") or "x"


def is_amount(word: str) -> bool:
    """Give whether a normalised word is (part of) a sum of money: "£600", "27m", "million"."""
    return bool(_AMOUNT.match(word)) or word in {"million", "billion", "bn", "m", "k", "£"}


def is_specific(form: str) -> bool:
    """Give whether a normalised form names one thing rather than a generic head ("the plan", "£5m")."""
    return any(w not in GENERIC and w not in STOP and not is_amount(w) for w in form.split())


def distinctive_word(word: str) -> bool:
    """Give whether a word of a name key tells a node apart: not generic, not a stop word, not a number."""
    return word not in GENERIC and word not in STOP and not word[0].isdigit()


@lru_cache(maxsize=1 << 16)
def name_numbers(key: str) -> frozenset[str]:
    """The numbers in a name key: "£10m fund" and "£12m fund" are two funds however alike."""
    return frozenset(re.findall(r"\d+", key))


def content_words(text: str) -> set[str]:
    """Give the words that say what something is about: no stop words, generic heads or amounts."""
    # interned: the same words recur around thousands of funds held in the index at once
    return {sys.intern(w) for w in normalise_name(text).split()
            if len(w) > 2 and w not in STOP and w not in GENERIC and w not in COMMON and not is_amount(w)}


@lru_cache(maxsize=64)
def context_words(text: str) -> frozenset[str]:
    # a fund's context (1,300 characters) is read twice as it is resolved: as the probe, then as its node
    return frozenset(content_words(text))


def surname_of(form: str) -> str:
    """Give the last word of a normalised personal name."""
    return form.split()[-1] if form else ""


def acronym_of(name: str) -> str | None:
    """Give the lower-cased acronym a surface name is ("UKSPF", "DfE"), or None if it is not one."""
    token = name.strip().removeprefix("the ").strip("()")
    # two letters ("GP", "UK") stand for too many things to identify one
    if not re.fullmatch(r"[A-Z][A-Za-z&]{2,7}", token) or sum(c.isupper() for c in token) < 2:
        return None
    return token.replace("&", "").lower()


def initials(form: str) -> set[str]:
    """Give the acronyms a multi-word normalised name could have: "department for education" -> de, dfe."""
    words = form.split()
    if len(words) < 2:
        return set()
    core = [w for w in words if w not in STOP and not w.isdigit()]
    out = {"".join(w[0] for w in core), "".join(w[0] for w in words if not w.isdigit()),
           "".join(w if len(w) <= 3 and w.isalpha() and w not in STOP else w[0] for w in core)}
    return {a for a in out if len(a) >= 3}


_LOOSE_HEADS = {"programme", "program", "scheme", "initiative", "project", "projects"}
_HEADS = _LOOSE_HEADS | {"plan", "strategy"}


def strip_head(form: str) -> str | None:
    """Give a programme's name without a trailing kind word when what is left still names it.

    "skillbridge programme" -> "skillbridge"; "next steps for rural bus services plan" loses
    "plan"; but "bbc long term plan" keeps it, since "bbc long term" says too little.
    """
    words = form.split()
    if len(words) < 2 or words[-1] not in _HEADS:
        return None
    rest = words[:-1]
    distinctive = [w for w in rest if w not in GENERIC and w not in STOP and not is_amount(w)]
    if len(distinctive) >= 2 or (distinctive and words[-1] in _LOOSE_HEADS):
        return " ".join(rest)
    return None


#: Leading words that praise or place a programme without telling two programmes apart.
_QUALIFIERS = {"independent", "new", "national", "joint", "draft", "final", "full", "landmark", "flagship",
               "major", "proposed", "long", "awaited", "much", "government", "governments"}


def strip_qualifiers(form: str) -> str | None:
    """Give a programme's name without leading qualifiers when two distinctive words remain.

    "independent review of rural bus services" -> "review of rural bus services"; "bbc long term
    plan" keeps "bbc", which tells it apart from other long-term plans.
    """
    words = form.split()
    i = 0
    while i < len(words) - 1 and words[i] in _QUALIFIERS:
        i += 1
    rest = words[i:]
    distinctive = [w for w in rest if w not in GENERIC and w not in STOP and not is_amount(w)]
    return " ".join(rest) if i and len(distinctive) >= 2 else None


def years(forms: set[str]) -> set[str]:
    """Give the years named in a set of forms ("2023/24" -> 2023)."""
    return {y for f in forms for y in _YEAR.findall(f)}
