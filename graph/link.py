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

from rapidfuzz import fuzz
from rdflib import URIRef

from .gazetteer import Gazetteer, load_gazetteer
from .model import Evidence, Extraction, Identifier, Link
from .resolve import EntityIndex, KnownEntity
from .resolve.candidates import (
    WordIndex,
    bare_fund_matches,
    candidates,
    described_evidence,
    linkable,
    short_name_evidence,
    standing_body,
    word_index,
)
from .resolve.cues import SET_UP, body_stem, introduced_as_new
from .resolve.lookup import TIGHT_FLOOR, link_query, probes, select
from .resolve.names import (
    acronym_of,
    amount_bucket,
    amount_buckets,
    content_words,
    distinctive_word,
    fund_matches,
    is_specific,
    name_numbers,
    normalise_name,
    same_amount,
)
from .store import Store
from .vocab import CLASS_TYPES, OA, ORG, RKG, SCHEMA

#: Scores at or above this are links. Calibrated on the dev sets by ``scripts/calibrate_links.py``.
LINK_THRESHOLD = 0.85
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
def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A regex finding a node's name in running text; None for names too weak to search alone."""
    name = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    acronym = acronym_of(name)
    if acronym:
        return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    words = re.findall(r"[\w£]+", name)
    form = normalise_name(name)
    distinctive = [w for w in form.split() if distinctive_word(w)]
    if len(words) < 2 or not distinctive or not is_specific(form):
        return None
    sep = r"[\s\-–—'’,]+(?:s\s+)?"
    return re.compile(r"(?<![\w-])" + sep.join(re.escape(w) for w in words) + r"(?![\w-])", re.IGNORECASE)


def _text_evidence(known: KnownEntity, text: str, gazetteer: Gazetteer,
                   text_words: set[str]) -> Iterable[tuple[float, int, int]]:
    for name in sorted(known.names):
        form = normalise_name(name)
        if not text_words.issuperset(form.split()):
            continue  # a name whose words are not all in the text cannot be found in it
        if form not in known.name_keys() or gazetteer.lookup(name):
            continue  # a place or body's name is not evidence of a programme
        pattern = _name_pattern(name)
        if pattern is None:
            continue
        found = []
        for m in pattern.finditer(text):
            if _IN_TITLE.search(text[max(0, m.start() - 40): m.start()]):
                found.append((0.5, m, True))  # "Secretary of State for Levelling Up" names a post
            elif _INDEFINITE.search(text[max(0, m.start() - 10): m.start()]):
                found.append((0.6, m, False))  # "an independent review" introduces a new thing
            elif _LONGER_NAME.match(text, m.end()):
                found.append((0.6, m, True))  # "Harbour Renewal Fund" is another thing than "Harbour Renewal"
            else:
                found.append((0.9 if acronym_of(name) else 0.95, m, False))
        # a capitalised name the article writes so only inside longer names or posts, and otherwise
        # in other case ("levelling up", "Levelling up"), is the common phrase those names are made of
        words = re.findall(r"[\w£]+", name)
        phrase = not name.islower() and any(inside for _, _, inside in found) and all(
            re.findall(r"[\w£]+", m.group(0)) != words for score, m, _ in found if score > 0.6)
        for score, m, _ in found:
            yield (0.6 if phrase and score > 0.6 else score), m.start(), m.end()
            if score > 0.6 and not phrase:
                break


def _bare_sum_matches(probe: KnownEntity, known: KnownEntity) -> bool:
    """A node known only by its sum ("£840 million") that an article's fund is: the sum and what it is for."""
    return (probe.type == known.type == "Fund" and any(same_amount(a, b) for a in probe.amounts for b in known.amounts)
            and bare_fund_matches(probe, known))


def _unique_bare_sums(nearby: list[KnownEntity], probes: list, article_id: str) -> set[int]:
    """Give the probes (by position) that match exactly one node known only by its sum: a sum said of
    several such nodes, with the same words around it, tells none of them apart."""
    hits = [0] * len(probes)
    for known in nearby:
        if known.type == "Fund" and not known.name_keys() and not known.articles <= {article_id}:
            for i, (probe, *_) in enumerate(probes):
                hits[i] += _bare_sum_matches(probe, known)
    return {i for i, n in enumerate(hits) if n == 1}


