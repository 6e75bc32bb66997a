"""Which graph nodes an article could link to, and the weaker kinds of link evidence that need them all.

Input: the ``EntityIndex`` of the graph and an article's probes (its entities as nodes) or
extraction. Output: candidate nodes (those sharing a name word, an initialism or a sum with the
article) and evidence records ``(score, start, end)`` by node IRI for ``link.py``:

- a node known only by its sum ("£840 million") is the article's fund of an equal sum when
  enough purpose words are shared around the two mentions;
- a capitalised short name ("the Bus Review") is the one programme whose name holds all its words;
- a programme known by what it is for ("strategy for rural bus services") is the article's
  programme of that kind said to be for the same thing, when no other node is so described.

Linkable nodes are programmes and funds, and bodies an article introduced as newly set up
(``cues.SET_UP``) that the gazetteer does not know and no place names.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import attrgetter
from typing import Any

from rapidfuzz import fuzz, process

from ..gazetteer import Gazetteer
from ..model import Extraction
from . import EntityIndex, KnownEntity
from .cues import SET_UP, body_stem, described
from .known import amount_bucket, same_amount
from .lookup import (
    LinkQuery,
    Probe,
    ProbeTable,
    around_buckets,
    descriptions,
    lookup_words,
    node_keys,
    short_names,
)
from .names import distinctive_word, name_numbers

LINKABLE = ("Programme", "Fund")
Evidence = dict[str, tuple[float, int, int]]


#: Function words ``content_words`` keeps that say nothing about what a sum is for.
_FUNCTION = {"them", "him", "her", "its", "there", "here", "what", "when", "where", "how", "can", "could",
             "should", "may", "might", "must", "such", "some", "other", "only", "just", "very", "about",
             # when, not what for: "over the next five years"
             "next", "last", "past", "coming", "four", "five", "six", "seven", "eight", "nine", "ten",
             "twenty", "month", "months", "week", "weeks", "day", "days", "decade", "period", "time"}


def bare_fund_matches(probe: KnownEntity, known: KnownEntity) -> bool:
    """Give whether an article's fund is a node known only by an equal sum: enough shared purpose words.

    A round sum ("£600m", "£10m": one significant figure) is common to many unrelated funds, so it
    needs five words in common around the two mentions; an exact-looking one ("£840m") needs three.
    """
    shared = ((probe.context | probe.purpose()) & known.context) - _FUNCTION
    digits = f"{round(min(known.amounts))}".rstrip("0")
    return len(shared) >= (3 if len(digits) >= 2 else 5)


def unique_bare_sums(probes: list, nearby: set[str], index: EntityIndex, cache: WordIndex,
                     article_id: str) -> dict[int, str]:
    """Give the article's funds (by position) that match exactly one node known only by its sum, with
    that node: the same sum and what it is for (``bare_fund_matches``). A sum said of several such
    nodes, with the same words around it, tells none of them apart. Nodes are sought among ``nearby``
    by the sum's bucket (``WordIndex.bare``), not read one by one."""
    out = {}
    for i, (probe, *_) in enumerate(probes):
        if probe.type != "Fund" or not probe.amounts:
            continue
        held = nearby.intersection(set().union(*(cache.bare.get(b, ()) for b in around_buckets(probe.amounts))))
        hits = (iri for iri in held if not index.entities[iri].articles <= {article_id}
                and any(same_amount(a, b) for a in probe.amounts for b in index.entities[iri].amounts)
                and bare_fund_matches(probe, index.entities[iri]))
        first, second = next(hits, None), next(hits, None)
        if first is not None and second is None:
            out[i] = first
    return out


def short_name_evidence(probes: list, index: EntityIndex, article_id: str, cache: WordIndex | None = None) -> Evidence:
    """Give nodes an article calls by a capitalised short name whose words all occur in one node's name.

    "the Bus Review" stands for the "Review of Rural Bus Services" when that is the only
    programme or fund of the graph whose name holds both words; a short name two nodes share, or
    one that is a node's whole name, is no evidence for another node.
    """
    cache = cache or word_index(index)
    found: Evidence = {}
    for probe, start, end, _, _ in probes:
        if probe.type not in LINKABLE:
            continue
        for form, words in short_names(probe):
            held = cache.memo.get(("short", form, *words))
            if held is None:  # the nodes whose names could own it, whatever the article: once per index
                held = cache.memo[("short", form, *words)] = _short_name_owners(index, cache, form, words)
            owners = [iri for iri in held if not index.entities[iri].articles <= {article_id}][:2]
            if len(owners) == 1:
                found[owners[0]] = (0.9, start, end)
    return found


def _short_name_owners(index: EntityIndex, cache: WordIndex, form: str, words: list[str]) -> tuple[str, ...]:
    holders = candidates(index, set(words), set(), every_word=True, cache=cache)
    if any(form in k.name_keys() for k in holders):
        return ()  # the whole name of a node ("Harbour Renewal Fund"), not a short one for a longer name
    return tuple(k.iri for k in holders if k.type in LINKABLE and any(
        set(words) <= set(key.split()) and len(key.split()) > len(words) for key in k.name_keys()))


