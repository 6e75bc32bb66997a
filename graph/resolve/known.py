"""Graph nodes as resolution holds them (``KnownEntity``), and the judgements on two of them: the
same sum, the same specific name, the same fund.

Input: the entities of articles, and nodes already known. Output: nodes that ``resolve`` merges
or keeps apart and ``link`` looks among; ``names`` holds the string rules they are built on.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..model import Entity, Identifier
from .names import (
    ORG_GENERIC,
    acronym_of,
    content_words,
    context_words,
    initials,
    is_specific,
    normalise_name,
    strip_head,
    strip_qualifiers,
    years,
)
from .tupleset import TupleSet

_NONE: frozenset[str] = frozenset()
#: The node's sets that ``KnownEntity.compact`` turns into ``TupleSet``s.
SET_FIELDS = ("names", "forms", "amounts", "identifiers", "roles", "context", "articles")
#: Article identifiers a node keeps: resolution and linking only ask whether a node is known from an
#: article other than the one at hand, which two answer. (Keeping every one made each merge into a
#: node named in most articles rebuild a set of them all: time quadratic in the corpus.)
MAX_ARTICLES = 2


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
        """Hold the node's sets as ``TupleSet``s (at most ``MAX_ARTICLES`` articles) and its type and
        label interned (``EntityIndex.add``)."""
        if len(self.articles) > MAX_ARTICLES:
            self.articles = set(sorted(self.articles)[:MAX_ARTICLES])
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
                   context=set(context_words(context)) if context else set())

    def merge(self, other: KnownEntity) -> None:
        """Add another node's names, amounts, codes, posts, context and articles to this one.

        Sets grow in place, ``TupleSet``s are replaced by their union; articles stop growing at
        ``MAX_ARTICLES``."""
        self.names |= other.names
        self.forms |= other.forms
        self.amounts |= other.amounts
        self.identifiers |= other.identifiers
        self.roles |= other.roles
        self.context |= other.context
        if len(self.articles) < MAX_ARTICLES:  # ``compact`` keeps the first MAX_ARTICLES of them
            self.articles = {*self.articles, *other.articles}

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
