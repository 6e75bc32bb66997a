"""Named mentions in a parsed Doc: gazetteers, capitalised programme names and sentence-case titles,
titled people and the government.

Input: a spaCy ``Doc`` with NER. Output: ``Mention`` records (character offsets into the text).
The phrase-level finders (amounts, lower-case programme phrases, anaphors) are in ``phrases.py``,
the stock NER's entities in ``ner.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from .names import clean_surface
from .resources import name_list, typed_names, word_set
from .roles import introduced_as_person, is_post

LINKERS = {"and", "of", "for", "the", "to", "on", "at", "in", "&", "'s", "’s", "into", "with"}
GOVERNMENT = "UK Government"
_DETERMINERS = {"the", "this", "these", "that", "those", "a", "an", "its", "their", "our"}


@dataclass
class Mention:
    """One mention of a would-be entity: where it is, its type, and what it says about the entity."""

    start: int
    end: int
    text: str
    type: str
    source: str
    canonical: str = ""  # a name the mention stands for ("UK Government" for "the government")
    aliases: list[str] = field(default_factory=list)  # longer surface forms around the mention
    amount: float | None = None
    head: str = ""  # lower-cased head noun ("plan", "package")
    anaphor: bool = False  # "the plan", "the Council": refers back to an earlier entity
    per_year: bool = False


def without_post(ent: Span) -> Span | None:
    """Give an ORG span without a post in it: "Chairs of X" -> X, "X's Chairman of Y" -> X."""
    for k, tok in enumerate(ent[:-1]):
        if tok.lower_ in {"'s", "’s"} and is_post(ent[k + 1].lower_):
            return ent[:k] if k else None
    first = k = 1 if ent[0].lower_ == "the" else 0
    while k < len(ent) - 1 and is_post(ent[k].lower_) and ent[k].is_title:
        k += 1
    if k > first and ent[k].lower_ in {"of", "for"}:
        rest = ent[k + 1 :]
        if len(rest) and rest[0].lower_ == "the":
            rest = rest[1:]
        return rest if len(rest) else None
    return ent


def span_mention(span: Span, type_: str, source: str, **extra: object) -> Mention:
    """Give a Mention for a token span (leading "the" and edge punctuation dropped)."""
    while len(span) > 1 and span[0].lower_ in {"the", "a", "an"}:
        span = span[1:]
    while len(span) > 1 and (span[-1].is_punct or span[-1].lower_ in {"'s", "’s"}):
        span = span[:-1]
    return Mention(span.start_char, span.end_char, clean_surface(span.text), type_, source, **extra)  # type: ignore[arg-type]


@cache
def _gazetteer(vocab: Vocab) -> PhraseMatcher:
    matcher = PhraseMatcher(vocab, attr="ORTH")
    from spacy.lang.en import English

    make = English().tokenizer
    matcher.add("Organisation", [make(n) for n in name_list("organisations")])
    matcher.add("Region", [make(n) for n in name_list("places")])
    for kind, name in typed_names("programmes"):
        matcher.add(kind, [make(name)])
    return matcher


def gazetteer_mentions(doc: Doc) -> list[Mention]:
    """Give mentions of real UK bodies, places and national programmes listed in the gazetteers."""
    matcher = _gazetteer(doc.vocab)
    out = []
    for match_id, start, end in matcher(doc):
        out.append(span_mention(doc[start:end], doc.vocab.strings[match_id], "gaz"))
    return out


def government_mentions(doc: Doc) -> list[Mention]:
    """Give mentions of the UK Government ("the government", "HM Government", "central Government")."""
    not_gov = word_set("not_government")
    out = []
    for tok in doc:
        if tok.lower_ != "government":
            continue
        left = tok.nbor(-1) if tok.i > 0 else None
        right = tok.nbor(1) if tok.i + 1 < len(doc) else None
        if left is not None and left.lower_ in not_gov:
            continue
        if right is not None and right.is_title and right.lower_ not in LINKERS and not right.is_sent_start:
            continue  # "Government Equalities Office": part of another body's name
        start = tok.i
        if left is not None and left.lower_ in {"hm", "uk", "central", "westminster", "the", "majesty", "national"}:
            start -= 1
            if left.lower_ != "the" and start > 0 and doc[start - 1].lower_ == "the":
                start -= 1
        span = doc[start : tok.i + 1]
        out.append(Mention(span.start_char, span.end_char, span.text, "Organisation", "gov", canonical=GOVERNMENT))
    return out


def titled_person_mentions(doc: Doc) -> list[Mention]:
    """Give people named after an honorific ("Dame Joan Ellery", "Cllr Barraclough", "Mr Quinlan")."""
    titles = word_set("titles") - {"the"}
    stops = word_set("post_words") | word_set("org_heads")
    out = []
    for tok in doc[:-1]:
        if tok.lower_.rstrip(".") not in titles or not tok.is_title:
            continue
        j = tok.i + 1
        if tok.text.endswith(".") is False and doc[j].text == ".":
            j += 1
        end = j
        while end < len(doc) and (_is_cap(doc[end]) or doc[end].lower_ in {"de", "van", "von", "le", "da"}) and not doc[end].is_sent_start:
            if doc[end].lower_ in stops:
                break
            end += 1
        while end > j and not _is_cap(doc[end - 1]):
            end -= 1
        if j < end <= j + 3:
            out.append(span_mention(doc[tok.i : end], "Person", "name"))
    return out


def _is_cap(tok: Token) -> bool:
    text = tok.text
    return bool(text) and (text[0].isupper() or (text[0].isdigit() and "-" in text)) and not tok.is_punct


def capitalised_runs(doc: Doc) -> list[Span]:
    """Give maximal runs of capitalised words joined by linkers ("Review of Children's Social Care")."""
    runs = []
    heads = word_set("programme_heads") | word_set("fund_heads")
    name_heads = {"fund", "grant"} | word_set("org_heads") | word_set("programme_heads")
    skip = word_set("not_entities")
    i = 0
    while i < len(doc):
        if not _is_cap(doc[i]) or doc[i].text in {"£", "I"}:
            i += 1
            continue
        j = i + 1
        end = j
        while j < len(doc) and not doc[j].is_sent_start:
            if _is_cap(doc[j]) or (doc[j].text == "-" and j + 1 < len(doc) and _is_cap(doc[j + 1])):
                j += 1
                end = j
            elif doc[j].lower_ in {"'s", "’s"} and (doc[j - 1].ent_type_ == "PERSON" or j + 1 < len(doc) and doc[j + 1].lower_ in heads):
                break  # "Ruth Ogden's Review": the person is not part of the name
            elif doc[j].lower_ == "and" and j + 1 < len(doc) and doc[j + 1].lower_ == "the":
                break  # "X and the Y": two names
            elif doc[j].lower_ == "and" and doc[j - 1].lower_ in name_heads:
                break  # "X Fund and Y Fund", "X Council and Y Council": two names
            elif doc[j].lower_ in LINKERS and j + 1 < len(doc) and doc[j + 1].lower_ in skip:
                break  # "Review of X on Tuesday": a date is not part of the name
            elif doc[j].lower_ in LINKERS and j + 1 < len(doc) and (_is_cap(doc[j + 1]) or doc[j + 1].lower_ == "the"):
                j += 1
            else:
                break
        start = i
        # a sentence-initial "The"/"This" is capitalised only because it starts the sentence
        while start < end and doc[start].is_title and (doc[start].lower_ in LINKERS | skip | _DETERMINERS
                                                       or doc[start].is_stop and doc[start].is_sent_start):
            start += 1
        if end - start > 3 and doc[start + 1].lower_ == "of" and doc[start].lower_ not in heads:
            # "Signing of the X Plan", "Chairs of X": a common noun before the name
            start += 3 if doc[start + 2].lower_ == "the" else 2
        if start < end:
            runs.append(doc[start:end])
        i = max(end, i + 1)
    return runs


def named_programme_mentions(doc: Doc) -> list[Mention]:
    """Give capitalised names headed by a programme or fund word ("Reading Hubs", "Rural Bus Fund").

    A capitalised name followed by a lower-case head ("the Next Steps ... plan") is a Programme too,
    with the head-word form kept as an alias.
    """
    heads = word_set("programme_heads")
    fund_heads = {"fund", "funds", "grant"}
    org_heads = word_set("org_heads")
    places = {n.lower() for n in name_list("places")} | {n.lower() for n in name_list("organisations")}
    out = []
    for run in capitalised_runs(doc):
        last = run[-1].lower_
        content = [t for t in run if t.lower_ not in LINKERS]
        if len(run) > 1 and run[-2].lower_ == "the":
            continue  # "Key Components of the Strategy": a heading, not a name
        if last in org_heads and len(content) >= 2:
            body = without_post(run)
            if body is not None and len(body):
                out.append(span_mention(body, "Organisation", "name", head=last))
            continue
        k = 1 if len(run) > 3 and run[0].lower_ not in heads and run[1].lower_ in heads else 0
        if run[k].lower_ in heads and len(run) > k + 2 and run[k + 1].lower_ in {"of", "into", "for", "on"}:
            out.append(span_mention(run, "Programme", "name", head=run[k].lower_))  # "(Independent) Review of X"
            continue
        if last in fund_heads | heads and len(content) >= 2:
            if len(run) == 2 and introduced_as_person(doc, run):
                continue  # "Alan Grant, cabinet member for finance": a surname that is a head word
            kind = "Fund" if last in fund_heads else "Programme"
            out.append(span_mention(run, kind, "name", head=last))
            continue
        after = doc[run.end] if run.end < len(doc) else None
        if after is None or after.is_title or after.lower_ not in heads | fund_heads:
            continue
        if run.text.lower() in places or any(e.label_ in {"GPE", "LOC"} for e in run.ents):
            continue  # "Norfolk plan": a place's plan is not a named programme
        if len(run) == 1 and (run[0].lower_ == "government" or run[0].lower_ in org_heads):
            continue  # "a Government grant": whose grant, not the grant's name
        kind = "Fund" if after.lower_ in fund_heads else "Programme"
        longer = doc[run.start : after.i + 1].text
        out.append(span_mention(run, kind, "name", aliases=[clean_surface(longer)], head=after.lower_))
    return out


# Sentence-case titles of policy papers ("the delivery of Next steps for Rural Bus Services"): GOV.UK
# titles keep only some words capitalised, so a capitalised run sees their tail alone. A common word
# (not a proper noun, not a person or place) capitalised mid-sentence after a preposition starts such
# a title when a few lower-case words and then a capitalised run of two or more capitalised words
# follow, up to the end of the clause.
_TITLE_OPENERS = {"of", "in", "through", "under", "from", "with", "by", "about"}
_TITLE_MAX_LOWER = 5
#: Named-entity labels a title's first word never has (the stock NER calls a title's words ORG, NORP ...).
_NOT_TITLES = {"PERSON", "GPE", "LOC", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
_TITLE_MAX_WORDS = 14


def title_cap(tok: Token) -> bool:
    """A capitalised word (not an amount or punctuation)."""
    return tok.text[:1].isupper() and tok.is_alpha


def _opens_title(tok: Token) -> bool:
    """A capitalised common word in mid-sentence after a preposition ("delivery of Next steps")."""
    doc = tok.doc
    return (title_cap(tok) and not tok.is_sent_start and tok.i > 0 and doc[tok.i - 1].lower_ in _TITLE_OPENERS
            and tok.pos_ in {"ADJ", "NOUN", "VERB", "ADV"} and tok.ent_type_ not in _NOT_TITLES
            and not tok.text.isupper())


def _title_end(doc: Doc, start: int) -> int | None:
    """Give where a sentence-case title opened at ``start`` ends, or None when none does."""
    j = start + 1
    lower = 0
    while j < len(doc) and not title_cap(doc[j]) and doc[j].is_alpha and not doc[j].is_sent_start:
        lower += 1
        j += 1
    if not 1 <= lower <= _TITLE_MAX_LOWER:
        return None
    capitals = 0
    end = j
    while j < len(doc) and not doc[j].is_sent_start and j - start < _TITLE_MAX_WORDS:
        if title_cap(doc[j]):
            capitals += 1
            j += 1
            end = j
        elif doc[j].lower_ in LINKERS and j + 1 < len(doc) and (title_cap(doc[j + 1]) or doc[j + 1].lower_ == "the"):
            j += 1
        else:
            break
    closes = end >= len(doc) or doc[end].is_punct and doc[end].text in {".", ",", ";", ":", ")"} or doc[end].is_space
    return end if capitals >= 2 and closes else None


def sentence_case_title_mentions(doc: Doc) -> list[Mention]:
    """Give a Programme mention for each sentence-case title of a paper, found as the comment above says."""
    org_heads = word_set("org_heads")
    out = []
    for tok in doc:
        if not _opens_title(tok):
            continue
        end = _title_end(doc, tok.i)
        if end is None:
            continue
        span = doc[tok.i:end]
        if "\n" in span.text or any(t.ent_type_ in {"PERSON", "GPE", "LOC"} for t in span):
            continue
        if span[-1].lower_ in org_heads:
            continue  # "Senior leaders of the Wessex Trust": a body's name closes it, not a title's
        out.append(Mention(span.start_char, span.end_char, clean_surface(span.text), "Programme", "name"))
    return out
