"""The index of what the graph already holds (``EntityIndex``): nodes by IRI, with lookups by name,
acronym, surname, code, a fund's sum and purpose, and near-equal names of near length.

Input: ``KnownEntity`` nodes, as resolution adds or merges them. Output: the known node an entity
is (``match``), or None when none is or the match is ambiguous.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from itertools import chain

from rapidfuzz import fuzz, process

from ..model import Entity, Identifier
from .known import KnownEntity, amount_bucket, amount_buckets, fund_matches
from .names import normalise_name, surname_of

#: ``fuzz.ratio`` on normalised names at or above which two specific names are one thing.
NAME_RATIO = 92.0



class EntityIndex:
    """What the graph already knows: nodes by IRI, with lookups by name, acronym, surname and code."""

    def __init__(self) -> None:
        self.entities: dict[str, KnownEntity] = {}
        self._types: dict[str, dict[str, KnownEntity]] = {}
        self._by_form: dict[tuple[str, str], set[str]] = {}
        self._by_code: dict[tuple[str, str, str], str] = {}
        self._by_initials: dict[tuple[str, str], set[str]] = {}
        self._by_acronym: dict[tuple[str, str], set[str]] = {}
        self._by_surname: dict[str, set[str]] = {}
        # funds by amount (two significant figures) and a word: only a fund that shares the amount and
        # a word of what it is for can be the same fund without sharing a name (``fund_matches``)
        self._by_purpose: dict[tuple[float, str], set[str]] = {}
        self._bare: dict[float, set[str]] = {}  # funds no name word describes ("£5m"), by amount
        # and the words around them: each one's context when last added (the node's own set, not a
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
        current = self.entities.get(known.iri)
        if current is None:
            self.entities[known.iri] = current = known
            self._types.setdefault(known.type, {})[known.iri] = known
        else:
            current.merge(known)
        current.compact()  # a quarter of the memory of its sets: tens of thousands of nodes are held
        self.changed.add(current.iri)
        t, iri = current.type, current.iri
        for form in current.name_keys():
            if iri not in self._by_form.setdefault((t, form), set()):
                self._by_form[(t, form)].add(iri)
                keys, owners = self._keys.setdefault((t, len(form)), ([], []))
                keys.append(form)
                owners.append(iri)
            if t == "Person" and " " in form:
                self._by_surname.setdefault(surname_of(form), set()).add(iri)
        for a in current.initials():
            self._by_initials.setdefault((t, a), set()).add(iri)
        for a in current.acronyms():
            self._by_acronym.setdefault((t, a), set()).add(iri)
        if t == "Fund" and current.amounts:
            purpose = current.purpose()
            for bucket in set(map(amount_bucket, current.amounts)):
                for word in purpose:
                    self._by_purpose.setdefault((bucket, word), set()).add(iri)
                if not purpose:
                    self._bare.setdefault(bucket, set()).add(iri)
            if not purpose:  # a context only grows: the words not said around it before are new
                said = self._said_around.get(iri, ())
                for word in current.context:
                    if word not in said:
                        self._bare_count[word] = self._bare_count.get(word, 0) + 1
                self._said_around[iri] = current.context
        for ident in current.identifiers:
            # a county and its council share a GSS code: the type keeps them two nodes
            self._by_code.setdefault((t, ident.scheme, ident.value), iri)
        return current

    def of_type(self, type_: str) -> Iterable[KnownEntity]:
        """Give every known node of one entity type."""
        return self._types.get(type_, {}).values()

    def match(self, entity: Entity, identifiers: tuple[Identifier, ...] = (), context: str = "") -> KnownEntity | None:
        """Give the known node this entity is, or None when nothing matches or the match is ambiguous."""
        for ident in identifiers:
            iri = self._by_code.get((entity.type, ident.scheme, ident.value))
            if iri is not None:
                return self.entities[iri]
        probe = KnownEntity.from_entity("", entity, identifiers, context)
        if entity.type == "Fund":
            # tiers, each tried only when the one before finds no match: the same name or acronym;
            # the same sum said of the same purpose; a near-equal name. Else "Mid Devon X Fund" met
            # its own node and "Devon X Fund", was ambiguous, and made a new node, and every later
            # mention met one more (123 nodes of one name at 10,000 benchmark articles); and a named
            # sum ("£2.5m Fenmere Harbour Fund") met its own node and the bare sums said near its
            # name ("£2.5m" with "harbour" around it): 17 nodes of one named sum there
            tiers = (lambda: (*self._exact(probe), *self._acronym(probe)),
                     lambda: [self.entities[i] for i in sorted(self._same_amount_and_word(probe))],
                     lambda: self._fuzzy(probe))
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
                found |= self._by_purpose.get((bucket, word), set())
            bare = self._bare.get(bucket)
            if not bare:
                continue
            if purpose:  # a bare fund with (up to two of) the probe's purpose words around it
                words = list(purpose)
            else:  # two bare funds with three words around them in common: one is not among the
                # probe's two most frequent words
                words = sorted(around, key=lambda w: (self._bare_count.get(w, 0), w))[:-2]
            wanted = frozenset(words)
            if wanted:
                found |= {i for i in bare if not wanted.isdisjoint(self._said_around[i])}
        return found

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
        iris = set().union(*(self._by_form.get((probe.type, f), set()) for f in keys))
        # re-check: a node's keys can shrink as it learns names (a stray acronym meets its long form)
        found = [self.entities[i] for i in sorted(iris) if self.entities[i].name_keys() & keys]
        # a node whose own name (label) is the probe's comes before one that was also called
        # so ("Office of the Leader of the House of Commons", once called "House of Commons"): else the
        # two were ambiguous, the probe made a new node, and each later "House of Commons" met one
        # more (420 such nodes in the 10,000-article benchmark store)
        name = normalise_name(probe.label)  # the probe's own name, not its aliases ("Fraud Office")
        labelled = [k for k in found if normalise_name(k.label) == name]
        return labelled if len(labelled) == 1 else found

    def _acronym(self, probe: KnownEntity) -> list[KnownEntity]:
        t = probe.type
        iris = set().union(*(self._by_initials.get((t, a), set()) for a in probe.acronyms()),
                           *(self._by_acronym.get((t, a), set()) for a in probe.initials()))
        return [self.entities[i] for i in sorted(iris)]

    def _surname(self, probe: KnownEntity) -> KnownEntity | None:
        """A bare surname ("Mr Hunt") is the one known person with that surname, or with it and the same post."""
        names = [f for f in probe.name_keys() if " " not in f]
        if not names or any(" " in f for f in probe.name_keys()):
            return None
        hits = [self.entities[i] for i in sorted(self._by_surname.get(names[0], ()))]
        if len(hits) > 1 and probe.roles:
            hits = [k for k in hits if k.roles & probe.roles]
        return hits[0] if len(hits) == 1 else None

    def _fuzzy(self, probe: KnownEntity) -> list[KnownEntity]:
        hits = []
        c = (100 - NAME_RATIO) / 100  # the ratio is at most 100 * (1 - |la - lb| / (la + lb))
        for a in probe.name_keys():
            for length in range(math.floor(len(a) * (1 - c) / (1 + c)), math.ceil(len(a) * (1 + c) / (1 - c)) + 1):
                keys, owners = self._keys.get((probe.type, length), ((), ()))
                for b, _, i in process.extract(a, keys, scorer=fuzz.ratio, score_cutoff=NAME_RATIO, limit=None):
                    if _digits(a) != _digits(b):
                        continue
                    if probe.type == "Person" and a.split()[0] != b.split()[0]:
                        continue  # "Jon Smith" / "John Smith": a first name differing is another person
                    hits.append(self.entities[owners[i]])
        return hits


def _digits(form: str) -> set[str]:
    return set(re.findall(r"\d+", form))
