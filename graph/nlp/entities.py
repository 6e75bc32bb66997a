"""Mentions -> entities: resolve overlaps, group mentions of one thing, resolve anaphors.

Input: ``Mention`` records of one Doc. Output: ``Cluster`` records, one per real thing, with its
type, canonical name, aliases, amount and mentions. One entity per thing matters: a second
entity for "Ms Moss" beside "Anna Moss" is a false positive.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .mentions import GOVERNMENT, Mention
from .names import acronym_matches, is_acronym, name_key, normalise_name, surname
from .resources import acronym_table, word_set

_RANK = {"money": 0, "gaz": 1, "name": 1, "gov": 2, "ner": 3, "np": 4, "anaphor": 5}
_WEIGHT = {"gaz": 4, "name": 3, "money": 3, "gov": 3, "ner": 1, "np": 2, "anaphor": 0}


@dataclass
class Cluster:
    """The mentions of one entity, with what they say about it."""

    type: str
    mentions: list[Mention] = field(default_factory=list)
    name: str = ""
    amount: float | None = None

    @property
    def first(self) -> int:
        """Give the character offset of the entity's first mention."""
        return min(m.start for m in self.mentions)

    def surfaces(self) -> list[str]:
        """Give every surface form of the entity, in order of first use, without repeats."""
        seen: dict[str, None] = {}
        for m in sorted(self.mentions, key=lambda m: m.start):
            for text in (m.text, *m.aliases, m.canonical):
                if text and text.lower() not in {s.lower() for s in seen}:
                    seen[text] = None
        return list(seen)


def select_mentions(mentions: list[Mention]) -> list[Mention]:
    """Give the mentions that survive overlap resolution: amounts first, then longest, then by source."""
    order = sorted(mentions, key=lambda m: (m.source != "money", -(m.end - m.start), _RANK[m.source], m.start))
    taken: list[Mention] = []
    for m in order:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


@lru_cache(maxsize=8192)
def expanded_key(name: str) -> str:
    """Give a name's key with known acronyms spelled out ("New Anglia LEP" -> "new anglia local enterprise partnership")."""
    table = acronym_table()
    words = [table.get(w, w) for w in re.split(r"\s+", normalise_name(name))]
    return name_key(" ".join(words))


def _key(m: Mention) -> str:
    return name_key(m.canonical or m.text)


def cluster_mentions(mentions: list[Mention]) -> list[Cluster]:
    """Give one Cluster per real thing among the selected, non-anaphoric mentions."""
    by_key: dict[str, list[Mention]] = {}
    amounts: dict[tuple[float, bool], Cluster] = {}
    clusters: list[Cluster] = []
    for m in mentions:
        if m.anaphor:
            continue
        if m.amount is not None:
            c = amounts.get((m.amount, m.per_year))
            if c is None:
                c = amounts[(m.amount, m.per_year)] = Cluster("Fund", amount=m.amount)
                clusters.append(c)
            c.mentions.append(m)
            continue
        key = expanded_key(m.canonical or m.text)
        if key and key not in word_set("generic_bodies"):  # "ICB" alone names no particular board
            by_key.setdefault(key, []).append(m)
    for group in by_key.values():
        c = Cluster("", list(group))
        c.type = _vote(c)
        clusters.append(c)
    clusters = _merge_short_forms(clusters)
    for c in clusters:
        c.type = c.type if c.amount is not None else _vote(c)
        c.name = _canonical_name(c)
        if c.type == "Organisation" and c.name.split(" ")[-1].lower() in {"fund", "grant"}:
            c.type = "Fund"  # a fund mentioned mostly by its acronym
    return _merge_descriptions(sorted(clusters, key=lambda c: c.first))


