"""Relations read from posts, possessives and names rather than from a verb between two mentions.

Input: a parsed Doc and its entity dicts (with mentions, roles and role spans). Output:
``(subject, predicate, object, sentence)`` tuples:

- member_of / represents: bodies and places named in a person's post ("leader of Derby City
  Council", "Leeds's MP"); a minister is a member of the UK Government;
- leads: a programme named in a person's post ("chair of the Coastal Review"), and possessives,
  "Anna Lee's review", "the LGA's new strategy";
- member_of: a person who leads, chairs or runs a body ("She has led Derby City Council");
- covers: a programme whose own name names a place ("Wessex Coast growth deal").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .resources import word_set
from .roles import pronoun_subjects
from .sentences import Mentioned, text_of

GOVERNMENT = "UK Government"
_LEAD_VERBS = {"led", "leads", "lead", "leading", "chaired", "chairs", "chair", "chairing", "heads", "headed",
               "runs", "ran", "run", "running"}
_LEAD_POSTS = {"chair", "chairman", "chairwoman", "chairperson", "lead", "leader", "head", "director", "co-chair",
               "officer", "manager", "responsible"}


def implied_relations(doc: Doc, entities: list[dict], sentences: list[tuple[Span, list[Mentioned]]],
                      ) -> list[tuple[str, str, str, Span]]:
    """Give the relations implied by posts, possessives and names, each with its evidence sentence.

    ``sentences`` are the Doc's sentences with their mentions (``mentions_by_sentence``).
    """
    out = role_relations(doc, entities)
    for sent, items in sentences:
        out += [(s, p, o, sent) for s, p, o in _sentence_relations(items)]
        out += [(s, "part_of", o, sent) for s, o in _drawn_from(doc, items, entities)]
    out += _name_covers(doc, entities)
    out += _fund_names(doc, entities)
    out += _pronoun_leaders(doc, entities)
    out += _councillors(doc, entities, out)
    out += _mayors(doc, entities, out)
    return out


def role_relations(doc: Doc, entities: list[dict]) -> list[tuple[str, str, str, Span]]:
    """Give member_of, represents and leads from posts: bodies, places and programmes named in a role."""
    out = []
    government = next((e for e in entities if e["name"] == GOVERNMENT), None)
    posts = word_set("ministerial_posts")
    for person in (e for e in entities if e["type"] == "Person"):
        for (start, end, sent_start), role in zip(person.get("role_spans", []), person["roles"]):
            sent = doc.char_span(sent_start, sent_start + 1, alignment_mode="expand").sent
            for other in entities:
                if other is government or not any(start <= s and e <= end for s, e, _ in other["mentions"]):
                    continue
                if other["type"] == "Organisation":
                    out.append((person["id"], "member_of", other["id"], sent))
                elif other["type"] == "Region" and _elected(role):
                    out.append((person["id"], "represents", other["id"], sent))
                elif other["type"] == "Programme" and set(role.lower().split()) & _LEAD_POSTS:
                    out.append((person["id"], "leads", other["id"], sent))
            if government is not None and any(w in role.lower().split() for w in posts):
                out.append((person["id"], "member_of", government["id"], sent))
    return out


def _elected(role: str) -> bool:
    return any(w in role.lower().replace("’s", " ").replace("'s", " ").split() for w in ("mp", "mayor", "msp", "councillor", "mep"))


def _sentence_relations(items: list[Mentioned]) -> list[tuple[str, str, str]]:
    """Give leads from possessives and member_of from "X led/chairs BODY" within one sentence."""
    out = []
    for owner in (m for m in items if m.type in {"Person", "Organisation"}):
        tok = owner.token
        if tok.dep_ == "poss" or tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ in {"'s", "’s"}:
            owned = next((m for m in items if m.type == "Programme" and (_within(tok.head.i, m) or _just_after(tok, m))), None)
            if owned is not None and not _is_government(owner, items):
                out.append((owner.entity, "leads", owned.entity))
        if owner.type == "Person" and tok.dep_ == "nsubj" and tok.head.lower_ in _LEAD_VERBS:
            body = next((m for m in items if m.type == "Organisation" and m.token.dep_ == "dobj"
                         and m.token.head.i == tok.head.i), None)
            if body is not None:
                out.append((owner.entity, "member_of", body.entity))
    return out


_FROM = re.compile(r"^\s*(?:of\s+)?(?:funding|money|cash|grant|investment)?\s*from\s+(?:the|its|their|a)?\s*$", re.I)


def _drawn_from(doc: Doc, items: list[Mentioned], entities: list[dict]) -> list[tuple[str, str]]:
    """Give (amount, fund) for "£3m funding from the Harbour Renewal Fund": an amount drawn from a named fund."""
    amount = {e["id"]: e.get("amount") for e in entities}
    out = []
    for a, b in zip(items, items[1:]):
        if a.type == b.type == "Fund" and amount[a.entity] is not None and amount[b.entity] is None:
            if _FROM.match(text_of(doc)[a.end : b.start]):
                out.append((a.entity, b.entity))
    return out


def _pronoun_leaders(doc: Doc, entities: list[dict]) -> list[tuple[str, str, str, Span]]:
    """Give member_of for "He has led BODY" where "he" is the person named just before."""
    out = []
    for pronoun, person in pronoun_subjects(doc, entities):
        verb = pronoun.head
        if verb.lower_ not in _LEAD_VERBS:
            continue
        for body in (e for e in entities if e["type"] == "Organisation" and e["name"] != GOVERNMENT):
            for start, end, _ in body["mentions"]:
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is not None and span.root.dep_ == "dobj" and span.root.head.i == verb.i:
                    out.append((person["id"], "member_of", body["id"], pronoun.sent))
    return out


def _just_after(owner: Token, m: Mentioned) -> bool:
    """Give whether mention ``m`` starts within two describing words after an owner's "'s"."""
    doc = owner.doc
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    return span is not None and owner.i + 2 <= span.start <= owner.i + 4 and not any(
        t.is_punct or t.pos_ == "VERB" and t.dep_ != "amod" for t in doc[owner.i + 2 : span.start])


