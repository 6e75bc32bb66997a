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

from operator import attrgetter

from ..gazetteer import Gazetteer
from ..model import Extraction
from . import EntityIndex, KnownEntity
from .cues import SET_UP, described
from .lookup import descriptions, lookup_words, node_keys, short_names
from .names import amount_bucket

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


def short_name_evidence(probes: list, index: EntityIndex, article_id: str, cache: WordIndex | None = None) -> Evidence:
    """Give nodes an article calls by a capitalised short name whose words all occur in one node's name.

    "the Bus Review" stands for the "Review of Rural Bus Services" when that is the only
    programme or fund of the graph whose name holds both words; a short name two nodes share, or
    one that is a node's whole name, is no evidence for another node.
    """
    found: Evidence = {}
    for probe, start, end, _, _ in probes:
        if probe.type not in LINKABLE:
            continue
        for form, words in short_names(probe):
            holders = candidates(index, set(words), set(), every_word=True, cache=cache)
            if any(form in k.name_keys() for k in holders):
                continue  # the whole name of a node ("Harbour Renewal Fund"), not a short one for a longer name
            owners = {k.iri for k in holders
                      if k.type in LINKABLE
                      and not k.articles <= {article_id}
                      and any(set(words) <= set(key.split()) and len(key.split()) > len(words)
                              for key in k.name_keys())}
            if len(owners) == 1:
                found[owners.pop()] = (0.9, start, end)
    return found


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
