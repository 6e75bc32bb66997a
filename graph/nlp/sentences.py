"""Sentences and mentions: which entity mentions each sentence holds, paths between them, evidence.

Input: a parsed Doc and its entity dicts. Output: per sentence, ``Mentioned`` records (entity id,
type and the mention's syntactic head token), and evidence offsets that slice ``Doc.text``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token


@dataclass(frozen=True)
class Mentioned:
    """One mention of an entity inside a sentence, with the token that heads it."""

    entity: str
    type: str
    token: Token
    start: int
    end: int


def mentions_by_sentence(doc: Doc, entities: list[dict]) -> Iterator[tuple[Span, list[Mentioned]]]:
    """Give each sentence with the entity mentions inside it, in text order."""
    items: list[Mentioned] = []
    for e in entities:
        for start, end, _text in e["mentions"]:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                items.append(Mentioned(e["id"], e["type"], span.root, start, end))
    items.sort(key=lambda m: m.start)
    k = 0
    for sent in doc.sents:
        while k < len(items) and items[k].start < sent.start_char:
            k += 1
        inside = []
        while k < len(items) and items[k].start < sent.end_char:
            inside.append(items[k])
            k += 1
        if inside:
            yield sent, inside


def path_words(a: Token, b: Token, limit: int = 8) -> set[str] | None:
    """Give the lower-cased words on the dependency path between two tokens (ends excluded).

    None when the path is longer than ``limit`` or crosses a clause boundary that breaks the link.
    """
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    common = next((t for t in up_a if t in up_b), None)
    if common is None:
        return None
    path = up_a[: up_a.index(common) + 1] + up_b[: up_b.index(common)]
    if len(path) - 2 > limit:
        return None
    words = {t.lower_ for t in path if t.i not in (a.i, b.i)}
    words |= {c.lower_ for t in path for c in t.children if c.dep_ in {"prt", "prep", "agent"} and c.i not in (a.i, b.i)}
    return words


def text_of(doc: Doc) -> str:
    """Give the Doc's text, built once per Doc (``Doc.text`` joins every token on each call)."""
    text = doc.user_data.get("reformkg_text")
    if text is None:
        text = doc.user_data["reformkg_text"] = doc.text
    return text


def evidence(sent: Span) -> dict:
    """Give the start and end of a sentence's text without its edge whitespace."""
    text = sent.text
    start = sent.start_char + (len(text) - len(text.lstrip()))
    end = sent.start_char + len(text.rstrip())
    return {"start": start, "end": end}


def sentence_at(doc: Doc, char: int) -> Span:
    """Give the sentence holding a character offset."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span.sent if span is not None else doc[:]
