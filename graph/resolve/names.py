"""Name comparison for resolution and linking: comparison keys, acronyms, surnames, fund purposes.

Input: names as articles write them. Output: normalised keys and yes/no judgements that
``resolve.py`` (one node per real thing) and ``link.py`` (a new article's links) share, so a
name that merges two nodes is also a name that links an article to the node.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from ..model import Entity, Identifier
from .tupleset import TupleSet

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
def _context_words(text: str) -> frozenset[str]:
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


_NONE: frozenset[str] = frozenset()
#: The node's sets that ``KnownEntity.compact`` turns into ``TupleSet``s.
SET_FIELDS = ("names", "forms", "amounts", "identifiers", "roles", "context", "articles")


@dataclass(slots=True)
class KnownEntity:
    """A node of the graph: IRI, type, canonical name, every name it was called, amounts, codes, posts.

    A new node's sets are ``set``s; once in an ``EntityIndex`` they are ``TupleSet``s (``compact``),
    which ``merge`` grows with ``|=``.
    """

    iri: str
    type: str
    label: str
    names: AbstractSet[str] = field(default_factory=set)
    amounts: AbstractSet[float] = field(default_factory=set)
    identifiers: AbstractSet[Identifier] = field(default_factory=set)
    roles: AbstractSet[str] = field(default_factory=set)
    context: AbstractSet[str] = field(default_factory=set)
    articles: AbstractSet[str] = field(default_factory=set)
    forms: AbstractSet[str] = field(default_factory=set)
    # derived name sets, recomputed only when the names change: linking asks each node for them
    # once per article, and at a few thousand nodes that dominated ingest time. Names and forms
    # only ever grow in place (or are replaced by another set), so the sets' identities and (for
    # mutable sets) sizes tell whether they changed without hashing their contents on every call.
    _seen_names: AbstractSet[str] | None = field(default=None, init=False, repr=False, compare=False)
    _seen_forms: AbstractSet[str] | None = field(default=None, init=False, repr=False, compare=False)
    _seen_sizes: tuple[int, int] | None = field(default=None, init=False, repr=False, compare=False)
    _keys: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _acronyms: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _initials: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _years: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _purpose: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    def _memo(self, slot: str, compute: Callable[[], set[str]]) -> frozenset[str]:
        names, forms = self.names, self.forms
        # a TupleSet changes only by being replaced: its identity is enough
        sizes = None if isinstance(names, TupleSet) and isinstance(forms, TupleSet) else (len(names), len(forms))
        if names is not self._seen_names or forms is not self._seen_forms or sizes != self._seen_sizes:
            self._seen_names, self._seen_forms, self._seen_sizes = names, forms, sizes
            self._keys = self._acronyms = self._initials = self._years = self._purpose = None
        found = getattr(self, slot)
        if found is None:
            found = frozenset(compute()) or _NONE  # one shared empty set
            setattr(self, slot, found)
        return found

    def __post_init__(self) -> None:
        self.names |= {self.label}
        self.forms |= {f for f in map(normalise_name, self.names) if f}

    def compact(self) -> None:
        """Hold the node's sets as ``TupleSet``s and its type and label interned (``EntityIndex.add``)."""
        for name in SET_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, TupleSet):
                setattr(self, name, TupleSet(value))
        self.type, self.label = sys.intern(self.type), sys.intern(self.label)

    @classmethod
    def from_entity(cls, iri: str, entity: Entity, identifiers: tuple[Identifier, ...] = (), context: str = "",
                    label: str | None = None) -> KnownEntity:
        """Give the node an article's entity would make (its names, amount, codes, posts and context)."""
        return cls(iri=iri, type=entity.type, label=label or entity.name, names={entity.name, *entity.aliases},
                   amounts={float(entity.amount_gbp)} if entity.amount_gbp else set(),
                   identifiers=set(identifiers), roles={normalise_name(r) for r in entity.roles},
                   context=set(_context_words(context)) if context else set())

    def merge(self, other: KnownEntity) -> None:
        """Add another node's names, amounts, codes, posts, context and articles to this one.

        Sets grow in place, ``TupleSet``s are replaced by their union."""
        self.names |= other.names
        self.forms |= other.forms
        self.amounts |= other.amounts
        self.identifiers |= other.identifiers
        self.roles |= other.roles
        self.context |= other.context
        self.articles |= other.articles

    @property
    def amount_gbp(self) -> float | None:
        """Give the node's amount when its sources agree on one, else the smallest."""
        return min(self.amounts) if self.amounts else None

    def name_keys(self) -> frozenset[str]:
        """Give the forms that identify this node across articles (no generic heads, no bare surnames)."""
        return self._memo("_keys", self._name_keys)

    def _name_keys(self) -> set[str]:
        if self.type == "Person":
            full = {f for f in self.forms if " " in f}
            return full or set(self.forms)
        if self.type in ("Programme", "Fund"):
            specific = {f for f in self.forms if is_specific(f)}
            # an acronym among a programme's names counts only when its long form is there too:
            # a stray "NHS" alias of a workforce strategy must not join it to everything about the NHS
            long_forms = {f for f in specific if " " in f}
            spelled = set().union(*(initials(f) for f in long_forms)) if long_forms else set()
            stray = {a for a in self.acronyms() if a not in spelled and a in specific} if long_forms else set()
            specific -= stray
            variants = {v for f in specific for v in (strip_head(f), strip_qualifiers(f)) if v}
            return specific | variants
        return {f for f in self.forms if f not in ORG_GENERIC}

    def acronyms(self) -> frozenset[str]:
        """Give the acronyms among the node's names."""
        return self._memo("_acronyms", lambda: {a for a in map(acronym_of, self.names) if a})

    def initials(self) -> frozenset[str]:
        """Give the acronyms the node's multi-word names could be written as."""
        return self._memo("_initials", lambda: set().union(*(initials(f) for f in self.name_keys())))

    def years(self) -> frozenset[str]:
        """Give the years the node's names give ("2023/24" -> 2023)."""
        return self._memo("_years", lambda: years(self.forms))

    def purpose(self) -> frozenset[str]:
        """Give the content words of the node's names: a fund's purpose ("pothole", "repair")."""
        return self._memo("_purpose", lambda: set().union(*(content_words(n) for n in self.names)))