def _entity_evidence(known: KnownEntity, probes: list, unique_bare: set[int]) -> Iterable[tuple[float, int, int]]:
    theirs = known.name_keys()
    stems = {body_stem(k) for k in theirs} - {None} if known.type == "Organisation" else set()
    for i, (probe, start, end, amount_start, amount_end) in enumerate(probes):
        mine = probe.name_keys()
        if known.type == "Organisation":  # a body set up by a reform: its name, or its name with another
            if probe.type == "Organisation" and mine & theirs:  # kind of body ("Board" for "Council")
                yield 1.0, start, end
            elif probe.type == "Organisation" and stems & {body_stem(k) for k in mine}:
                yield 0.9, start, end
            continue
        if mine & theirs:
            yield 1.0, start, end
        elif probe.type == "Organisation":
            continue  # a body shares a programme's exact name at most ("Harbour Renewal Fund" typed as a body)
        elif (probe.acronyms() & known.initials()) or (known.acronyms() & probe.initials()):
            yield 0.95, start, end
        elif not theirs:  # a node known only by its sum ("£840 million"): the sum and what it is for,
            # and no other such node the article's sum could be
            if probe.type == known.type == "Fund" and any(same_amount(a, b) for a in probe.amounts
                                                          for b in known.amounts):
                yield (0.9 if i in unique_bare and bare_fund_matches(probe, known) else 0.6), amount_start, amount_end
        elif probe.type == known.type == "Fund" and probe.amounts and known.amounts and any(
                same_amount(a, b) for a in probe.amounts for b in known.amounts):
            # the same sum: a link when the purposes agree, a weak hint when they do not
            yield (0.9 if fund_matches(probe, known) else 0.6), amount_start, amount_end
        else:
            best = max((fuzz.ratio(a, b) for a in mine for b in theirs if name_numbers(a) == name_numbers(b)),
                       default=0.0)
            if best >= 75:
                yield best / 100, start, end


def link_extraction(
    extraction: Extraction, index: EntityIndex, *, threshold: float = LINK_THRESHOLD,
    gazetteer: Gazetteer | None = None, postings: WordIndex | None = None,
) -> tuple[Link, ...]:
    """Give the programmes and funds of the graph this article refers to, best first, above the threshold.

    ``postings``: the index's ``word_index``, kept by a caller that links many articles against an index
    it does not change (the ingest's link pass); without it, telling whether the index changed since
    its word index was built reads every node, for every article.
    """
    gazetteer = gazetteer or load_gazetteer()
    article = extraction.article
    links = []
    found_probes = probes(extraction)
    words = set(normalise_name(article.text).split())
    amounts = set().union(*(amount_buckets(a) for p in found_probes for a in p[0].amounts))
    cache = postings or word_index(index)
    short = short_name_evidence(found_probes, index, article.id, cache)
    described_ = described_evidence(extraction, index, cache)
    if threshold > TIGHT_FLOOR:  # only the nodes strong evidence could link (``resolve.lookup``)
        iris = select(link_query(extraction, found_probes, threshold), cache)
        nearby = [index.entities[i] for i in sorted(iris)]
    else:  # a weak hint is a link: every node sharing a word or a sum
        nearby = candidates(index, words, amounts, cache=cache)
    unique_bare = _unique_bare_sums(nearby, found_probes, article.id)
    for known in nearby:
        if not linkable(known) or known.articles <= {article.id} or (
                known.type == "Organisation" and standing_body(known, gazetteer)):
            continue
        keys = known.name_keys()
        # every kind of evidence needs a distinctive word, an acronym or a sum of the node in the article
        bare_fund = not keys and known.type == "Fund" and bool(known.amounts)
        if not (keys or bare_fund) or not ({w for k in keys for w in k.split() if distinctive_word(w)} & words or known.initials() & words
                                           or amounts & set(map(amount_bucket, known.amounts))):
            continue
        found = [*_entity_evidence(known, found_probes, unique_bare), *_text_evidence(known, article.text, gazetteer, words)]
        for weak in (short, described_):
            if known.iri in weak:
                found.append(weak[known.iri])
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
