"""The stock NER's entities as typed mentions, with the domain's corrections.

Input: a spaCy ``Doc`` with NER. Output: ``Mention`` records. The stock model mislabels
predictably here, so each span is checked before it is kept:

- ORG spans named like funds or plans are Funds or Programmes;
- an ORG that is part of a post is no body ("Education" in "Education Secretary", "State" in
  "Secretary of State", "the Economy" in "Cabinet Member for the Economy");
- a post in front of a body is cut off ("Chairs of X", "X's Chairman of Y" -> X);
- an ORG named after a lower-case post ("chief executive Jane Doe") is a person;
- "Children's Minister": a PERSON before "'s" and a post is no person;
- hyphenated place names are kept whole ("Stratford-upon-Avon").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache

from spacy.tokens import Doc, Span

from .mentions import Mention, span_mention, without_post
from .names import is_acronym, normalise_name
from .resources import acronym_names, word_set
from .roles import is_post
from .sentences import text_of

NER_TYPES = {"PERSON": "Person", "ORG": "Organisation", "GPE": "Region", "LOC": "Region"}
_POSSESSIVE = {"'s", "’s"}


def ner_mentions(doc: Doc) -> list[Mention]:
    """Give NER entities mapped to our types, corrected as the module docstring says."""
    heads = word_set("programme_heads")
    skip = word_set("not_entities")
    out = []
    for ent in doc.ents:
        type_ = NER_TYPES.get(ent.label_)
        while len(ent) > 1 and not any(c.isalnum() for c in ent[0].text):
            ent = ent[1:]  # "• Consolidate": a list bullet is not part of the name
        if not type_ or "\n" in ent.text or ent.text.strip().lower() in skip:
            continue
        if ent[-1].is_lower and ent[-1].lower_ not in _POSSESSIVE:
            continue  # "Frustrated county": a name ends with a capitalised word
        bracket = next((t.i for t in ent if t.text == "("), None)
        if bracket is not None:
            ent = doc[ent.start : bracket]  # "Department for Education (DfE": the acronym is its own mention
            if not len(ent):
                continue
        after = doc[ent.end] if ent.end < len(doc) else None
        if type_ == "Organisation":
            if after is not None and after.lower_ in word_set("post_words") or _portfolio(ent):
                continue  # "Education" in "Education Secretary": part of a post, not a body
            ent = without_post(ent)
            owner = next((k for k in range(len(ent or [])  - 1) if ent[k].lower_ in _POSSESSIVE and ent[k + 1].lower_ in heads), None)
            if owner is not None:
                ent = ent[owner + 1 :]  # "A's Review of X": the review, owned by A (a mention of its own)
            if ent is None or len(ent) == 1 and (ent[0].is_stop or ent[0].pos_ in {"VERB", "ADJ", "ADV"}):
                continue  # "Next", "Consolidate": a capitalised common word
            if _defines_common_phrase(ent):
                continue  # "urgent and emergency care (UEC)": the acronym of a common noun phrase
            if _named_after_post(ent):
                type_ = "Person"
            elif _common_plural_or_post(ent):
                continue  # "Care Homes", "School Social Worker": a kind of thing or a job, not a body
        last = ent[-1].lower_
        if type_ == "Organisation" and last in {"fund", "grant"}:
            type_ = "Fund"
        elif type_ == "Organisation" and len(ent) > 2 and ent[0].lower_ in heads and ent[1].lower_ in {"of", "into", "for", "on"}:
            type_ = "Programme"  # "Review of X"
        elif type_ == "Organisation" and last in heads and ent[-1].is_title:
            if len(ent) == 1:
                continue  # "the Plan": an anaphor, found as such
            type_ = "Programme"
        if type_ == "Person":
            owner_end = ent.end if ent[-1].lower_ in _POSSESSIVE else ent.end + 1 if after is not None and after.lower_ in _POSSESSIVE else None
            if owner_end is not None and owner_end < len(doc) and is_post(doc[owner_end].lower_):
                continue  # "Children's Minister"
            ent = _with_title(ent)
            if not any(t.is_title for t in ent) or len(ent.text) < 3:
                continue
        if type_ == "Region":
            ent = _hyphenated(ent)
        out.append(span_mention(ent, type_, "ner"))
    return out


def _portfolio(ent: Span) -> bool:
    """Give whether an ORG span is the portfolio of a post ("Minister for Care"), not a body's name."""
    doc = ent.doc
    i = ent.start - 1
    if i >= 0 and doc[i].lower_ == "the":
        i -= 1
    if i < 1 or doc[i].lower_ not in {"of", "for"} or doc[i - 1].lower_ not in word_set("post_words"):
        return False
    named = word_set("org_heads") | word_set("programme_heads") | word_set("fund_heads")
    return not any(t.lower_ in named for t in ent) and not ent.text.isupper()


