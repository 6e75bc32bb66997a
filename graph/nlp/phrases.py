"""Phrase-level mentions: amounts of money, lower-case programme phrases, anaphors, and councils
named in the borough style ("the Royal Borough of Upper Fenmere").

Input: a parsed ``Doc``. Output: ``Mention`` records. An amount becomes a Fund named by its noun
phrase ("£700 million package to improve bus services ..."), unless the phrase is headed by a
programme word ("£2m pilot"), which makes it a Programme.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .mentions import Mention, span_mention, title_cap
from .money import find_money
from .names import clean_surface, name_key
from .resources import word_set
from .sentences import text_of

_MODIFIER_DEPS = {"amod", "compound", "nmod", "nummod", "npadvmod", "quantmod", "poss", "advmod"}
_POST_DEPS = {"prep", "acl", "relcl", "xcomp", "infmod"}
_POST_WORDS = {"to", "for", "on", "into", "of", "in", "focusing", "aimed", "designed", "focused"}
FUND_ANAPHORS = {"funding", "package", "money", "budget", "fund", "investment", "grant", "cash", "pot", "allocation"}
ORG_ANAPHORS = {"council", "board", "authority", "partnership", "department", "committee", "trust", "icb"}


def _head_noun(span: Span) -> Token | None:
    """Give the noun an amount modifies ("package" in "£700 million package"), if any."""
    tok = span.root
    while tok.head.i != tok.i and tok.head.i in range(span.start, span.end):
        tok = tok.head
    head = tok.head
    if tok.dep_ in {"quantmod", "compound", "nummod", "nmod", "amod", "poss"} and head.pos_ in {"NOUN", "PROPN"}:
        return head
    if span.end < len(span.doc) and span.doc[span.end].pos_ == "NOUN" and span.doc[span.end].head.i >= span.end:
        return span.doc[span.end]  # "£25-million package" parsed loosely
    return None


def postmodifier_end(head: Token, limit: int = 14) -> int:
    """Give the token index where a noun phrase's post-modifier ends ("... to boost recruitment in X")."""
    end = head.i + 1
    for child in head.rights:
        if child.dep_ not in _POST_DEPS:
            continue
        first = child.left_edge
        if first.i != end or first.lower_ not in _POST_WORDS and child.dep_ != "relcl":
            break
        if child.dep_ == "relcl" and first.lower_ in {"which", "that", "who"}:
            break
        right = child.right_edge.i + 1
        cut = [t.i for t in head.doc[end:right] if t.text in {",", ";", ":", "(", "\n"} or t.is_space]
        end = min([right, *cut])
        break
    return min(end, head.i + 1 + limit)


def money_mentions(doc: Doc) -> list[Mention]:
    """Give a Fund (or a Programme, for "£2m pilot") for every amount of pounds in the Doc."""
    programme_heads = word_set("programme_heads")
    fund_heads = word_set("fund_heads")
    out = []
    for m in find_money(text_of(doc)):
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None or "\n" in span.text:
            continue
        head = _head_noun(span)
        aliases = []
        kind, text_span, head_word = "Fund", span, ""
        if head is not None and head.i >= span.end and head.i - span.end <= 4:
            phrase = doc[span.start : head.i + 1]
            longer = doc[span.start : postmodifier_end(head)]
            head_word = head.lower_
            if head.lower_ in programme_heads:
                kind = "Programme"
            if head.lower_ in programme_heads | fund_heads:
                text_span = phrase
                aliases = [clean_surface(longer.text), clean_surface(span.text)]
        out.append(
            Mention(
                text_span.start_char,
                text_span.end_char,
                clean_surface(text_span.text),
                kind,
                "money",
                aliases=[a for a in aliases if a],
                amount=None if kind == "Programme" else m.amount,
                head=head_word,
                per_year=m.per_year,
            )
        )
    return out


