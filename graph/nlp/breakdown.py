"""Amounts in lists: who gets which share, and which whole the shares come from.

Input: one sentence with its ``Mentioned`` records and the entity dicts. Output: ``allocated_to``
and ``part_of`` triples that the dependency parse misses because the sentence lists amounts:

- gapped pairs, "the North will receive £8m, the South £5m and Wales £2m": a recipient followed
  directly by an amount, in a sentence that says money is received or allocated;
- "X and Y will get £9m and £6m respectively": amounts paired in order with recipients;
- a breakdown, "As part of this, £4m will ...", "... £2m and £3m under the fund": each share is
  part_of the whole it is taken from, named in the sentence or in the one before.
"""

from __future__ import annotations

from spacy.tokens import Span

from .sentences import Mentioned, text_of

_RECEIVE = {"receive", "receives", "received", "receiving", "get", "gets", "getting", "got", "allocated",
            "awarded", "given", "granted", "handed", "secured", "allocation", "allocations", "share"}
# words that may stand between a recipient and its amount in a list ("Kent will get £5m", "Kent receiving £5m")
_BETWEEN = {"the", "will", "would", "is", "was", "are", "to", "be", "set", "has", "have", "been", "with"} | _RECEIVE
# words that say the amounts of a sentence are shares of something larger
_SHARE_CUES = {"under", "from", "of", "within", "part", "including", "includes", "include", "share", "shares"}


def breakdown_relations(sent: Span, items: list[Mentioned], by_id: dict[str, dict],
                        previous: list[Mentioned]) -> list[tuple[str, str, str]]:
    """Give (subject, predicate, object) triples for the listed amounts of one sentence.

    ``previous`` holds the mentions of the two sentences before, where the whole of a breakdown
    ("As part of this, ...") may be named.
    """
    words = {t.lower_ for t in sent}
    amounts = [m for m in items if by_id[m.entity].get("amount") is not None]
    if not amounts:
        return []
    out: list[tuple[str, str, str]] = []
    if words & _RECEIVE or "respectively" in words:
        out += [(a, "allocated_to", r) for a, r in _listed_pairs(sent, items, by_id)]
    out += [(a, "part_of", w) for a, w in _shares(sent, amounts, items, by_id, previous, words)]
    return out


def _recipients(items: list[Mentioned]) -> list[Mentioned]:
    return [m for m in items if m.type in {"Region", "Organisation"}]


def _listed_pairs(sent: Span, items: list[Mentioned], by_id: dict[str, dict]) -> list[tuple[str, str]]:
    """Give (amount, recipient) pairs: a recipient directly followed by its amount, or paired "respectively"."""
    doc = sent.doc
    amounts = [m for m in items if by_id[m.entity].get("amount") is not None]
    recipients = [m for m in _recipients(items) if by_id[m.entity]["name"] != "UK Government"]
    pairs = []
    for r in recipients:
        r_span = doc.char_span(r.start, r.end, alignment_mode="expand")
        nxt = next((a for a in amounts if a.start >= r.end), None)
        if r_span is None or nxt is None:
            continue
        a_span = doc.char_span(nxt.start, nxt.end, alignment_mode="expand")
        if a_span is None or any(m.start >= r.end and m.end <= nxt.start for m in items):
            continue
        between = doc[r_span.end : a_span.start]
        if len(between) <= 4 and all(t.lower_ in _BETWEEN for t in between):
            pairs.append((nxt.entity, r.entity))
    # "Kent, Devon and Cumbria received £12m": an amount goes to the earlier conjuncts that have none of their own
    direct = {r for _, r in pairs}
    for amount, r_id in list(pairs):
        r = next(m for m in recipients if m.entity == r_id)
        conj = {c.i for c in r.token.conjuncts}
        pairs += [(amount, o.entity) for o in recipients if o.token.i in conj and o.end <= r.start and o.entity not in direct]
    resp = next((t for t in sent if t.lower_ == "respectively"), None)
    if resp is not None:
        listed = _amount_list_before(sent, amounts, resp.idx)
        heads = [r for r in recipients if listed and r.end <= listed[0].start]
        if len(listed) >= 2 and len(heads) >= len(listed):
            pairs += [(a.entity, r.entity) for a, r in zip(listed, heads[: len(listed)])]
    return pairs


def _amount_list_before(sent: Span, amounts: list[Mentioned], end: int) -> list[Mentioned]:
    """Give the run of amounts joined by commas and "and" that ends just before character ``end``."""
    text = text_of(sent.doc)
    before = [a for a in amounts if a.end <= end]
    if not before or text[before[-1].end : end].strip():
        return []
    run = [before[-1]]
    for a in reversed(before[:-1]):
        if text[a.end : run[0].start].strip(" ,") not in {"", "and", "or"}:
            break
        run.insert(0, a)
    return run


def _shares(sent: Span, amounts: list[Mentioned], items: list[Mentioned], by_id: dict[str, dict],
            previous: list[Mentioned], words: set[str]) -> list[tuple[str, str]]:
    """Give (share, whole) pairs when a sentence lists amounts taken from a larger fund."""
    text = sent.text.lower()
    part_of_this = "part of this" in text or "part of that" in text or "of which" in text
    listing = len({m.entity for m in amounts}) >= 2 and bool(words & _RECEIVE)
    if not (part_of_this or listing or words & _SHARE_CUES and len(amounts) >= 2):
        return []
    shares = {m.entity for m in amounts}
    whole = _whole(items, shares, by_id, words) or (_whole(previous, shares, by_id, words) if part_of_this or listing else None)
    if whole is None:
        return []
    big = by_id[whole].get("amount")
    return [(s, whole) for s in shares if s != whole and (big is None or by_id[s]["amount"] < big)]


def _whole(pool: list[Mentioned], shares: set[str], by_id: dict[str, dict], words: set[str]) -> str | None:
    """Give the fund the shares are taken from: a named fund after "under"/"from"/"of", else a larger amount."""
    named = [m for m in pool if m.type == "Fund" and by_id[m.entity].get("amount") is None
             and m.token.head.lower_ in {"under", "from", "of", "within"}]
    if named:
        return named[0].entity
    total = sum(by_id[s]["amount"] for s in shares if by_id[s]["amount"])
    larger = [m for m in pool if m.type == "Fund" and m.entity not in shares
              and (by_id[m.entity].get("amount") or 0) >= total]
    return max(larger, key=lambda m: by_id[m.entity]["amount"]).entity if larger else None
