"""A new article -> the programmes and funds already in the graph it refers to, scored, with evidence.

Input: an ``Extraction`` and the ``EntityIndex`` of the store (``load_entity_index``, one query).
Output: ``Link`` records, best first, each with the sentence that shows the reference.

Evidence is sought two ways so that a missed or mistyped extraction does not lose a link: the
article's own entities matched by the resolver's rules (same specific name, acronym, near-equal
name, a fund's amount plus purpose), and the graph node's specific names found verbatim in the text.
Two weaker kinds need more: a node known only by its sum ("£570 million") links on an equal sum
with enough purpose words shared around the two mentions, and a capitalised short name ("the Care
Review") links the one programme or fund whose name holds all its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz
from rdflib import URIRef

from .gazetteer import Gazetteer, load_gazetteer
from .model import Evidence, Extraction, Identifier, Link
from .resolve import EntityIndex, KnownEntity
from .resolve.names import (
    GENERIC,
    STOP,
    acronym_of,
    amount_buckets,
    content_words,
    fund_matches,
    is_amount,
    is_specific,
    normalise_name,
    same_amount,
)
from .store import Store
from .vocab import CLASS_TYPES, OA, ORG, RKG, SCHEMA

#: Scores at or above this are links. Calibrated on the dev sets by ``scripts/calibrate_links.py``.
LINK_THRESHOLD = 0.85
LINKABLE = ("Programme", "Fund")
_SKOS = "http://www.w3.org/2004/02/skos/core#"

# Every branch is one triple pattern (or one mention's chain) and rows are merged by ?e in Python:
# a node stated in n article graphs appears n times in the union default graph, so any join of
# two of its triples ("?e a ?type ; skos:prefLabel ?l") costs n^2 rows.
INDEX_QUERY = f"""
SELECT DISTINCT ?e ?type ?label ?alt ?amount ?code ?qid ?role ?art ?ctx WHERE {{
  {{ VALUES ?type {{ {" ".join(f"<{c}>" for c in CLASS_TYPES)} }} ?e a ?type }}
  UNION {{ ?e <{_SKOS}prefLabel> ?label }}
  UNION {{ ?e <{_SKOS}altLabel> ?alt }}
  UNION {{ ?e <{SCHEMA.amount}>/<{SCHEMA.value}> ?amount }}
  UNION {{ ?e <{RKG.gssCode}> ?code }} UNION {{ ?e <{RKG.wikidata}> ?qid }}
  UNION {{ ?h <{ORG.member}> ?e ; <{RKG.roleLabel}> ?role }}
  UNION {{ ?art <{RKG.mentions}> ?e }}
  UNION {{ ?m <{RKG.mentionOf}> ?e ; <{OA.hasSource}> ?src ; <{OA.hasSelector}> ?pos .
           ?pos <{OA.start}> ?s ; <{OA.end}> ?t . ?src <{RKG.text}> ?text .
           BIND(SUBSTR(?text, IF(?s > 160, ?s - 159, 1), ?t - ?s + 320) AS ?ctx) }}
}}"""


def load_entity_index(store: Store) -> EntityIndex:
    """Give the index of every entity node in the store, read with one query (names, amounts, codes, posts)."""
    index = EntityIndex()
    types: dict[str, str] = {}
    labels: dict[str, str] = {}
    facts: dict[str, list[dict]] = {}
    for row in store.query(INDEX_QUERY).records():
        iri = row["e"].value
        if "type" in row:
            types[iri] = CLASS_TYPES[URIRef(row["type"].value)]
        elif "label" in row:
            labels.setdefault(iri, row["label"].value)
        else:
            facts.setdefault(iri, []).append(row)
    nodes: dict[str, KnownEntity] = {}
    for iri, type_ in types.items():
        known = nodes[iri] = KnownEntity(iri, type_, labels.get(iri, iri))
        for row in facts.get(iri, ()):
            if "alt" in row:
                known.names.add(row["alt"].value)
            elif "amount" in row:
                known.amounts.add(float(row["amount"].value))
            elif "code" in row:
                known.identifiers.add(Identifier("gss", row["code"].value))
            elif "qid" in row:
                known.identifiers.add(Identifier("wikidata", row["qid"].value))
            elif "role" in row:
                known.roles.add(normalise_name(row["role"].value))
            elif "art" in row:
                known.articles.add(row["art"].value.rsplit("/", 1)[-1])
            elif "ctx" in row and type_ == "Fund":
                known.context |= content_words(row["ctx"].value)
    for known in nodes.values():
        known.forms = {f for f in map(normalise_name, known.names) if f}
        index.add(known)
    return index


def sentence_at(article_id: str, text: str, start: int, end: int) -> Evidence:
    """Give the sentence of ``text`` around a span: from the last sentence end or line break before it."""
    left = max((m.end() for m in re.finditer(r"[.!?][\"'”’)]?\s+|\n", text[:start])), default=0)
    right_match = re.search(r"[.!?](?=[\"'”’)]?(\s|$))|\n", text[end:])
    right = end + right_match.end() if right_match else len(text)
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    return Evidence(article_id, text[left:right], left, right)


_IN_TITLE = re.compile(r"\b(Secretary|Minister|Department|Ministry|Office)( of State)? (for|of) (the )?$", re.IGNORECASE)


_LONGER_NAME = re.compile(r"[ \t]+[A-Z][a-z]")
_INDEFINITE = re.compile(r"\b(a|an|another|any|each|every)\s+$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A regex finding a node's name in running text; None for names too weak to search alone."""
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    acronym = acronym_of(name)
    if acronym:
        return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    words = re.findall(r"[\w£]+", name)
    form = normalise_name(name)
    distinctive = [w for w in form.split() if w not in GENERIC and w not in STOP and not w[0].isdigit()]
    if len(words) < 2 or not distinctive or not is_specific(form):
        return None
    sep = r"[\s\-–—'’,]+(?:s\s+)?"
    return re.compile(r"(?<![\w-])" + sep.join(re.escape(w) for w in words) + r"(?![\w-])", re.IGNORECASE)