def could_link(found: list[Probe], probes: ProbeTable, cache: WordIndex, text_words: frozenset[str]) -> set[str]:
    """Give the nodes that an article's entity or text could give evidence (more than them, none fewer):
    those with one of its name keys, an acronym of its names or the reverse, a body's stem of its
    bodies', a sum near one of its funds', a name near-equal to one of its names, or a name all of
    whose words are in its text (the evidence ``link`` takes from entities and text)."""
    keys = {f"n {k}" for p, *_ in found for k in p.name_keys()}
    for probe, *_ in found:
        if probe.type == "Organisation":
            keys |= {f"b {s}" for s in map(body_stem, probe.name_keys()) if s}
        else:
            keys |= {f"i {a}" for a in probe.acronyms()} | {f"a {a}" for a in probe.initials()}
    keys |= {f"n {name}" for name in (*probes.near, *cache.names_in(text_words))}
    return cache.iris(keys).union(*(cache.by_amount.get(b, ()) for b in probes.funds))


def linkable(known: KnownEntity) -> bool:
    """Give whether a node can be linked: a programme or fund, or a body an article introduced as newly set up."""
    return known.type in LINKABLE or known.type == "Organisation" and SET_UP in known.context


def described_evidence(extraction: Extraction, index: EntityIndex, cache: WordIndex | None = None) -> Evidence:
    """Give nodes known by what they are for that an article's programme of the same kind is said to be for.

    A graph's "long-term strategy for rural bus services" is the article's "Ride Free strategy to
    improve rural bus services" when it is the only strategy of the graph described by those words.
    """
    article_id = extraction.article.id
    cache = cache or word_index(index)
    found: Evidence = {}
    for entity, kind, purpose in descriptions(extraction):
        owners = {iri for iri, theirs in cache.described.get(kind, ())
                  if len(theirs & purpose) >= max(2, 0.75 * len(theirs))
                  and not index.entities[iri].articles <= {article_id}}
        if len(owners) == 1:
            span = entity.mentions[0]
            found.setdefault(owners.pop(), (0.9, span.start, span.end))
    return found


def standing_body(known: KnownEntity, gazetteer: Gazetteer) -> bool:
    """Give whether a body is one the gazetteer knows, or one named after a place ("Wessex Council"):
    a standing or local body, not one a national reform sets up, even when an article calls it new."""
    if gazetteer.lookup(known.label):
        return True
    for key in known.name_keys():
        words = key.split()
        runs = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(i + 4, len(words) + 1))}
        if any(e.type == "Region" for run in runs for e in gazetteer.lookup(run)):
            return True
    return False