def _named_after_post(ent: Span) -> bool:
    """Give whether an ORG span is a person's name after a lower-case post ("chief executive Jane Doe")."""
    doc = ent.doc
    if ent.start == 0 or not 2 <= len(ent) <= 3:
        return False
    before = doc[ent.start - 1]
    named = word_set("org_heads") | word_set("programme_heads") | word_set("fund_heads")
    return (before.is_lower and is_post(before.lower_)
            and all(t.is_title and t.lower_ not in named for t in ent) and not any(is_acronym(t.text) for t in ent))


def _defines_common_phrase(ent: Span) -> bool:
    """Give whether an ORG span is a bracketed acronym of the lower-case words before it."""
    doc = ent.doc
    short = ent.text
    if len(ent) != 1 or not short.isupper() or ent.start < 2 or doc[ent.start - 1].text != "(":
        return False
    words = [t for t in doc[max(0, ent.start - 1 - 2 * len(short)) : ent.start - 1] if t.is_alpha]
    initials = "".join(t.text[0] for t in words if t.lower_ not in {"and", "of", "for", "the", "&"}).upper()
    tail = [t for t in words if t.lower_ not in {"and", "of", "for", "the", "&"}][-len(short):]
    return initials.endswith(short) and all(t.is_lower for t in tail)


def _common_plural_or_post(ent: Span) -> bool:
    """Give whether an ORG span ends in a plain plural ("Care Homes") or a post ("Social Worker")."""
    last = ent[-1]
    named = word_set("org_heads")
    plural = last.tag_ in {"NNS", "NNPS"} and not any(t.lower_ in named for t in ent)
    return plural or is_post(last.lower_) or last.lower_ in {"worker", "workers"}


def _with_title(ent: Span) -> Span:
    """Give a PERSON span widened left over an honorific ("Mr" + "Russell")."""
    titles = word_set("titles")
    start = ent.start
    while start > 0 and ent.doc[start - 1].lower_.rstrip(".") in titles - {"the"}:
        start -= 1
    while ent.end - 1 > start and ent.doc[ent.end - 1].lower_ in _POSSESSIVE:
        ent = ent.doc[ent.start : ent.end - 1]
    return ent.doc[start : ent.end]


def _hyphenated(ent: Span) -> Span:
    """Give a place span widened over a hyphenated tail ("Bourton" + "-on-the-Water")."""
    doc = ent.doc
    end = ent.end
    j = end
    while j + 1 < len(doc) and doc[j].text == "-" and not doc[j - 1].whitespace_ and not doc[j].whitespace_:
        j += 2
        if doc[j - 1].is_title:
            end = j
        elif not doc[j - 1].is_lower or doc[j - 1].whitespace_:
            break
    return doc[ent.start : end]


@cache
def _acronym_pattern() -> re.Pattern[str]:
    keys = sorted(acronym_names(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w-])")


def acronym_mentions(doc: Doc) -> list[Mention]:
    """Give a mention of each known acronym of a particular body or fund ("UKSPF"), named by its long form."""
    table = acronym_names()
    generic = word_set("generic_bodies")
    text = text_of(doc)
    lowered = text.lower()
    out = []
    for m in _acronym_pattern().finditer(text):
        short = m.group(0)
        long = table[short]
        if long.lower() in generic:
            continue
        type_ = "Fund" if long.split(" ")[-1].lower() in {"fund", "grant"} else "Organisation"
        # an article that spells the acronym out ("Competition and Market Authority (CMA)") names it itself
        defined = f"({short})" in text or long.lower() in lowered
        out.append(Mention(m.start(), m.end(), short, type_, "gaz", canonical="" if defined else long))
    return out


def surname_mentions(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """Give a Person mention for each bare surname of a person named in full ("Okafor" after "Grace Okafor").

    Only words that no other mention covers count, so "Sunak" inside "Sunak Review" stays the review's,
    and a surname followed by another capitalised name ("Sunak Smith") is someone else's.
    """
    surnames = {normalise_name(m.text).split(" ")[-1] for m in mentions if m.type == "Person" and " " in normalise_name(m.text)}
    surnames = {s for s in surnames if s[:1].isupper()}
    if not surnames:
        return []
    text = text_of(doc)
    taken = sorted((m.start, m.end) for m in mentions)
    starts = [s for s, _ in taken]
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, surnames)) + r")(?![\w-])")
    out = []
    for m in pattern.finditer(text):
        k = bisect_right(starts, m.start()) - 1
        if k >= 0 and taken[k][1] > m.start():
            continue  # inside another mention
        if re.match(r"\s+[A-Z][a-z]", text[m.end() : m.end() + 3]):
            continue
        out.append(Mention(m.start(), m.end(), m.group(0), "Person", "name"))
    return out
