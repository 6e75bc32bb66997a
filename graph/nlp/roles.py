"""Roles of people: posts from titles before a name and from appositions after it.

Input: a parsed Doc and its entity dicts. Output: each Person entity's ``roles`` filled in, and
``role_spans`` (character spans of each role) so relation rules can find the bodies and places
a post names ("leader of Calderdale Council" -> member_of; "Watford's MP" -> represents).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from .names import clean_surface
from .resources import word_set

_TITLE_WORDS = {"for", "of", "and", "the", "&", "'s", "’s", "-", "on"}
_APPOINTED = {"has", "have", "had", "been", "is", "was", "be", "appointed", "confirmed", "named", "as", "elected", "made"}
_STOP = {"said", "says", "added", "adds", "who", "which", "has", "have", "had", "is", "was", "will", "told"}


def _is_post(tok: Token) -> bool:
    return tok.lower_ in word_set("post_words")


def title_before(doc: Doc, start: int) -> Span | None:
    """Give the post written just before a name ("Education Secretary", "Watford's MP"), if any."""
    i = start
    if i > 0 and doc[i - 1].text == ",":
        i -= 1  # "Minister for care, Helen Whately"
    j = i
    while j > 0 and i - j < 8:
        tok = doc[j - 1]
        if tok.is_sent_start and not (tok.is_title or tok.is_upper):
            break
        if tok.is_punct and tok.text != "-" or tok.pos_ in {"VERB", "AUX", "DET", "PRON", "ADP"} and tok.lower_ not in _TITLE_WORDS:
            break
        owner = tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in {"'s", "’s"}
        if tok.lower_ in _STOP | {"the", "and", "a", "an"} or tok.ent_type_ == "PERSON" and not owner:
            break
        j -= 1
        if tok.is_sent_start:
            break
    while j < i and (doc[j].lower_ in _TITLE_WORDS or doc[j].is_punct):
        j += 1
    span = doc[j:i]
    if not len(span) or not any(_is_post(t) for t in span):
        return None
    while len(span) and not _is_post(span[-1]) and span[-1].pos_ not in {"NOUN", "PROPN"}:
        span = span[:-1]
    return span if len(span) else None


def apposition_after(doc: Doc, end: int) -> Span | None:
    """Give the post in an apposition after a name ("X, leader of Y Council,"), if any."""
    if end >= len(doc) - 1:
        return None
    i = end
    if doc[i].text != ",":
        # "X has been appointed chair designate of Y", "X is confirmed as chair of Y"
        while i < len(doc) and i - end < 5 and doc[i].lower_ in _APPOINTED:
            i += 1
        if i == end or not _is_post(doc[i]):
            return None
        i -= 1
    i += 1
    if doc[i].lower_ in {"the", "a", "an"}:
        i += 1
    k = i
    while k < len(doc) and k - i < 16 and doc[k].text not in {",", ".", ";", ":", "“", '"', "(", "\n"}:
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
                if role is None:
                    continue
                text = role_text(role)
                if text and text.lower() not in {r.lower() for r in e["roles"]}:
                    e["roles"].append(text)
                    e["role_spans"].append([role.start_char, role.end_char, span.sent.start_char])
