"""Quotation attribution: who is speaking in each sentence, and what funds or programmes they speak of.

Input: a parsed Doc and its entity dicts. Output: ``commented_on`` relations (Person -> Fund or
Programme). A speaker is the subject of a speech verb ("Ms Moss said:", "said Omar Patel",
"according to X"); the quotation runs on through the following sentences while a quote is open
or a new paragraph opens with a quotation mark.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from .resources import word_set
from .sentences import Mentioned, mentions_by_sentence, text_of

SPEECH = {"said", "says", "say", "added", "adds", "commented", "stated", "explained", "told", "welcomed",
          "welcomes", "praised", "hailed", "described", "warned", "insisted", "argued", "noted", "continued",
          "believes", "believed", "according", "added:", "urged", "urges", "called", "claimed", "stressed"}
_OPEN = {"“", "‘"}
_OPEN_MARKS = {"“", '"'}
_BLANK = " \t\r\n\u00a0"
_CLOSE = {"”", "’"}
_PRONOUNS = {"he", "she"}


def _quote_state(text: str) -> list[bool]:
    """Give, for each character offset, whether it lies inside a quotation (curly or straight double quotes).

    A straight quote at the start of a paragraph always opens; elsewhere it toggles. A quotation
    left open at a paragraph's end runs on only if the next paragraph opens with a quotation mark.
    """
    inside = [False] * (len(text) + 1)
    state = False
    line_start = True
    for i, ch in enumerate(text):
        if ch == "\n":
            if state and not _line_continues(text, i):
                state = False
            line_start = True
        elif ch == "“":
            state = True
        elif ch == "”":
            state = False
        elif ch == '"':
            state = True if line_start else not state
        if not ch.isspace():
            line_start = False
        inside[i + 1] = state
    return inside


def _line_continues(text: str, newline: int) -> bool:
    """Give whether a quotation open at a line break runs on: the next paragraph opens with a quotation mark.

    This is the journalistic convention for a quotation over several paragraphs: each paragraph
    opens with a quotation mark and only the last one closes.
    """
    j = newline + 1
    while j < len(text) and text[j] in _BLANK:
        j += 1
    return j < len(text) and text[j] in _OPEN_MARKS


def _speaker(sent: Span, items: list[Mentioned], last_person: str | None) -> str | None:
    """Give the entity id of the person speaking in a sentence, if it attributes speech."""
    verbs = [t for t in sent if t.lower_ in SPEECH]
    if not verbs:
        return None
    people = [m for m in items if m.type == "Person"]
    for verb in verbs:
        for m in people:
            if _attached(m.token, verb):
                return m.entity
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if any(s.lower_ in _PRONOUNS for s in subjects) and last_person:
            return last_person
    if len(people) == 1 and verbs and not any(_reported(people[0].token, v) for v in verbs):
        return people[0].entity  # the only person in a speech sentence, unless named in what is said
    return None


def _co_speakers(items: list[Mentioned], speaker: str) -> list[str]:
    """Give the people coordinated with a speaker's mention ("Jo Reed and Sam Lee said")."""
    mention = next((m for m in items if m.entity == speaker), None)
    if mention is None:
        return []
    conj = {c.i for c in mention.token.conjuncts}
    return [m.entity for m in items if m.type == "Person" and m.token.i in conj and m.entity != speaker]


def _reported(tok: Token, verb: Token) -> bool:
    """Give whether a token lies in the clause a speech verb reports ("said he ... but confirmed that X ...")."""
    clauses = [c for c in verb.children if c.dep_ in {"ccomp", "conj", "xcomp"}]
    return any(c.left_edge.i <= tok.i <= c.right_edge.i for c in clauses)


def _attached(tok: Token, verb: Token) -> bool:
    """Give whether a mention is the subject (or "according to" object) of a speech verb."""
    steps = 0
    while tok.head.i != tok.i and steps < 4:
        if tok.head.i == verb.i:
            return tok.dep_ in {"nsubj", "nsubjpass", "prep", "pobj", "appos", "npadvmod"} or verb.lower_ == "according"
        tok = tok.head
        steps += 1
    return False


def quote_relations(doc: Doc, entities: list[dict], sentences: list[tuple[Span, list[Mentioned]]] | None = None,
                    ) -> list[tuple[str, str, str, Span]]:
    """Give ``commented_on`` relations for every fund or programme named in a person's quotation.

    ``sentences`` are the Doc's sentences with their mentions, if already found (``mentions_by_sentence``).
    """
    inside = _quote_state(text_of(doc))
    by_sentence = {s.start: items for s, items in (sentences if sentences is not None else mentions_by_sentence(doc, entities))}
    posts = word_set("ministerial_posts")
    ministers = {e["id"] for e in entities if e["type"] == "Person" and any(w in posts for r in e["roles"] for w in r.lower().split())}
    out = []
    speakers: list[str] = []
    last_person: str | None = None
    attributions: dict[str, Span] = {}  # speaker -> the sentence that first attributes speech to them
    for sent in doc.sents:
        items = by_sentence.get(sent.start, [])
        quoted = inside[sent.start_char + 1] or any(t.text in _OPEN or t.text == '"' for t in sent)
        found = _speaker(sent, items, last_person)
        if found:
            speakers = [found, *_co_speakers(items, found)]  # "X and Y said"
            for who in speakers:
                attributions.setdefault(who, sent)
        elif not quoted:
            speakers = []
        for speaker in speakers:
            # a minister's reported speech about money states policy: "X said councils would receive £5m"
            verb = "announced" if not quoted and speaker in ministers else "commented_on"
            for m in items:
                if m.type in {"Fund", "Programme"}:
                    out.append((speaker, verb, m.entity, sent))
        people = [m.entity for m in items if m.type == "Person"]
        if people:
            last_person = people[-1]
    topic = main_topic(entities)
    spoke_of = {s for s, _, _, _ in out}
    for who, sent in attributions.items():
        if topic is not None and who not in spoke_of:
            out.append((who, "commented_on", topic, sent))  # a quotation in an article about X is about X
    return out


def main_topic(entities: list[dict]) -> str | None:
    """Give the id of the fund or programme the article is about: the most mentioned, then the first."""
    things = [e for e in entities if e["type"] in {"Fund", "Programme"}]
    if not things:
        return None
    best = max(things, key=lambda e: (len(e["mentions"]), -min(m[0] for m in e["mentions"])))
    return best["id"] if len(best["mentions"]) >= 2 else None
