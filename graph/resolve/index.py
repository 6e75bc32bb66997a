"""The index of what the graph already holds (``EntityIndex``): nodes by IRI, with lookups by name,
acronym, surname, code, a fund's sum and purpose, and near-equal names of near length.

Input: ``KnownEntity`` nodes, as resolution adds or merges them. Output: the known node an entity
is (``match``), or None when none is or the match is ambiguous.
"""

from __future__ import annotations

import math
import re
import itertools
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from itertools import chain

from rapidfuzz import fuzz, process

from ..model import Entity, Identifier
from .known import KnownEntity, amount_bucket, amount_buckets, fund_matches
from .names import normalise_name, surname_of

#: ``fuzz.ratio`` on normalised names at or above which two specific names are one thing.
NAME_RATIO = 92.0
#: The kinds of lookup an index keeps (``entries``), besides codes.
KINDS = ("form", "surname", "initials", "acronym", "purpose", "bare")
_EMPTY: frozenset[str] = frozenset()



class EntityIndex:
    """What the graph already knows: nodes by IRI, with lookups by name, acronym, surname and code."""

    def __init__(self) -> None:
        self.entities: dict[str, KnownEntity] = {}
        self._types: dict[str, dict[str, KnownEntity]] = {}
        # lookups (``entries``): "form" (type, name key), "initials" and "acronym" (type, letters),
        # "surname" (surname,), and for funds "purpose" (amount to two significant figures, a word
        # of what it is for: only a fund that shares the amount and a word of what it is for can
        # be the same fund without sharing a name, ``fund_matches``) and "bare" (amount,): funds no
        # name word describes ("£5m")
        self._by: dict[str, dict[tuple, set[str]]] = {kind: {} for kind in KINDS}
        self._by_code: dict[tuple[str, str, str], str] = {}
        # the words around bare funds: each one's context when last added (the node's own set, not a
        # copy), and how many of them each word was said around (sets of funds by word took a third
        # of the index's memory)
        self._said_around: dict[str, AbstractSet[str]] = {}
        self._bare_count: dict[str, int] = {}
        # (type, length) -> (keys, their IRIs), for rapidfuzz: a ratio of NAME_RATIO or more needs lengths
        # within (100 - NAME_RATIO)% of their sum, so only keys of near lengths are compared
        self._keys: dict[tuple[str, int], tuple[list[str], list[str]]] = {}
        #: The IRIs of nodes added or merged into since the index was read (``entity_cache`` clears it
        #: when it reads or saves the index, so a save rewrites only these nodes).
        self.changed: set[str] = set()
        #: The saved cache this index is, apart from ``changed``: ``entity_cache``'s generation mark.
        self.saved_as: str | None = None

    def __len__(self) -> int:
        return len(self.entities)

    def add(self, known: KnownEntity) -> KnownEntity:
        """Give the node after adding it, or after merging its names, amounts and codes into the one held."""
        current = self._node(known.iri)
        if current is None:
            self.entities[known.iri] = current = known
            self._types.setdefault(known.type, {})[known.iri] = known
        else:
            current.merge(known)
        current.compact()  # a quarter of the memory of its sets: tens of thousands of nodes are held
        self.changed.add(current.iri)
        iri = current.iri
        for kind, key in entries(current):
            if kind == "code":  # a county and its council share a GSS code: the type keeps them two nodes
                self._by_code.setdefault(key, iri)  # type: ignore[arg-type]
                continue
            held = self._by[kind].setdefault(key, set())
            if iri not in held:
                held.add(iri)
                if kind == "form":
                    keys, owners = self._keys.setdefault((key[0], len(key[1])), ([], []))
                    keys.append(key[1])
                    owners.append(iri)
        if current.type == "Fund" and current.amounts and not current.purpose():
            said = self._said_around.get(iri, ())  # a context only grows: the words not said around it before are new
            for word in current.context:
                if word not in said:
                    self._bare_count[word] = self._bare_count.get(word, 0) + 1
            self._said_around[iri] = current.context
        return current

    def get(self, iri: str) -> KnownEntity | None:
        """Give the node with this IRI, or None."""
        return self._node(iri)

    # What the lookups read, one method each, so that an index read lazily from a cache
    # (``lazy_index.LazyIndex``) answers them from the cache and what this run added.
    def _node(self, iri: str) -> KnownEntity | None:
        return self.entities.get(iri)

    def _ids(self, kind: str, key: tuple) -> AbstractSet[str]:
        return self._by[kind].get(key, _EMPTY)

    def _code(self, key: tuple[str, str, str]) -> str | None:
        return self._by_code.get(key)

    def _near_keys(self, type_: str, length: int) -> list[tuple[list[str], list[str]]]:
        return [self._keys[(type_, length)]] if (type_, length) in self._keys else []

    def _bare_saying(self, bucket: float, wanted: frozenset[str] | None) -> set[str]:
        """Give the bare funds of an amount with a wanted word said around them (with None: any one, or none)."""
        bare = self._by["bare"].get((bucket,), _EMPTY)
        if wanted is None:
            return set(itertools.islice(bare, 1))
        return {i for i in bare if not wanted.isdisjoint(self._said_around[i])}

    def _count(self, word: str) -> int:
        return self._bare_count.get(word, 0)

    def of_type(self, type_: str) -> Iterable[KnownEntity]:
        """Give every known node of one entity type."""
        return self._types.get(type_, {}).values()

    def match(self, entity: Entity, identifiers: tuple[Identifier, ...] = (), context: str = "") -> KnownEntity | None:
        """Give the known node this entity is, or None when nothing matches or the match is ambiguous."""
        for ident in identifiers:
            iri = self._code((entity.type, ident.scheme, ident.value))
            if iri is not None:
                return self._node(iri)
        probe = KnownEntity.from_entity("", entity, identifiers, context)
        if entity.type == "Fund":
            # tiers, each tried only when the one before finds no match: the same name or acronym;
            # the same sum said of the same purpose; a near-equal name. Else "Mid Devon X Fund" met
            # its own node and "Devon X Fund", was ambiguous, and made a new node, and every later
            # mention met one more (123 nodes of one name at 10,000 benchmark articles); and a named
            # sum met its own node and the bare sums said near its name ("£0.1m" with "levelling"
            # around it: 17 nodes of one named sum)
            tiers = (lambda: (*self._exact(probe), *self._acronym(probe)),
                     lambda: self._nodes(self._same_amount_and_word(probe)), lambda: self._fuzzy(probe))
            for tier in (t() for t in tiers):
                matching = (k for k in tier if fund_matches(probe, k))
                first = next(matching, None)
                if first is not None:  # the one fund that matches, or None at a second: ambiguous
                    return self._unique(chain((first,), matching))
            return None
        found = self._unique(self._exact(probe))
        if found is None:
            found = self._unique(self._acronym(probe))
        if found is None and entity.type == "Person":
            found = self._surname(probe)
        if found is None:
            found = self._unique(self._fuzzy(probe))
        return found

    def _same_amount_and_word(self, probe: KnownEntity) -> set[str]:
        """Give the funds near the probe's amount that ``fund_matches`` could take without a shared name.

        It takes a fund of the same amount when their purposes share a word, or when one of them is
        a bare amount ("£5m") and the words around it agree. So a candidate shares a purpose word
        with the probe's purpose (or, for a bare probe, with its surroundings), or is a bare amount
        (the rest sharing a name are found by name). Comparing every fund of the amount grew with
        the graph.
        """
        purpose, around = probe.purpose(), probe.context
        found: set[str] = set()
        for bucket in set().union(*(amount_buckets(a) for a in probe.amounts)):
            for word in purpose or around:  # two named purposes must share a word; a bare one, be said around
                found |= self._ids("purpose", (bucket, word))
            if not self._bare_saying(bucket, None):
                continue
            if purpose:  # a bare fund with (up to two of) the probe's purpose words around it
                words = list(purpose)
            else:  # two bare funds with three words around them in common: one is not among the
                # probe's two most frequent words
                words = sorted(around, key=lambda w: (self._count(w), w))[:-2]
            if words:
                found |= self._bare_saying(bucket, frozenset(words))
        return found

    def _nodes(self, iris: AbstractSet[str]) -> list[KnownEntity]:
        return [self._node(i) for i in sorted(iris)]  # type: ignore[misc]

    def _unique(self, found: Iterable[KnownEntity]) -> KnownEntity | None:
        # stops at a second node: ``found`` is often a lazy test of every candidate
        first = None
        for k in found:
            if first is None:
                first = k
            elif k.iri != first.iri:
                return None
        return first

    def _exact(self, probe: KnownEntity) -> list[KnownEntity]:
        keys = probe.name_keys()
        iris = set().union(*(self._ids("form", (probe.type, f)) for f in keys))
        # re-check: a node's keys can shrink as it learns names (a stray acronym meets its long form)
        found = [k for k in self._nodes(iris) if k.name_keys() & keys]
        # a node whose own name (label) is the probe's comes before one that was also called
        # so ("Office of the Leader of the House of Commons", once called "House of Commons"): else the
        # two were ambiguous, the probe made a new node, and each later "House of Commons" met one
        # more (420 such nodes in the 10,000-article benchmark store)
        name = normalise_name(probe.label)  # the probe's own name, not its aliases ("Fraud Office")
        labelled = [k for k in found if normalise_name(k.label) == name]
        return labelled if len(labelled) == 1 else found

    def _acronym(self, probe: KnownEntity) -> list[KnownEntity]:
        t = probe.type
        iris = set().union(*(self._ids("initials", (t, a)) for a in probe.acronyms()),
                           *(self._ids("acronym", (t, a)) for a in probe.initials()))
        return self._nodes(iris)

    def _surname(self, probe: KnownEntity) -> KnownEntity | None:
        """A bare surname ("Mr Hunt") is the one known person with that surname, or with it and the same post."""
        names = [f for f in probe.name_keys() if " " not in f]
        if not names or any(" " in f for f in probe.name_keys()):
            return None
        hits = self._nodes(self._ids("surname", (names[0],)))
        if len(hits) > 1 and probe.roles:
            hits = [k for k in hits if k.roles & probe.roles]
        return hits[0] if len(hits) == 1 else None

    def _fuzzy(self, probe: KnownEntity) -> list[KnownEntity]:
        hits = []
        c = (100 - NAME_RATIO) / 100  # the ratio is at most 100 * (1 - |la - lb| / (la + lb))
        for a in probe.name_keys():
            for length in range(math.floor(len(a) * (1 - c) / (1 + c)), math.ceil(len(a) * (1 + c) / (1 - c)) + 1):
                for keys, owners in self._near_keys(probe.type, length):
                    for b, _, i in process.extract(a, keys, scorer=fuzz.ratio, score_cutoff=NAME_RATIO, limit=None):
                        if _digits(a) != _digits(b):
                            continue
                        if probe.type == "Person" and a.split()[0] != b.split()[0]:
                            continue  # "Jon Smith" / "John Smith": a first name differing is another person
                        hits.append(self._node(owners[i]))
        return hits  # type: ignore[return-value]


def entries(known: KnownEntity) -> Iterator[tuple[str, tuple]]:
    """Give the lookups a node is found by: (kind, key), kinds as in ``EntityIndex._by``, and "code"."""
    t = known.type
    for form in known.name_keys():
        yield "form", (t, form)
        if t == "Person" and " " in form:
            yield "surname", (surname_of(form),)
    yield from (("initials", (t, a)) for a in known.initials())
    yield from (("acronym", (t, a)) for a in known.acronyms())
    if t == "Fund" and known.amounts:
        purpose = known.purpose()
        for bucket in set(map(amount_bucket, known.amounts)):
            yield from (("purpose", (bucket, word)) for word in purpose)
            if not purpose:
                yield "bare", (bucket,)
    yield from (("code", (t, i.scheme, i.value)) for i in known.identifiers)


def _digits(form: str) -> set[str]:
    return set(re.findall(r"\d+", form))