def programme_phrase_mentions(doc: Doc) -> list[Mention]:
    """Give lower-case programme phrases with a real modifier ("10-year workforce strategy", "green paper").

    A head with no such modifier ("the plan", "this review") is an anaphor instead.
    """
    heads = word_set("programme_heads")
    ignored = word_set("programme_modifiers_ignored")
    naming = word_set("programme_adjectives")
    out = []
    for tok in doc:
        if tok.lower_ not in heads or tok.pos_ not in {"NOUN", "PROPN"}:
            continue
        mods = [c for c in tok.lefts if c.dep_ in _MODIFIER_DEPS - {"poss"}]
        start = min((m.left_edge.i for m in mods), default=tok.i)
        owner = [t.i for t in doc[start : tok.i] if t.lower_ in {"'s", "’s"}]
        if owner:
            start = owner[-1] + 1  # "the NHS's new workforce plan": the owner is not part of the name
        # trim determiners and describing adjectives ("ambitious", "long-awaited") from the front
        while start < tok.i and not _names_kind(doc[start], naming, ignored):
            start += 1
        while start < tok.i and any(c.i < start for c in doc[start].lefts if c.dep_ == "amod"):
            start += 1  # "long term roadmap": "term" goes with the dropped "long"
        if any(doc[i].text.startswith("£") for i in range(start, tok.i)):
            continue  # an amount's phrase: money_mentions handles it
        if any(t.is_space or t.text in {",", "(", ")", "'", "’", "‘"} for t in doc[start : tok.i]):
            start = tok.i
        if start == tok.i:
            longer = doc[tok.i : postmodifier_end(tok, limit=8)]
            while len(longer) > 1 and longer[-1].pos_ in {"ADP", "DET", "PART", "CCONJ", "ADJ", "PRON"}:
                longer = longer[:-1]
            if tok.i > 0 and doc[tok.i - 1].lower_ in {"a", "an"} and len(longer) > 2 and not tok.is_title:
                # "a consultation to extend rights to carers": a new programme, named by what follows
                out.append(Mention(longer.start_char, longer.end_char, clean_surface(longer.text), "Programme", "np", head=tok.lower_))
            elif tok.tag_ != "NNS" and not tok.is_title or tok.i == 0 or tok.is_sent_start or (
                    tok.i > 0 and doc[tok.i - 1].lower_ in {"the", "this"} and tok.tag_ == "NNP"):
                out.append(_anaphor(doc, tok, "Programme"))  # "the plan", "the Plan"
            continue
        if tok.tag_ in {"NNS", "NNPS"} or tok.is_title and all(t.is_title for t in doc[start : tok.i + 1]):
            continue  # generic plurals are not entities; capitalised names are named_programme_mentions'
        phrase = doc[start : tok.i + 1]
        longer = doc[start : postmodifier_end(tok)]
        aliases = [clean_surface(longer.text)] if len(longer) > len(phrase) else []
        out.append(Mention(phrase.start_char, phrase.end_char, clean_surface(phrase.text), "Programme", "np", aliases=aliases, head=tok.lower_))
    return out


def _names_kind(tok: Token, naming: frozenset[str], ignored: frozenset[str]) -> bool:
    """Give whether a modifier can name a kind of programme ("workforce", "10-year", "green")."""
    low = tok.lower_
    if low in ignored or tok.is_punct or tok.pos_ in {"DET", "PRON", "ADV"}:
        return False
    if tok.pos_ == "ADJ" or tok.tag_ in {"JJ", "VBN", "VBG"}:
        return low in naming or any(c.isdigit() for c in low)
    return True


def _anaphor(doc: Doc, head: Token, type_: str) -> Mention:
    """Give an anaphor mention "the X"/"this X" ending at ``head``."""
    start = head.i
    if start > 0 and doc[start - 1].lower_ in {"the", "this", "that", "these", "its", "their"}:
        start -= 1
    span = doc[start : head.i + 1]
    return Mention(span.start_char, span.end_char, span.text, type_, "anaphor", head=head.lower_, anaphor=True)


def anaphor_mentions(doc: Doc) -> list[Mention]:
    """Give definite references back to funds and bodies ("the package", "this funding", "the Council")."""
    out = []
    for tok in doc:
        low = tok.lower_
        det = tok.i - 1
        if det > 0 and low == "council" and doc[det].text in {"County", "District", "City", "Borough"}:
            det -= 1  # "the County Council"
        if low in FUND_ANAPHORS:
            # "this generous funding", "the road safety budget": describing words before the head
            while det > 0 and tok.i - det < 4 and doc[det].pos_ in {"ADJ", "NOUN"} and not doc[det].ent_type_:
                det -= 1
        if det < 0 or doc[det].lower_ not in {"the", "this", "that"}:
            continue
        if low in FUND_ANAPHORS and tok.pos_ == "NOUN":
            span = doc[det : tok.i + 1]
            out.append(Mention(span.start_char, span.end_char, span.text, "Fund", "anaphor", head=low, anaphor=True))
        elif low in ORG_ANAPHORS and tok.is_title:
            span = doc[det : tok.i + 1]
            out.append(Mention(span.start_char, span.end_char, span.text, "Organisation", "anaphor", head=low, anaphor=True))
    return out