def same_amount(a: float, b: float) -> bool:
    """Give whether two sums are the same within half a percent (rounding in reporting)."""
    return abs(a - b) <= 0.005 * max(a, b)


def amount_bucket(amount: float) -> float:
    """Give a sum to two significant figures: the key funds are found by."""
    return float(f"{amount:.2g}")


def amount_buckets(amount: float) -> set[float]:
    """Give the two-significant-figure buckets a sum within half a percent of ``amount`` can fall in."""
    return {amount_bucket(a) for a in (amount * 0.995, amount, amount * 1.005)}


def names_agree(a: KnownEntity, b: KnownEntity, ratio: float = 92.0) -> bool:
    """Give whether two nodes share a specific name: equal, an acronym of the other, or near-equal."""
    ka, kb = a.name_keys(), b.name_keys()
    if ka & kb or (a.acronyms() & b.initials()) or (b.acronyms() & a.initials()):
        return True
    return any(set(re.findall(r"\d+", x)) == set(re.findall(r"\d+", y)) and fuzz.ratio(x, y) >= ratio
               for x in ka for y in kb)


def fund_matches(probe: KnownEntity, known: KnownEntity) -> bool:
    """Give whether a fund is a known one: the same amount and purpose, or the same specific name.

    Two "£10m" funds are one only when their purposes agree: their names share a purpose word; a
    bare amount has the other's purpose words around it; two bare amounts share several words around them.
    (The cheap tests on sums and words come first; names are compared only when they decide.)
    """
    if probe.type != known.type:
        return False
    ya, yb = probe.years(), known.years()
    if ya and yb and not ya & yb:
        return False
    if not (probe.amounts and known.amounts):
        return names_agree(probe, known)
    if not any(same_amount(a, b) for a in probe.amounts for b in known.amounts):
        # a named fund reported with two amounts stays one node (and shows up as a conflict)
        return bool({f for f in probe.name_keys() if not re.search(r"\d", f)} & known.name_keys()) and \
            names_agree(probe, known)
    pa, pb = probe.purpose(), known.purpose()
    if pa and pb:
        agree = bool(pa & pb)
    elif pa or pb:  # one is a bare amount: the other's purpose must be said around it
        purpose, around = (pa, known.context) if pa else (pb, probe.context)
        agree = len(purpose & around) >= min(2, len(purpose))
    else:
        agree = len(probe.context & known.context) >= 3
    return agree or names_agree(probe, known)