def _merge_descriptions(clusters: list[Cluster]) -> list[Cluster]:
    """Merge described programmes ("20-year rail strategy") into the one named programme they describe.

    A cluster of lower-case programme phrases joins a named programme of the article with the same
    head word when they share another content word and no other named programme has that head;
    "the X programme" named after a fund X of the article is that fund.
    """
    named = [c for c in clusters if c.type == "Programme" and any(m.source in {"name", "gaz", "ner"} for m in c.mentions)]
    funds = {expanded_key(m.text): c for c in clusters if c.type == "Fund" and c.amount is None for m in c.mentions}
    out = []
    for c in clusters:
        words = normalise_name(c.name).split()
        fund = funds.get(expanded_key(" ".join(words[:-1]))) if c.type == "Programme" and len(words) >= 2 else None
        if fund is not None and words[-1].lower() in {"programme", "scheme", "funding", "money"}:
            fund.mentions.extend(c.mentions)  # "the RBF programme" is the Rural Bus Fund itself
            continue
        if c.type != "Programme" or c in named or not all(m.source == "np" for m in c.mentions):
            out.append(c)
            continue
        head = c.name.split(" ")[-1].lower()
        words = set(name_key(c.name).split()) - {head}
        same_head = [n for n in named if n.name.split(" ")[-1].lower() == head]
        if len(same_head) == 1 and words & set(expanded_key(same_head[0].name).split()):
            same_head[0].mentions.extend(c.mentions)
        else:
            out.append(c)
    return out


def _merge_short_forms(clusters: list[Cluster]) -> list[Cluster]:
    """Merge surnames, acronyms and shortened programme names into the fuller entity they stand for."""
    merged: list[Cluster] = []
    for c in sorted(clusters, key=lambda c: -max(len(m.text) for m in c.mentions)):
        targets = [big for big in merged if _stands_for(c, big)]
        # a bare name is the person it is the surname of before one it is the first name of
        # ("Grant said" after "Alan Grant" and "Grant Shapps")
        target = next((big for big in targets if _by_surname(c, big)), targets[0] if targets else None)
        if target is None:
            merged.append(c)
        else:
            target.mentions.extend(c.mentions)
    return merged


def _by_surname(small: Cluster, big: Cluster) -> bool:
    """Whether every mention of a person ``small`` is the surname of one of ``big``'s full names."""
    names = {surname(normalise_name(m.canonical or m.text)) for m in big.mentions if " " in m.text}
    return small.type == "Person" and all(normalise_name(m.canonical or m.text) in names for m in small.mentions)


def _stands_for(small: Cluster, big: Cluster) -> bool:
    """Give whether every mention of ``small`` is a short form of ``big``'s name."""
    if small.amount is not None or big.amount is not None:
        return False
    texts = [normalise_name(m.canonical or m.text) for m in small.mentions]
    big_names = [normalise_name(m.canonical or m.text) for m in big.mentions if " " in m.text]
    if not big_names:
        return False
    for text in texts:
        if small.type == "Person" or big.type == "Person":
            if not (_looks_personal(big) and " " not in text and any(
                text in {surname(n), n.split(" ")[0]} for n in big_names)):
                return False
        elif is_acronym(text):
            long = acronym_table().get(text, "")
            if not any(acronym_matches(text, n) or (long and long in name_key(n)) for n in big_names):
                return False
        elif small.type == "Programme" and big.type in {"Programme", "Fund"} or (
                small.type == big.type == "Organisation" and len(text.split()) >= 2):
            # "Harbour Plan" in "LEP Harbour Plan", "Executive Board" in "Harbour Plan Executive Board"
            words = set(expanded_key(text).replace("-", " ").split()) - _RUN_HEADS
            if not words or not any(words <= set(expanded_key(n).replace("-", " ").split()) for n in big_names):
                return False
            if not any(_same_head(name_key(text).split()[-1], name_key(n).split()[-1]) for n in big_names):
                return False
        else:
            return False
    return True


# heads that name the same kind of running initiative: "X Skills Project" is "X Skills Plan"
_RUN_HEADS = {"plan", "project", "programme", "scheme", "initiative"}


def _same_head(a: str, b: str) -> bool:
    return a == b or a in _RUN_HEADS and b in _RUN_HEADS