def _within(i: int, m: Mentioned) -> bool:
    """Give whether token ``i`` lies inside mention ``m``."""
    doc = m.token.doc
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    return span is not None and span.start <= i < span.end


def _is_government(m: Mentioned, items: list[Mentioned]) -> bool:
    return m.token.lower_ == "government"


def _name_covers(doc: Doc, entities: list[dict]) -> list[tuple[str, str, str, Span]]:
    """Give covers for a programme whose name names a place ("Wessex Coast growth deal" covers Wessex Coast)."""
    out = []
    regions = [e for e in entities if e["type"] == "Region"]
    for prog in (e for e in entities if e["type"] == "Programme"):
        names = [prog["name"], *prog["aliases"]]
        for region in regions:
            pattern = re.compile(rf"(?<![\w-]){re.escape(region['name'])}(?![\w-])")
            if any(pattern.search(n) for n in names):
                start = prog["mentions"][0][0]
                sent = doc.char_span(start, start + 1, alignment_mode="expand").sent
                out.append((prog["id"], "covers", region["id"], sent))
    return out


def _fund_names(doc: Doc, entities: list[dict]) -> list[tuple[str, str, str, Span]]:
    """Give what an amount's own name says: "£4m package for Kent" -> allocated_to Kent;
    "£75m Rural Bus Fund" -> part_of the Rural Bus Fund named elsewhere."""
    out = []
    regions = [e for e in entities if e["type"] in {"Region"}]
    named_funds = [e for e in entities if e["type"] == "Fund" and e.get("amount") is None]
    for fund in (e for e in entities if e["type"] == "Fund" and e.get("amount") is not None):
        names = [fund["name"], *fund["aliases"]]
        start = fund["mentions"][0][0]
        sent = doc.char_span(start, start + 1, alignment_mode="expand").sent
        for region in regions:
            place = re.compile(rf"\b(?:in|across|for|throughout) (?:the )?{re.escape(region['name'])}(?![\w-])")
            if any(place.search(n) for n in names):
                out.append((fund["id"], "allocated_to", region["id"], sent))
        for whole in named_funds:
            if len(whole["name"].split()) >= 2 and any(whole["name"] in n and n != whole["name"] for n in names):
                out.append((fund["id"], "part_of", whole["id"], sent))
    return out


_COUNCIL_POSTS = ("cabinet member", "councillor", "leader", "executive member", "portfolio holder", "executive director",
                  "deputy leader")


def _councillors(doc: Doc, entities: list[dict], found: list[tuple[str, str, str, Span]]) -> list[tuple[str, str, str, Span]]:
    """Give member_of the article's one council for a councillor whose post names no body ("Cllr X, Cabinet Member for Y")."""
    councils = [e for e in entities if e["type"] == "Organisation" and e["name"].split(" ")[-1].lower() in {"council", "councils"}]
    if len(councils) != 1:
        return []
    members = {s for s, p, _, _ in found if p == "member_of"}
    out = []
    for person in (e for e in entities if e["type"] == "Person" and e["id"] not in members):
        titled = any(m[2].lower().startswith(("cllr", "councillor")) for m in person["mentions"])
        posts = [r.lower() for r in person["roles"]]
        if titled or any(r.startswith(_COUNCIL_POSTS) for r in posts):
            start = person["mentions"][0][0]
            out.append((person["id"], "member_of", councils[0]["id"], doc.char_span(start, start + 1, alignment_mode="expand").sent))
    return out


def _mayors(doc: Doc, entities: list[dict], found: list[tuple[str, str, str, Span]]) -> list[tuple[str, str, str, Span]]:
    """Give represents for a mayor whose post names no place, when the article's one combined authority does."""
    authorities = [e for e in entities if e["type"] == "Organisation" and e["name"].lower().endswith("combined authority")]
    if len(authorities) != 1:
        return []
    area = authorities[0]["name"][: -len(" combined authority")].strip()
    region = next((e for e in entities if e["type"] == "Region" and e["name"] == area), None)
    represented = {s for s, p, _, _ in found if p == "represents"}
    out = []
    for person in (e for e in entities if e["type"] == "Person" and e["id"] not in represented):
        if region is not None and any(r.lower().split()[-1:] == ["mayor"] for r in person["roles"]):
            start = person["mentions"][0][0]
            out.append((person["id"], "represents", region["id"], doc.char_span(start, start + 1, alignment_mode="expand").sent))
    return out