def _text_evidence(known: KnownEntity, text: str, gazetteer: Gazetteer) -> Iterable[tuple[float, int, int]]:
    for name in sorted(known.names):
        form = normalise_name(name)
        if form not in known.name_keys() or gazetteer.lookup(name):
            continue  # a place or body's name is not evidence of a programme
        pattern = _name_pattern(name)
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            if _IN_TITLE.search(text[max(0, m.start() - 40): m.start()]):
                yield 0.5, m.start(), m.end()  # "Secretary of State for Levelling Up" names a post
            elif _INDEFINITE.search(text[max(0, m.start() - 10): m.start()]):
                yield 0.6, m.start(), m.end()  # "an independent review" introduces a new thing
            elif _LONGER_NAME.match(text, m.end()):
                yield 0.6, m.start(), m.end()  # "Levelling Up Fund" is another thing than "Levelling Up"
            else:
                yield (0.9 if acronym_of(name) else 0.95), m.start(), m.end()
                break


def _probes(extraction: Extraction) -> list[tuple[KnownEntity, int, int, int, int]]:
    """The article's programme, fund and body entities as nodes: (probe, name span, amount span)."""
    text = extraction.article.text
    out = []
    for entity in extraction.entities:
        if entity.type not in ("Programme", "Fund", "Organisation") or not entity.mentions:
            continue
        span = entity.mentions[0]
        amount = next((s for s in entity.mentions if re.search(r"\d", s.text)), span)
        context = " ".join(text[max(0, s.start - 160): s.end + 160] for s in entity.mentions[:4])
        out.append((KnownEntity.from_entity("", entity, (), context), span.start, span.end, amount.start, amount.end))
    return out


