"""A new article -> the programmes and funds already in the graph it refers to, scored, with evidence.

Input: an ``Extraction`` and the ``EntityIndex`` of the store (``load_entity_index``, one query).
Output: ``Link`` records, best first, each with the sentence that shows the reference.

Evidence is sought two ways so that a missed or mistyped extraction does not lose a link: the
article's own entities matched by the resolver's rules (same specific name, acronym, near-equal
name, a fund's amount plus purpose), and the graph node's specific names found verbatim in the text
(a capitalised name the article writes so only inside longer names is a common phrase there).
Weaker kinds need more (``resolve.candidates``): a node known only by its sum, a capitalised short
name ("the Bus Review"), a programme known by what it is for ("strategy for rural bus services").
A body an article introduced as newly set up ("a new Harbour Renewal Board") is part of a reform
and links like a programme, by its name or by its name with another kind of body ("... Council").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rdflib import URIRef

from .gazetteer import Gazetteer, load_gazetteer
from .model import Evidence, Extraction, Identifier, Link
from .namefind import WORD, NameFinder
from .resolve import EntityIndex, KnownEntity
from .resolve.candidates import (
    WordIndex,
    candidates,
    could_link,
    described_evidence,
    linkable,
    short_name_evidence,
    standing_body,
    unique_bare_sums,
    word_index,
)
from .resolve.cues import SET_UP, body_stem, introduced_as_new
from .resolve.known import amount_bucket, amount_buckets, fund_matches, same_amount
from .resolve.lookup import TIGHT_FLOOR, ProbeTable, article_words, link_query, probes, select
from .resolve.names import acronym_of, content_words, distinctive_word, is_specific, normalise_name
from .store import Store
from .vocab import CLASS_TYPES, OA, ORG, RKG, SCHEMA

#: Scores at or above this are links. Calibrated on the dev sets by ``scripts/calibrate_links.py``.
LINK_THRESHOLD = 0.85
#: Most nodes one span of the article links. A mention names one thing; more nodes fit it as well
#: when resolution kept apart nodes it could not tell apart (a fund's allocations of one name, each
#: with its own sum or of one sum), and those grow with the graph: 45 links an article on average at
#: 10,000 benchmark articles (128 at most), each written into the article's graph by the ingest.
PER_MENTION = 3
_SKOS = "http://www.w3.org/2004/02/skos/core#"

# Every branch is one triple pattern (or one mention's chain) and rows are merged by ?e in Python:
# a node stated in n article graphs appears n times in the union default graph, so any join of
# two of its triples ("?e a ?type ; skos:prefLabel ?l") costs n^2 rows.
INDEX_QUERY = f"""
SELECT DISTINCT ?e ?type ?label ?alt ?amount ?code ?qid ?role ?art ?ctx ?lead WHERE {{
  {{ VALUES ?type {{ {" ".join(f"<{c}>" for c in CLASS_TYPES)} }} ?e a ?type }}
  UNION {{ ?e <{_SKOS}prefLabel> ?label }}
  UNION {{ ?e <{_SKOS}altLabel> ?alt }}
  UNION {{ ?e <{SCHEMA.amount}>/<{SCHEMA.value}> ?amount }}
  UNION {{ ?e <{RKG.gssCode}> ?code }} UNION {{ ?e <{RKG.wikidata}> ?qid }}
  UNION {{ ?h <{ORG.member}> ?e ; <{RKG.roleLabel}> ?role }}
  UNION {{ ?art <{RKG.mentions}> ?e }}
  UNION {{ ?m <{RKG.mentionOf}> ?e ; <{OA.hasSource}> ?src ; <{OA.hasSelector}> ?pos .
           ?pos <{OA.start}> ?s ; <{OA.end}> ?t . ?src <{RKG.text}> ?text .
           BIND(SUBSTR(?text, IF(?s > 160, ?s - 159, 1), ?t - ?s + 320) AS ?ctx)
           BIND(SUBSTR(?text, IF(?s > 48, ?s - 47, 1), IF(?s > 48, 48, ?s)) AS ?lead) }}
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
            elif "lead" in row and type_ == "Organisation" and introduced_as_new(row["lead"].value):
                known.context.add(SET_UP)
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
def _name_pattern(name: str) -> NameFinder | None:
    """Where a node's name is written in running text; None for names too weak to search alone."""
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    if acronym_of(name):
        return NameFinder(exact=name)
    words = WORD.findall(name)
    form = normalise_name(name)
    distinctive = [w for w in form.split() if distinctive_word(w)]
    if len(words) < 2 or not distinctive or not is_specific(form):
        return None
    return NameFinder.words_of(name)


class _Node:
    """What linking asks of a node, worked out once per word index (``WordIndex.memo``), not per article;
    held in tuples, or in the node's own sets, as one is held for every node an article meets."""

    __slots__ = ("acronyms", "buckets", "hints", "initials", "keys", "skip", "stems", "texts")

    def __init__(self, known: KnownEntity, gazetteer: Gazetteer) -> None:
        self.keys, self.initials, self.acronyms = known.name_keys(), known.initials(), known.acronyms()
        self.stems = tuple({body_stem(k) for k in self.keys} - {None}) if known.type == "Organisation" else ()
        # every kind of evidence needs a distinctive word, an acronym or a sum of the node in the article
        self.hints = tuple({w for k in self.keys for w in k.split() if distinctive_word(w)} | self.initials)
        self.buckets = tuple(set(map(amount_bucket, known.amounts)))
        self.skip = not linkable(known) or (known.type == "Organisation" and standing_body(known, gazetteer)) or not (
            self.keys or known.type == "Fund" and known.amounts)
        # the names worth seeking in a text: a place or body's name is not evidence of a programme
        self.texts = tuple((name, tuple(set(form.split()))) for name in sorted(known.names)
                           if (form := normalise_name(name)) in self.keys and not gazetteer.lookup(name))


def _node(known: KnownEntity, cache: WordIndex, gazetteer: Gazetteer) -> _Node:
    if cache.memo.get("nodes", (None,))[0] is not gazetteer:
        cache.memo["nodes"] = (gazetteer, {})
    nodes = cache.memo["nodes"][1]
    return nodes.get(known.iri) or nodes.setdefault(known.iri, _Node(known, gazetteer))


def _text_evidence(node: _Node, text: str, text_words: frozenset[str],
                   seen: dict[str, list[tuple[float, int, int]]]) -> Iterable[tuple[float, int, int]]:
    for name, needed in node.texts:
        if text_words.issuperset(needed):  # a name whose words are not all in the text cannot be found in it
            if name not in seen:  # many nodes have one name ("Harbour Fund" of two sums): sought once
                seen[name] = list(_name_evidence(name, text))
            yield from seen[name]


def _name_evidence(name: str, text: str) -> Iterable[tuple[float, int, int]]:
    pattern = _name_pattern(name)
    if pattern is None:
        return
    found = []
    for start, end in pattern.spans(text):
        if _IN_TITLE.search(text[max(0, start - 40): start]):
            found.append((0.5, start, end, True))  # "Secretary of State for Levelling Up" names a post
        elif _INDEFINITE.search(text[max(0, start - 10): start]):
            found.append((0.6, start, end, False))  # "an independent review" introduces a new thing
        elif _LONGER_NAME.match(text, end):
            found.append((0.6, start, end, True))  # "Harbour Renewal Fund" is another thing than "Harbour Renewal"
        else:
            found.append((0.9 if acronym_of(name) else 0.95, start, end, False))
    # a capitalised name the article writes so only inside longer names or posts, and otherwise
    # in other case ("levelling up", "Levelling up"), is the common phrase those names are made of
    words = WORD.findall(name)
    phrase = not name.islower() and any(inside for *_, inside in found) and all(
        WORD.findall(text[start:end]) != words for score, start, end, _ in found if score > 0.6)
    for score, start, end, _ in found:
        yield (0.6 if phrase and score > 0.6 else score), start, end
        if score > 0.6 and not phrase:
            break


def _entity_evidence(node: _Node, known: KnownEntity, probes: ProbeTable, unique_bare: dict[int, str],
                     threshold: float, other: float) -> list[tuple[float, int, int]]:
    """Give the evidence the article's entities give a node, in their order, but none that cannot be its
    best: scored under the threshold, or a sum's (at most 0.9) when it or ``other`` evidence scores more.
    Each entity (probe) gives the first of these that holds."""
    found: dict[int, tuple[float, bool]] = {}  # probe -> score, and whether the probe's sum says it
    if known.type == "Organisation":  # a body set up by a reform: its name, or its name with another
        for k in node.keys:  # kind of body ("Board" for "Council")
            found.update((i, (1.0, False)) for i in probes.by_body.get(f"n {k}", ()))
        for stem in node.stems:
            found.update((i, (0.9, False)) for i in probes.by_body.get(f"b {stem}", ()) if i not in found)
    else:  # a body shares a programme's exact name at most ("Harbour Renewal Fund" typed as a body)
        for k in node.keys:
            found.update((i, (1.0, False)) for i in probes.by_key.get(k, ()))
        for i in [i for a in node.initials for i in probes.by_acronym.get(a, ())] + [
                i for a in node.acronyms for i in probes.by_initials.get(a, ())]:
            found.setdefault(i, (0.95, False))
        near = {i for b in node.buckets for i in probes.funds.get(b, ())} if known.type == "Fund" else ()
        same_sum = sorted(i for i in near if i not in found and any(
            same_amount(a, b) for a in probes.found[i][0].amounts for b in known.amounts))
        top = max([other, *(score for score, _ in found.values())])
        for i in same_sum if threshold <= 0.9 and top <= 0.9 else ():
            if not node.keys:  # a node known only by its sum ("£840 million"): the sum and what it is
                # for, and no other such node the article's sum could be
                found[i] = (0.9 if unique_bare.get(i) == known.iri else 0.6), True
            else:  # the same sum: a link when the purposes agree, a weak hint when they do not
                found[i] = (0.9 if fund_matches(probes.found[i][0], known) else 0.6), True
        settled, best = set(found) | set(same_sum), {}
        for k in node.keys:  # else a near-equal name (with the same numbers)
            for i, score in probes.near.get(k, ()):
                if i not in settled:
                    best[i] = max(best.get(i, 0.0), score)
        found.update((i, (score / 100, False)) for i, score in best.items())
    spans = probes.found
    return [(score, spans[i][3 if by_sum else 1], spans[i][4 if by_sum else 2])
            for i, (score, by_sum) in sorted(found.items()) if score >= threshold]


def _fewest(best: dict[str, tuple[float, int, int]], threshold: float, index: EntityIndex,
            amounts: set[float]) -> list[str]:
    """Give the nodes to link, in IRI order: at most ``PER_MENTION`` of those one span links, the
    best scored first, then those with a sum the article states, then by name and IRI."""
    spans: dict[tuple[int, int], list[str]] = {}
    for iri, (score, start, end) in best.items():
        if score >= threshold:
            spans.setdefault((start, end), []).append(iri)

    def rank(iri: str) -> tuple:
        known = index.entities[iri]
        return -best[iri][0], amounts.isdisjoint(map(amount_bucket, known.amounts)), known.label, iri

    return sorted(iri for iris in spans.values() for iri in sorted(iris, key=rank)[:PER_MENTION])


def link_extraction(
    extraction: Extraction, index: EntityIndex, *, threshold: float = LINK_THRESHOLD,
    gazetteer: Gazetteer | None = None, postings: WordIndex | None = None,
) -> tuple[Link, ...]:
    """Give the programmes and funds of the graph this article refers to, best first, above the threshold.

    ``postings``: the index's ``word_index``, kept by a caller that links many articles against an index
    it does not change (the ingest's link pass); without it, telling whether the index changed since
    its word index was built reads every node, for every article. What is worked out per node is kept
    in it, so an article reads only the nodes it could refer to, each at the cost of a few lookups.
    """
    gazetteer = gazetteer or load_gazetteer()
    article = extraction.article
    found_probes = probes(extraction)
    words = article_words(extraction)
    amounts = set().union(*(amount_buckets(a) for p in found_probes for a in p[0].amounts))
    cache = postings or word_index(index)
    short, described_ = short_name_evidence(found_probes, index, article.id, cache), described_evidence(
        extraction, index, cache)
    weak = {iri: [e[iri] for e in (short, described_) if iri in e] for iri in short.keys() | described_.keys()}
    if threshold > TIGHT_FLOOR:  # only the nodes strong evidence could link (``resolve.lookup``)
        nearby = select(link_query(extraction, found_probes, threshold), cache)
        plain = nearby & cache.plain_bare  # their only evidence is a weak hint or one sum (below)
    else:  # a weak hint is a link: every node sharing a word or a sum
        nearby, plain = {k.iri for k in candidates(index, words, amounts, cache=cache)}, set()
    unique_bare = unique_bare_sums(found_probes, nearby, index, cache, article.id)
    table = ProbeTable(found_probes, lambda key: cache.near(key, max(75.0, 100 * threshold - 1e-6)))  # ratio >= 75
    read = nearby - plain
    if threshold > TIGHT_FLOOR:  # the rest met the article by a short name it uses, or by a purpose
        read &= could_link(found_probes, table, cache, words) | weak.keys()
    best: dict[str, tuple[float, int, int]] = {}
    seen: dict[str, list[tuple[float, int, int]]] = {}
    own = {article.id}
    for iri in read:
        known = index.entities[iri]
        node = _node(known, cache, gazetteer)
        if node.skip or known.articles <= own or (words.isdisjoint(node.hints) and amounts.isdisjoint(node.buckets)):
            continue
        other = [*_text_evidence(node, article.text, words, seen), *weak.get(iri, ())]
        found = [*_entity_evidence(node, known, table, unique_bare, threshold, max((f[0] for f in other), default=0.0)),
                 *other]
        if found:
            best[iri] = max(found, key=lambda f: (f[0], -f[1]))
    for i, iri in sorted(unique_bare.items()):  # a node known only by its sum, the one the article's is
        if iri in plain and amounts & set(map(amount_bucket, index.entities[iri].amounts)):
            _, _, _, start, end = found_probes[i]
            if iri not in best or start < best[iri][1]:
                best[iri] = (0.9, start, end)
    links, sentences = [], {}  # many nodes are linked by one span ("Harbour Fund" of two sums)
    for iri in _fewest(best, threshold, index, amounts):
        score, start, end = best[iri]
        known = index.entities[iri]
        if (start, end) not in sentences:
            sentences[start, end] = sentence_at(article.id, article.text, start, end)
        links.append(Link(iri=iri, name=known.label, type=known.type, score=score,  # type: ignore[arg-type]
                          evidence=sentences[start, end], aliases=tuple(sorted(known.names - {known.label})),
                          amount_gbp=known.amount_gbp))
    return tuple(sorted(links, key=lambda lk: (-lk.score, lk.name)))
