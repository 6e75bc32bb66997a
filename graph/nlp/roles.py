"""Roles of people: posts from titles before a name and from appositions after it.

Input: a parsed Doc and its entity dicts. Output: each Person entity's ``roles`` filled in, and
``role_spans`` (character spans of each role) so relation rules can find the bodies and places
a post names ("leader of Calderdale Council" -> member_of; "Watford's MP" -> represents).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Span, Token

from .names import clean_surface
from .resources import word_set
from .sentences import text_of

_TITLE_WORDS = {"for", "of", "and", "the", "&", "'s", "’s", "-", "on"}
_APPOINTED = {"has", "have", "had", "been", "is", "was", "be", "appointed", "confirmed", "named", "as", "elected", "made", "announced"}
_STOP = {"said", "says", "added", "adds", "who", "which", "has", "have", "had", "is", "was", "will", "told"}


def _is_post(tok: Token) -> bool:
    return tok.lower_ in word_set("post_words")


def title_before(doc: Doc, start: int) -> Span | None:
    """Give the post written just before a name ("Education Secretary", "Watford's MP"), if any."""
    i = start
    if i > 0 and doc[i - 1].text == ",":
        i -= 1  # "Minister for Transport, Omar Patel"
    j = i
    while j > 0 and i - j < 10:
        tok = doc[j - 1]
        if tok.is_sent_start and not (tok.is_title or tok.is_upper):
            break
        # "Chair of the LGA's resources board, Mary Firth": "the" after "of" stays in the post
        inner_the = tok.lower_ == "the" and tok.i > 0 and doc[tok.i - 1].lower_ in {"of", "for", "at"} or (
            tok.lower_ == "and" and 0 < tok.i < len(doc) - 1 and doc[tok.i - 1].is_title and doc[tok.i + 1].is_title)
        # a capitalised verb is part of a portfolio ("Secretary of State for Levelling Up")
        in_name = tok.pos_ in {"VERB", "ADP"} and tok.is_title and not tok.is_sent_start
        if not inner_the and (tok.is_punct and tok.text != "-" or tok.pos_ in {"VERB", "AUX", "DET", "PRON", "ADP"}
                              and tok.lower_ not in _TITLE_WORDS and not in_name):
            break
        owner = tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in {"'s", "’s"}
        if not inner_the and tok.lower_ in _STOP | {"the", "and", "a", "an"} or tok.ent_type_ == "PERSON" and not owner:
            break
        j -= 1
        if tok.is_sent_start:
            break
    while j < i and (doc[j].lower_ in _TITLE_WORDS or doc[j].is_punct):
        j += 1
    span = doc[j:i]
    if not len(span) or not any(_is_post(t) for t in span):
        return None
    while len(span) and not _is_post(span[-1]) and span[-1].pos_ not in {"NOUN", "PROPN"} and not span[-1].is_title:
        span = span[:-1]
    return span if len(span) else None


def apposition_after(doc: Doc, end: int) -> Span | None:
    """Give the post in an apposition after a name ("X, leader of Y Council,"), if any."""
    if end >= len(doc) - 1:
        return None
    i = end
    if doc[i].text != ",":
        # "X has been appointed chair designate of Y", "X is confirmed as chair of Y"
        while i < len(doc) and i - end < 5 and doc[i].lower_ in _APPOINTED | {"the", "a", "an"}:
            i += 1
        # "X is the project officer for Y": one describing word may come before the post
        described = i + 1 < len(doc) and doc[i].pos_ in {"NOUN", "PROPN", "ADJ"} and _is_post(doc[i + 1])
        if i == end or i >= len(doc) or not (_is_post(doc[i]) or described):
            return None
        i -= 1
    i += 1
    if doc[i].lower_ in {"the", "a", "an"}:
        i += 1
    k = i
    while k < len(doc) and k - i < 24 and doc[k].text not in {",", ".", ";", ":", "“", '"', "(", "\n"}:
        if doc[k].lower_ in _STOP or doc[k].is_space:
            break
        k += 1
    span = doc[i:k]
    head_words = span[:4]
    if not len(span) or not any(_is_post(t) for t in head_words):
        return None
    return span


def role_text(span: Span) -> str:
    """Give a post as the article states it, with "Watford's MP" turned into "MP for Watford"."""
    toks = list(span)
    if len(toks) >= 3 and toks[-2].lower_ in {"'s", "’s"} and _is_post(toks[-1]):
        return f"{toks[-1].text} for {clean_surface(span[: len(toks) - 2].text)}"
    return clean_surface(span.text)


def find_roles(doc: Doc, entities: list[dict]) -> None:
    """Give each Person entity the posts the article states for them (``roles`` and ``role_spans``, in place)."""
    for e in entities:
        e.setdefault("role_spans", [])
        if e["type"] != "Person":
            continue
        for start, end, _text in e["mentions"]:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            for role in (title_before(doc, span.start), apposition_after(doc, span.end)):
                _add_role(e, role, span.sent)
    for pronoun, person in pronoun_subjects(doc, entities):
        _add_role(person, apposition_after(doc, pronoun.i + 1), pronoun.sent)
    _add_post_mentions(doc, entities)


def _add_post_mentions(doc: Doc, entities: list[dict]) -> None:
    """Give each person a mention wherever the article calls them by their post ("the Chancellor").

    Only a capitalised post held by one person of the article counts, after its holder is named.
    """
    holders: dict[str, list[dict]] = {}
    for e in entities:
        if e["type"] == "Person":
            for role in e["roles"]:
                if role[:1].isupper() and len(role) > 3:
                    holders.setdefault(role.lower(), []).append(e)
    text = text_of(doc).lower()
    for role, people in holders.items():
        if len(people) != 1:
            continue
        person = people[0]
        first = min(m[0] for m in person["mentions"])
        taken = [(s, x) for e in entities for s, x, _ in e["mentions"]]
        start = text.find("the " + role, first)
        while start != -1:
            end = start + 4 + len(role)
            if not any(s < end and start < x for s, x in taken) and (end == len(text) or not text[end].isalnum()):
                person["mentions"].append([start, end, text_of(doc)[start:end]])
            start = text.find("the " + role, end)
        person["mentions"].sort()


def _add_role(person: dict, role: Span | None, sent: Span) -> None:
    if role is None:
        return
    text = role_text(role)
    if text and text.lower() not in {r.lower() for r in person["roles"]}:
        person["roles"].append(text)
        person["role_spans"].append([role.start_char, role.end_char, sent.start_char])


def pronoun_subjects(doc: Doc, entities: list[dict]) -> list[tuple[Token, dict]]:
    """Give "he"/"she" subjects that open a sentence, each with the person last named before it.

    "She has been chair of X": the post belongs to the last person named in the two sentences before.
    """
    found = doc.user_data.get("reformkg_pronouns")
    if found is not None:
        by_id = {e["id"]: e for e in entities}
        return [(doc[i], by_id[pid]) for i, pid in found if pid in by_id]
    starts = sorted((m[0], e) for e in entities if e["type"] == "Person" for m in e["mentions"])
    sents = list(doc.sents)
    sent_starts = [s.start_char for s in sents]
    out = []
    for k, sent in enumerate(sents):
        for tok in sent[:2]:
            if tok.lower_ not in {"he", "she"} or tok.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            j = bisect_left([s for s, _ in starts], tok.idx) - 1
            if j < 0:
                continue
            start, person = starts[j]
            if k - (bisect_right(sent_starts, start) - 1) <= 2:  # named in this sentence or the two before
                out.append((tok, person))
    doc.user_data["reformkg_pronouns"] = [(t.i, p["id"]) for t, p in out]
    return out


_SPEECH = {"said", "says", "told", "added"}


def is_post(word: str) -> bool:
    """Give whether a lower-cased word is a post or posts ("chair", "chairs")."""
    posts = word_set("post_words")
    return word in posts or word.endswith("s") and word[:-1] in posts


def introduced_as_person(doc: Doc, span: Span) -> bool:
    """Whether the stock NER's person ``span`` is introduced as one: given a post after a comma
    ("Alan Grant, cabinet member for finance", "..., the Secretary of State") or saying something."""
    if not any(e.label_ == "PERSON" and (e.start, e.end) == (span.start, span.end) for e in doc.ents):
        return False
    after = doc[span.end: span.end + 5]
    if len(after) and after[0].lower_ in _SPEECH:
        return True
    return len(after) > 1 and after[0].text == "," and any(is_post(t.lower_) for t in after[1:])