def _entity_evidence(known: KnownEntity, probes: list) -> Iterable[tuple[float, int, int]]:
    theirs = known.name_keys()
    for probe, start, end, amount_start, amount_end in probes:
        mine = probe.name_keys()
        if mine & theirs:
            yield 1.0, start, end
        elif probe.type == "Organisation":
            continue  # a body shares a programme's exact name at most ("Better Care Fund" typed as a body)
        elif (probe.acronyms() & known.initials()) or (known.acronyms() & probe.initials()):
            yield 0.95, start, end
        elif not theirs:  # a node known only by its sum ("£570 million"): the sum and what it is for
            if probe.type == known.type == "Fund" and any(same_amount(a, b) for a in probe.amounts
                                                          for b in known.amounts):
                yield (0.9 if _bare_fund_matches(probe, known) else 0.6), amount_start, amount_end
        elif probe.type == known.type == "Fund" and probe.amounts and known.amounts and any(
                same_amount(a, b) for a in probe.amounts for b in known.amounts):
            # the same sum: a link when the purposes agree, a weak hint when they do not
            yield (0.9 if fund_matches(probe, known) else 0.6), amount_start, amount_end
        else:
            best = max((fuzz.ratio(a, b) for a in mine for b in theirs
                        if set(re.findall(r"\d+", a)) == set(re.findall(r"\d+", b))), default=0.0)
            if best >= 75:
                yield best / 100, start, end


#: Function words ``content_words`` keeps that say nothing about what a sum is for.
_FUNCTION = {"them", "him", "her", "its", "there", "here", "what", "when", "where", "how", "can", "could",
             "should", "may", "might", "must", "such", "some", "other", "only", "just", "very", "about",
             # when, not what for: "over the next five years"
             "next", "last", "past", "coming", "four", "five", "six", "seven", "eight", "nine", "ten",
             "twenty", "month", "months", "week", "weeks", "day", "days", "decade", "period", "time"}


def _bare_fund_matches(probe: KnownEntity, known: KnownEntity) -> bool:
    """Give whether an article's fund is a node known only by an equal sum: enough shared purpose words.

    A round sum ("£600m", "£10m": one significant figure) is common to many unrelated funds, so it
    needs five words in common around the two mentions; an exact-looking one ("£570m") needs three.
    """
    shared = ((probe.context | probe.purpose()) & known.context) - _FUNCTION
    digits = f"{round(min(known.amounts))}".rstrip("0")
    return len(shared) >= (3 if len(digits) >= 2 else 5)


#: Kind words a programme's short name ends with: "the Care Review" for a review of children's social care.
_KINDS = {"review", "plan", "strategy", "fund", "programme", "scheme", "framework", "paper", "deal", "bill"}
_PROPER = re.compile(r"(?:[A-Z][\w’'-]*|of|and|for|the|to|in)(?:\s+(?:[A-Z][\w’'-]*|of|and|for|the|to|in))*")


def _short_name_evidence(probes: list, index: EntityIndex, article_id: str) -> dict[str, tuple[float, int, int]]:
    """Give nodes an article calls by a capitalised short name whose words all occur in one node's name.

    "the Care Review" stands for the "Review of Children's Social Care" when that is the only
    programme or fund of the graph whose name holds both words; a short name two nodes share is
    no evidence for either.
    """
    found: dict[str, tuple[float, int, int]] = {}
    for probe, start, end, _, _ in probes:
        if probe.type not in LINKABLE:
            continue
        for name in probe.names:
            name = re.sub(r"^(the|The)\s+", "", name.strip())
            form = normalise_name(name)
            words = [w for w in form.split() if w not in STOP]
            if (not _PROPER.fullmatch(name) or not 2 <= len(words) <= 3 or words[-1] not in _KINDS
                    or not any(w not in GENERIC and not is_amount(w) for w in words)):
                continue
            owners = {k.iri for k in _candidates(index, set(words), set(), every_word=True)
                      if k.type in LINKABLE
                      and not k.articles <= {article_id}
                      and any(set(words) <= set(key.split()) and len(key.split()) > len(words)
                              for key in k.name_keys())}
            if len(owners) == 1:
                found[owners.pop()] = (0.9, start, end)
    return found