_QUOTED = re.compile(r"(?<!\w)[‘'“\"](?P<name>[A-Z][^‘'“\"’”\n]{2,80}?)[’'”\"]\s+(?P<head>[a-z]+)\b")


def quoted_programme_mentions(doc: Doc) -> list[Mention]:
    """Give programmes named in quotation marks before their head ("its 'Safe Streets, Strong Towns' strategy").

    The quoted title is the name; the title with its head word is an alias.
    """
    heads = word_set("programme_heads")
    out = []
    for m in _QUOTED.finditer(text_of(doc)):
        if m.group("head") not in heads or len(m.group("name").split()) < 2:
            continue
        name = clean_surface(m.group("name"))
        whole = f"{name} {m.group('head')}"
        out.append(Mention(m.start(), m.end(), name, "Programme", "name", aliases=[whole], head=m.group("head")))
    return out


_DESCRIBING = {"for", "to", "on", "into", "aimed", "designed", "intended"}
_UNNAMING = {"long", "term", "short", "medium"}  # "long-term": how long, not which


def _says_only_kind(surface: str, heads: frozenset[str], ignored: frozenset[str]) -> bool:
    words = name_key(surface).split()
    return bool(words) and all(w in heads or w in ignored or w in _UNNAMING for w in words)


def describe_generic_programmes(doc: Doc, clusters: list) -> None:
    """Give a programme called only by its kind ("the long-term strategy") the description after it.

    "the long-term strategy for rural bus services" gets that phrase as an alias, so the programme
    has a name that tells it from other strategies (a named programme keeps only its names).
    """
    heads = word_set("programme_heads")
    ignored = word_set("programme_modifiers_ignored")
    for c in clusters:
        if c.type != "Programme" or not all(_says_only_kind(s, heads, ignored) for s in c.surfaces()):
            continue
        for m in c.mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None or span[-1].lower_ not in heads or span.end >= len(doc):
                continue
            head = span[-1]
            end = postmodifier_end(head, limit=8)
            if end <= head.i + 1 or doc[head.i + 1].lower_ not in _DESCRIBING:
                continue
            start = min([t.left_edge.i for t in head.lefts if t.dep_ in {"amod", "compound"}] + [head.i])
            while start < head.i and (doc[start].pos_ in {"DET", "PRON"} or doc[start].lower_ in ignored):
                start += 1
            longer = doc[start:end]
            while len(longer) > 2 and longer[-1].pos_ in {"ADP", "DET", "PART", "CCONJ", "PRON"}:
                longer = longer[:-1]
            if "\n" not in longer.text:
                m.aliases.append(clean_surface(longer.text))


_BOROUGH_STYLES = {"Royal", "London", "Metropolitan"}


def council_style_mentions(doc: Doc) -> list[Mention]:
    """Give a council named in the borough style ("London Borough of Upper Fenmere", "Borough of
    Fenmere and Wold Council") as one Organisation, not a place, a "London Borough" and another place.

    The place is its capitalised words, joined by "upon" ("Kingston upon Thames") or by "and" when one
    capitalised word follows it and ends the name ("Fenmere and Wold"); a "Council" after it is kept.
    """
    out = []
    for tok in doc[:-2]:
        if tok.text != "Borough" or doc[tok.i + 1].text != "of" or not title_cap(doc[tok.i + 2]):
            continue
        start = tok.i - 1 if tok.i > 0 and doc[tok.i - 1].text in _BOROUGH_STYLES else tok.i
        end = tok.i + 3
        while end < len(doc):
            if title_cap(doc[end]):
                end += 1
            elif doc[end].lower_ == "upon" and end + 1 < len(doc) and title_cap(doc[end + 1]):
                end += 2
            elif (doc[end].lower_ == "and" and end + 1 < len(doc) and title_cap(doc[end + 1])
                  and (end + 2 == len(doc) or not title_cap(doc[end + 2]) or doc[end + 2].text == "Council")):
                end += 2
            else:
                break
        out.append(span_mention(doc[start:end], "Organisation", "name"))
    return out

