"""Which graph nodes an article could link to: lookup keys of nodes, and the keys an article looks up.

Input: linkable nodes (``KnownEntity``) on one side; an ``Extraction`` and the link threshold on
the other. Output: each node's typed keys, an article's ``LinkQuery``, and ``select``, which gives
the IRIs of the nodes that could give the article a link at the threshold, from any ``Postings``
(the in-memory ``candidates.WordIndex`` or the SQLite cache of ``entity_cache``).

An article met every node sharing a distinctive word or a rounded sum with it, and there were
more of those the larger the graph (660 nodes read per article at 2,000 generated articles, for
56 links). A link needs one kind of strong evidence, and each kind has its own, narrower key:

- ``n`` a name key of the node equal to one of the article's (a name key also reaches the node
  when all its words are in the text: the node's name found verbatim, or its name is near-equal by
  ``fuzz.ratio`` to one of the article's; those are sought among the names that share a
  distinctive word, or its first four letters (``lookup_words``), with the text, as strings,
  before any node is read);
- ``i`` / ``a`` an initialism of the node that is an acronym of the article, or the reverse;
- ``b`` a body's name without its kind of body ("rivers recovery" of "... Board");
- ``m`` / ``p`` a fund's sum to two significant figures, with (``p``) a purpose word of its name
  that the article's fund has in its name or around it; a fund whose name has no purpose word
  (or no name: "£840 million") is keyed by its sum alone (``m``);
- ``d`` a programme known by what it is for: its kind and a purpose word.

A short name ("the Bus Review") needs every node whose one name holds all its words, so that
it can tell whether only one does. The one link given up: a fund of the same sum whose near-equal
name shares no word, nor a word's first four letters, with the article (every fund of that sum
was read for it, more of them the larger the graph). Below ``TIGHT_FLOOR`` weak evidence (a sum alone) makes links,
and linking falls back to every node sharing a word or a sum (``candidates.candidates``).

Postings that hold every name in memory (``NameSearch``: the link pass's word index) find the
names ``LinkQuery.wanted`` gives without reading each name that shares a word with the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rapidfuzz import fuzz, process

from ..model import Entity, Extraction
from .cues import body_stem, described, kind_of, purpose_after
from .known import KnownEntity, amount_bucket, amount_buckets
from .names import GENERIC, STOP, distinctive_word, is_amount, name_numbers, normalise_name

#: At or below this link threshold a weak hint (0.6: the same sum, other purposes) is a link.
TIGHT_FLOOR = 0.6
#: Kind words a programme's short name ends with: "the Bus Review" for a review of rural bus services.
KINDS = {"review", "plan", "strategy", "fund", "programme", "scheme", "framework", "paper", "deal", "bill"}
_PROPER = re.compile(r"(?:[A-Z][\w’'-]*|of|and|for|the|to|in)(?:\s+(?:[A-Z][\w’'-]*|of|and|for|the|to|in))*")

Probe = tuple[KnownEntity, int, int, int, int]


def probes(extraction: Extraction) -> list[Probe]:
    """The article's programme, fund and body entities as nodes: (probe, name span, amount span); a fund's
    with the words around its mentions (its purpose, ``fund_matches``), which nothing asks of the others."""
    if _LAST_PROBES and _LAST_PROBES[0][0] is extraction:  # ``link`` asks twice: to read the cache, to link
        return _LAST_PROBES[0][1]
    text = extraction.article.text
    out = []
    for entity in extraction.entities:
        if entity.type not in ("Programme", "Fund", "Organisation") or not entity.mentions:
            continue
        span = entity.mentions[0]
        amount = next((s for s in entity.mentions if re.search(r"\d", s.text)), span)
        context = " ".join(text[max(0, s.start - 160): s.end + 160] for s in entity.mentions[:4]) \
            if entity.type == "Fund" else ""
        out.append((KnownEntity.from_entity("", entity, (), context), span.start, span.end, amount.start, amount.end))
    _LAST_PROBES[:] = [(extraction, out)]
    return out


_LAST_PROBES: list[tuple[Extraction, list[Probe]]] = []


#: Factors around a sum whose two-figure buckets hold every sum within half a percent of it (``same_amount``):
#: a bucket is at least 1% wide, so none between the outer two is missed.
_AROUND = (0.994, 0.997, 1.0, 1.003, 1.006)


def around_buckets(amounts: Iterable[float]) -> set[float]:
    """Give the two-figure buckets (``amount_bucket``) of every sum within half a percent of one of these."""
    return {amount_bucket(a * f) for a in amounts for f in _AROUND}


class ProbeTable:
    """The article's probes by what a node could share with them: a name key, a body's name or its stem
    (``b``), an acronym, initials, a sum (``funds``), or a near-equal name (``near``: a node's name key ->
    (probe, ``fuzz.ratio``), from ``near_names``, which gives a key's near-equal names with their ratios)."""

    def __init__(self, found: list[Probe], near_names: Callable[[str], Iterable[tuple[str, float]]]) -> None:
        self.found = found
        self.by_key: dict[str, list[int]] = {}
        self.by_body: dict[str, list[int]] = {}
        self.by_acronym: dict[str, list[int]] = {}
        self.by_initials: dict[str, list[int]] = {}
        self.funds: dict[float, list[int]] = {}  # a sum's bucket -> the funds with a sum near it
        self.near: dict[str, list[tuple[int, float]]] = {}
        for i, (probe, *_) in enumerate(found):
            for k in probe.name_keys():
                self.by_key.setdefault(k, []).append(i)
            if probe.type == "Organisation":
                for k in probe.name_keys():
                    self.by_body.setdefault(f"n {k}", []).append(i)
                for stem in {body_stem(k) for k in probe.name_keys()} - {None}:
                    self.by_body.setdefault(f"b {stem}", []).append(i)
                continue
            for b in around_buckets(probe.amounts) if probe.type == "Fund" else ():
                self.funds.setdefault(b, []).append(i)
            for a in probe.acronyms():
                self.by_acronym.setdefault(a, []).append(i)
            for a in probe.initials():
                self.by_initials.setdefault(a, []).append(i)
            for k in probe.name_keys():
                for name, score in near_names(k):
                    self.near.setdefault(name, []).append((i, score))


def short_names(probe: KnownEntity) -> list[tuple[str, list[str]]]:
    """Give (form, words) of each capitalised short name of a probe: two or three words ending in a kind."""
    out = []
    for name in probe.names:
        name = re.sub(r"^(the|The)\s+", "", name.strip())
        form = normalise_name(name)
        words = [w for w in form.split() if w not in STOP]
        if (_PROPER.fullmatch(name) and 2 <= len(words) <= 3 and words[-1] in KINDS
                and any(w not in GENERIC and not is_amount(w) for w in words)):
            out.append((form, words))
    return out


def descriptions(extraction: Extraction) -> list[tuple[Entity, str, set[str]]]:
    """Give (entity, kind, purpose words) of each programme the article says what it is for."""
    text = extraction.article.text
    out = []
    for entity in extraction.entities:
        if entity.type != "Programme" or not entity.mentions:
            continue
        forms = {f for f in map(normalise_name, (entity.name, *entity.aliases)) if f}
        described_ = [d for d in map(described, forms) if d]
        kind = kind_of({entity.name, *entity.aliases}) or next((k for k, _ in described_), None)
        if kind is None:
            continue
        purpose = set().union(*(purpose_after(text[s.end: s.end + 120]) for s in entity.mentions),
                              *(p for _, p in described_))
        out.append((entity, kind, purpose))
    return out


def bucket(amount: float) -> str:
    """Give a sum's key to two significant figures."""
    return f"{amount:.2g}"


def node_keys(known: KnownEntity) -> set[str]:
    """Give a linkable node's typed lookup keys (see the module docstring)."""
    names = known.name_keys()
    keys = {f"n {k}" for k in names}
    if known.type == "Organisation":  # a body links by its name or its name's stem only
        return keys | {f"b {s}" for s in map(body_stem, names) if s}
    keys |= {f"i {a}" for a in known.initials()} | {f"a {a}" for a in known.acronyms()}
    if known.type == "Fund":
        purpose = known.purpose() if names else set()
        for amount in known.amounts:
            b = bucket(amount)
            keys |= {f"p {b} {w}" for w in purpose} if purpose else {f"m {b}"}
    for kind, purpose in filter(None, map(described, names)):
        keys |= {f"d {kind} {w}" for w in purpose}
    return keys


@dataclass(frozen=True)
class LinkQuery:
    """What an article looks up: typed keys, its name keys, and what name strings it could mean."""

    keys: frozenset[str]
    names: frozenset[str]  # the name keys of its programmes, funds and bodies
    fuzzy: frozenset[str]  # the name keys near-equal names are sought for (not bodies')
    text_words: frozenset[str]
    words: frozenset[str]  # its distinctive words (``lookup_words``): a name it could mean holds one
    every: tuple[frozenset[str], ...]  # its short names' words
    cutoff: float  # the fuzz.ratio a near-equal name needs

    def wanted(self, names: Iterable[str]) -> set[str]:
        """Give the name keys sharing a word with the article that it could mean: all their words are
        in its text, or they are near-equal to a name of its (with the same numbers)."""
        names = sorted(names)
        out = {name for name in names if self.text_words.issuperset(name.split())}
        for mine in self.fuzzy:
            for name, _, _ in process.extract(mine, names, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=None):
                if name_numbers(name) == name_numbers(mine):
                    out.add(name)
        return out


def lookup_words(words: Iterable[str]) -> set[str]:
    """Give what a name key is looked up by: its words, and for each distinctive word of four letters
    or more, "~" and its first four, so that a near-equal name ("town fund" for "towns fund") shares one."""
    words = set(words)
    return words | {f"~{w[:4]}" for w in words if len(w) >= 4 and distinctive_word(w)}


def article_words(extraction: Extraction) -> frozenset[str]:
    """Give the words of the article's text, normalised (``link`` asks twice for one article)."""
    if not _LAST_WORDS or _LAST_WORDS[0][0] is not extraction:
        _LAST_WORDS[:] = [(extraction, frozenset(normalise_name(extraction.article.text).split()))]
    return _LAST_WORDS[0][1]


_LAST_WORDS: list[tuple[Extraction, frozenset[str]]] = []


def link_query(extraction: Extraction, found: list[Probe], threshold: float) -> LinkQuery:
    """Give the lookups that find every node able to give the article a link at ``threshold`` (> ``TIGHT_FLOOR``)."""
    text_words = article_words(extraction)
    keys: set[str] = set()
    names: set[str] = set()
    fuzzy: set[str] = set()
    every = []
    for probe, *_ in found:
        names |= probe.name_keys()
        if probe.type == "Organisation":
            keys |= {f"b {s}" for s in map(body_stem, probe.name_keys()) if s}
            continue
        fuzzy |= probe.name_keys()
        keys |= {f"i {a}" for a in probe.acronyms()} | {f"a {a}" for a in probe.initials()}
        every += [frozenset(words) for _, words in short_names(probe)]
        if probe.type == "Fund" and probe.amounts:
            buckets = {bucket(b) for a in probe.amounts for b in amount_buckets(a)}
            around = probe.purpose() | probe.context
            keys |= {f"m {b}" for b in buckets} | {f"p {b} {w}" for b in buckets for w in around}
    for _, kind, purpose in descriptions(extraction):
        keys |= {f"d {kind} {w}" for w in purpose}
    words = {w if len(w) < 4 else f"~{w[:4]}" for w in text_words if distinctive_word(w)}
    return LinkQuery(frozenset(keys), frozenset(names), frozenset(fuzzy), text_words, frozenset(words),
                     tuple(every), 100 * threshold - 1e-6)


class Postings(Protocol):
    """Where ``select`` looks keys up: linkable nodes by typed key, and their name keys by word."""

    def iris(self, keys: set[str]) -> set[str]: ...

    def names_with_any(self, words: frozenset[str]) -> set[str]: ...

    def names_with_all(self, words: frozenset[str]) -> set[str]: ...


@runtime_checkable
class NameSearch(Postings, Protocol):
    """Postings that hold every name in memory and answer ``LinkQuery.wanted`` themselves, faster."""

    def wanted(self, query: LinkQuery) -> set[str]: ...


def select(query: LinkQuery, postings: Postings) -> set[str]:
    """Give the IRIs of the linkable nodes that could give the article a link."""
    if isinstance(postings, NameSearch):
        names = set(query.names) | postings.wanted(query)
    else:
        names = set(query.names) | query.wanted(postings.names_with_any(query.words))
    for words in query.every:
        names |= postings.names_with_all(words)
    return postings.iris(query.keys | {f"n {n}" for n in names})