class _WordIndex:
    """Linkable nodes by the words, initials and sums of their names, so an article meets only
    the nodes it could refer to instead of every node of the graph (linking was O(nodes) per article)."""

    def __init__(self, index: EntityIndex) -> None:
        self.stamp = _stamp(index)
        self.by_word: dict[str, set[str]] = {}
        self.by_amount: dict[float, set[str]] = {}
        for known in index.entities.values():
            if known.type not in LINKABLE:
                continue
            for word in {w for k in known.name_keys() for w in k.split()} | known.initials():
                self.by_word.setdefault(word, set()).add(known.iri)
            for a in known.amounts:
                self.by_amount.setdefault(float(f"{a:.2g}"), set()).add(known.iri)


def _stamp(index: EntityIndex) -> tuple[int, int]:
    return len(index.entities), sum(len(k.names) + len(k.amounts) for k in index.entities.values())


def _candidates(index: EntityIndex, words: set[str], amounts: set[float], *,
                every_word: bool = False) -> list[KnownEntity]:
    """Give the nodes that share a name word, an initialism or a two-figure sum with the article
    (with ``every_word``: the nodes whose names hold all of ``words``)."""
    cache = getattr(index, "_link_words", None)
    if cache is None or cache.stamp != _stamp(index):
        cache = _WordIndex(index)
        index._link_words = cache  # type: ignore[attr-defined]
    if every_word:
        sets = [cache.by_word.get(w, set()) for w in words]
        iris = set.intersection(*sets) if sets else set()
    else:
        iris = set().union(*(cache.by_word.get(w, ()) for w in words),
                           *(cache.by_amount.get(a, ()) for a in amounts))
    # sorted: set order varies from run to run, links must not
    return [index.entities[i] for i in sorted(iris)]


def _distinctive(keys: set[str]) -> set[str]:
    return {w for k in keys for w in k.split() if w not in GENERIC and w not in STOP and not w[0].isdigit()}


def link_extraction(
    extraction: Extraction, index: EntityIndex, *, threshold: float = LINK_THRESHOLD,
    gazetteer: Gazetteer | None = None,
) -> tuple[Link, ...]:
    """Give the programmes and funds of the graph this article refers to, best first, above the threshold."""
    gazetteer = gazetteer or load_gazetteer()
    article = extraction.article
    links = []
    probes = _probes(extraction)
    words = set(normalise_name(article.text).split())
    amounts = set().union(*(amount_buckets(a) for p in probes for a in p[0].amounts))
    short = _short_name_evidence(probes, index, article.id)
    for known in _candidates(index, words, amounts):
        if known.type not in LINKABLE or known.articles <= {article.id}:
            continue
        keys = known.name_keys()
        # every kind of evidence needs a distinctive word, an acronym or a sum of the node in the article
        bare_fund = not keys and known.type == "Fund" and bool(known.amounts)
        if not (keys or bare_fund) or not (_distinctive(keys) & words or known.initials() & words
                                           or amounts & {float(f"{a:.2g}") for a in known.amounts}):
            continue
        found = [*_entity_evidence(known, probes), *_text_evidence(known, article.text, gazetteer)]
        if known.iri in short:
            found.append(short[known.iri])
        if not found:
            continue
        score, start, end = max(found, key=lambda f: (f[0], -f[1]))
        if score < threshold:
            continue
        aliases = tuple(sorted(known.names - {known.label}))
        links.append(Link(iri=known.iri, name=known.label, type=known.type, score=score,  # type: ignore[arg-type]
                          evidence=sentence_at(article.id, article.text, start, end), aliases=aliases,
                          amount_gbp=known.amount_gbp))
    return tuple(sorted(links, key=lambda lk: (-lk.score, lk.name)))