class WordIndex:
    """Linkable nodes by the words, initials and sums of their names (``candidates``), and by the typed
    keys of ``lookup.node_keys`` with their name keys by word (``lookup.select``), so an article meets
    only the nodes it could refer to instead of every node of the graph."""

    def __init__(self, index: EntityIndex) -> None:
        self.stamp = _stamp(index)
        self.by_word: dict[str, set[str]] = {}
        self.by_amount: dict[float, set[str]] = {}
        self.by_key: dict[str, set[str]] = {}  # lookup.node_keys -> nodes
        self.names_by_word: dict[str, set[str]] = {}  # word -> name keys holding it
        self.described: dict[str, list[tuple[str, set[str]]]] = {}  # kind -> (node, purpose words)
        self.bare: dict[float, list[str]] = {}  # two-figure sum -> nodes known only by a sum ("£840 million")
        self.plain_bare: set[str] = set()  # those of them with no acronym among their names either
        self.anchors: dict[str, list[tuple[str, frozenset[str]]]] = {}  # word -> name keys, with their words
        self.undistinctive: list[tuple[str, frozenset[str]]] = []  # name keys without a distinctive word
        self.looked_up: dict[str, frozenset[str]] = {}  # name key -> its lookup words
        self.by_length: list[str] = []  # every name key, shortest first
        self.lengths: list[int] = []
        # what linking works out once per node, name or short name rather than once per article; the
        # index does not change while this word index is in use (``word_index``)
        self.memo: dict[Any, Any] = {}
        for known in index.entities.values():
            if not linkable(known):
                continue
            for word in {w for k in known.name_keys() for w in k.split()} | known.initials():
                self.by_word.setdefault(word, set()).add(known.iri)
            for a in known.amounts:
                self.by_amount.setdefault(amount_bucket(a), set()).add(known.iri)
            for kind, purpose in filter(None, map(described, known.name_keys())):
                self.described.setdefault(kind, []).append((known.iri, purpose))
            for key in node_keys(known):
                self.by_key.setdefault(key, set()).add(known.iri)
            for name in known.name_keys():
                for word in lookup_words(name.split()):
                    self.names_by_word.setdefault(word, set()).add(name)
            if known.type == "Fund" and known.amounts and not known.name_keys():
                for bucket in set(map(amount_bucket, known.amounts)):
                    self.bare.setdefault(bucket, []).append(known.iri)
                if not known.acronyms():  # its sum is all the evidence it can have
                    self.plain_bare.add(known.iri)
        names = sorted({n for held in self.names_by_word.values() for n in held})
        self.looked_up = {n: frozenset(lookup_words(n.split())) for n in names}
        for name in names:  # each name under its rarest distinctive word
            mine = [w for w in name.split() if distinctive_word(w)]
            if mine:
                anchor = min(mine, key=lambda w: (len(self.names_by_word[w]), w))
                self.anchors.setdefault(anchor, []).append((name, frozenset(name.split())))
            else:  # "5g": few
                self.undistinctive.append((name, frozenset(name.split())))
        self.by_length = sorted(names, key=len)
        self.lengths = [len(n) for n in self.by_length]

    def iris(self, keys: set[str]) -> set[str]:
        """Give the nodes holding any of these typed keys."""
        return set().union(*(self.by_key.get(k, ()) for k in keys))

    def names_with_any(self, words: frozenset[str]) -> set[str]:
        """Give the name keys holding any of these words."""
        return set().union(*(self.names_by_word.get(w, ()) for w in words))

    def names_with_all(self, words: frozenset[str]) -> set[str]:
        """Give the name keys holding all of these words."""
        sets = sorted((self.names_by_word.get(w, set()) for w in words), key=len)
        return set.intersection(*sets) if sets else set()

    def wanted(self, query: LinkQuery) -> set[str]:
        """Give what ``query.wanted(self.names_with_any(query.words))`` gives, without reading every name
        sharing a word with the article: a name all of whose words are in the text is found under its
        rarest distinctive word, and a near-equal one among the names near the article's (``near``)."""
        out = self.names_in(query.text_words, distinctive=True)
        for mine in query.fuzzy:
            out.update(n for n, _ in self.near(mine, query.cutoff) if not self.looked_up[n].isdisjoint(query.words))
        return out

    def names_in(self, text: frozenset[str], *, distinctive: bool = False) -> set[str]:
        """Give the name keys all of whose words are in a text (``distinctive``: only those with a distinctive word)."""
        if self.memo.get("text", (None,))[0] is not text:  # asked twice per article: to select, to link
            self.memo["text"] = (text, {name for w in text if w in self.anchors
                                        for name, words in self.anchors[w] if words <= text})
        out = set(self.memo["text"][1])
        if not distinctive:
            out.update(name for name, words in self.undistinctive if words <= text)
        return out

    def near(self, key: str, cutoff: float) -> list[tuple[str, float]]:
        """Give the name keys with the numbers of ``key`` and a ``fuzz.ratio`` with it of ``cutoff`` or more,
        with that ratio; worked out once per key. Only names of near lengths can have that ratio:
        it is at most 200 * min(la, lb) / (la + lb)."""
        found = self.memo.get(("near", key, cutoff))
        if found is None:
            n = len(key)
            lo, hi = (cutoff * n / (200 - cutoff) - 1, n * (200 - cutoff) / cutoff + 1) if 0 < cutoff < 200 else (0, 1e9)
            names = self.by_length[bisect_left(self.lengths, lo): bisect_right(self.lengths, hi)]
            found = self.memo[("near", key, cutoff)] = [
                (name, score) for name, score, _ in process.extract(key, names, scorer=fuzz.ratio, score_cutoff=cutoff,
                                                                    limit=None)
                if name_numbers(name) == name_numbers(key)]
        return found


def _stamp(index: EntityIndex) -> tuple[int, ...]:
    # summed in C (map, len): asked once per article linked, over every node of the graph
    nodes = index.entities.values()
    return len(nodes), *(sum(map(len, map(attrgetter(a), nodes))) for a in ("names", "amounts", "context"))


def word_index(index: EntityIndex) -> WordIndex:
    """Give the index's word index, built again when nodes or their names, sums or context changed."""
    cache = getattr(index, "_link_words", None)
    if cache is None or cache.stamp != _stamp(index):
        cache = WordIndex(index)
        index._link_words = cache  # type: ignore[attr-defined]
    return cache


def candidates(index: EntityIndex, words: set[str], amounts: set[float], *,
               every_word: bool = False, cache: WordIndex | None = None) -> list[KnownEntity]:
    """Give the nodes that share a name word, an initialism or a two-figure sum with the article
    (with ``every_word``: the nodes whose names hold all of ``words``)."""
    cache = cache or word_index(index)
    if every_word:
        sets = [cache.by_word.get(w, set()) for w in words]
        iris = set.intersection(*sets) if sets else set()
    else:
        iris = set().union(*(cache.by_word.get(w, ()) for w in words),
                           *(cache.by_amount.get(a, ()) for a in amounts))
    # sorted: set order varies from run to run, links must not
    return [index.entities[i] for i in sorted(iris)]