def _looks_personal(c: Cluster) -> bool:
    """Give whether a cluster's names look like a person's ("Grace Okafor", not "Calderdale Council")."""
    if c.type == "Person":
        return True
    heads = word_set("org_heads") | word_set("programme_heads") | word_set("fund_heads")
    names = [normalise_name(m.text).split(" ") for m in c.mentions]
    return c.type == "Organisation" and all(
        2 <= len(w) <= 3 and all(x[:1].isupper() and x.lower() not in heads for x in w) for w in names
    )


def _vote(c: Cluster) -> str:
    votes: Counter[str] = Counter()
    for m in c.mentions:
        votes[m.type] += _WEIGHT[m.source] + (0.5 if m.type == "Person" else 0)
    return votes.most_common(1)[0][0]


def _canonical_name(c: Cluster) -> str:
    """Give the fullest form used for the entity (titles dropped; the canonical name if one is known)."""
    canon = [m.canonical for m in c.mentions if m.canonical]
    if canon:
        return Counter(canon).most_common(1)[0][0]
    texts = [normalise_name(m.text) for m in c.mentions if not is_acronym(m.text)] or [m.text for m in c.mentions]
    if c.amount is not None:
        longer = [a for m in c.mentions for a in m.aliases] + texts
        return max(longer, key=len)
    return max(texts, key=lambda t: (len(t.split()), len(t)))


def resolve_anaphors(mentions: list[Mention], clusters: list[Cluster]) -> None:
    """Attach each anaphor ("the package", "the Plan", "the Council") to the entity it refers back to."""
    for a in (m for m in mentions if m.anaphor):
        target = _antecedent(a, clusters)
        if target is not None:
            target.mentions.append(a)


def _antecedent(a: Mention, clusters: list[Cluster]) -> Cluster | None:
    before = [c for c in clusters if c.first < a.start and c.type == a.type]
    if a.type == "Fund":
        named = [c for c in before if c.amount is None and c.name.lower().endswith(a.head)]
        if a.head in {"fund", "grant"} and named:
            # "the fund" after "the Towns Fund": the named fund most talked about so far, not the largest amount
            return max(named, key=lambda c: (sum(m.start < a.start for m in c.mentions), max(m.start for m in c.mentions if m.start < a.start)))
        funds = [c for c in before if c.amount is not None] or before
        # "the funding"/"the package" refers to the article's main fund: the largest so far
        return max(funds, key=lambda c: (c.amount or 0, -c.first), default=None)
    if a.type == "Organisation":
        same = [c for c in before if a.head in c.name.lower() and c.name != GOVERNMENT]
        return max(same, key=lambda c: max(m.start for m in c.mentions if m.start < a.start), default=None)
    same_head = [c for c in before if any(m.head == a.head for m in c.mentions) or c.name.lower().endswith(a.head)]
    pool = same_head or []
    return max(pool, key=lambda c: max(m.start for m in c.mentions if m.start < a.start), default=None)


def _programme_head(name: str) -> str:
    """Give the first programme head word of a name ("review" in "Review of Rural Transport")."""
    heads = word_set("programme_heads")
    return next((w for w in name.lower().split() if w in heads), name.lower().split(" ")[-1])


def merge_same_owner(text: str, clusters: list[Cluster]) -> list[Cluster]:
    """Merge programmes with one head that the same person owns ("A's independent review", "A's Review of X").

    An owner is a person named just before the programme with "'s"; two programmes of one owner
    and one head word are one programme described twice.
    """
    people = [(m.start, m.end, c) for c in clusters if c.type == "Person" for m in c.mentions]
    owned: dict[tuple[int, str], Cluster] = {}
    out = []
    for c in clusters:
        if c.type != "Programme":
            out.append(c)
            continue
        key = None
        for m in c.mentions:
            for start, end, person in people:
                if start < m.start and re.fullmatch(r"[’']s\s+(?:[a-z-]+\s+)?", text[end : m.start]):
                    key = (id(person), m.head or _programme_head(m.text))
        if key is not None and key in owned:
            owned[key].mentions.extend(c.mentions)
            owned[key].name = _canonical_name(owned[key])
            continue
        if key is not None:
            owned[key] = c
        out.append(c)
    return out
