"""Relations between the entities of one Doc, from sentence structure.

Input: a parsed Doc and its entity dicts (with mentions and role spans). Output: relation dicts
``{subject, predicate, object, start, end}`` where ``start:end`` is the evidence sentence.
Each rule here reads the dependency path between two mentions of one sentence and looks for
the words that state the relation ("allocated to", "part of", "builds on", "led by"). The other
rules live beside it: amounts in lists and shares of a whole in ``breakdown.py``; posts,
possessives, names and councillors in ``implied.py``; quotation attribution in ``quotes.py``.
Last, money not tied elsewhere in an article about one programme funds that programme.
"""

from __future__ import annotations

from itertools import permutations

from spacy.tokens import Doc, Span, Token

from .breakdown import breakdown_relations
from .implied import implied_relations
from .quotes import main_topic, quote_relations
from .resources import word_set
from .sentences import Mentioned, evidence, mentions_by_sentence, path_words, sentence_at

_CUES: dict[str, set[str]] = {
    "allocated_to": {"allocated", "allocate", "allocates", "awarded", "award", "receive", "receives", "received",
                     "receiving", "get", "gets", "getting", "given", "granted", "secured", "handed", "allocation",
                     "to", "for", "in"},
    "part_of": {"of", "from", "part", "share", "out", "within", "including", "ringfenced", "ring-fenced"},
    "funds": {"for", "fund", "funds", "funded", "funding", "back", "backed", "backs", "invest", "invested", "investment", "finance", "financed", "towards", "into",
              "includes", "include", "included"},
    "builds_on": {"builds", "build", "building", "built", "based", "follows", "following", "response", "respond",
                  "responds", "implements", "implement", "implementing", "extends", "extension"},
    "leads": {"led", "lead", "leads", "leading", "chaired", "chairs", "chair", "managed", "manage", "manages",
              "run", "runs", "overseen", "oversee", "oversees", "heads", "headed", "delivered"},
    "covers": {"in", "across", "throughout", "for", "covering", "covers", "to", "nationwide"},
}
# what money does for a programme: "the fund supports / underpins the X Plan" (a body that supports X need not pay)
_MONEY_SUPPORTS = {"support", "supports", "supported", "supporting", "underpin", "underpins", "underpinned", "pays", "paid"}
_ANNOUNCE = ("announc", "unveil", "launch", "publish", "confirm", "commit", "pledg", "reveal", "introduc",
             "award", "allocat", "set", "invest", "provid", "back", "outlin", "releas", "agree", "sign")
_SIGNATURES = {
    "allocated_to": ({"Fund"}, {"Region", "Organisation"}),
    "part_of": ({"Fund"}, {"Fund"}),
    "funds": ({"Fund", "Organisation"}, {"Programme"}),
    "builds_on": ({"Programme", "Fund"}, {"Programme", "Fund"}),
    "leads": ({"Person", "Organisation"}, {"Programme"}),
    "covers": ({"Programme"}, {"Region"}),
}


def find_relations(doc: Doc, entities: list[dict]) -> list[dict]:
    """Give the relations the Doc states between its entities, each with its evidence sentence."""
    by_id = {e["id"]: e for e in entities}
    found: dict[tuple[str, str, str], dict] = {}

    def add(subject: str, predicate: str, object_: str, sent: Span) -> None:
        if subject != object_ and (subject, predicate, object_) not in found:
            found[(subject, predicate, object_)] = {"subject": subject, "predicate": predicate, "object": object_, **evidence(sent)}

    previous: list[list[Mentioned]] = [[], []]
    sentences = list(mentions_by_sentence(doc, entities))
    for sent, items in sentences:
        listed = breakdown_relations(sent, items, by_id, previous[-1] + previous[-2])
        for subject, predicate, object_ in listed:
            add(subject, predicate, object_, sent)
        paired = {s for s, p, _ in listed if p == "allocated_to"}
        previous.append(items)
        for a, b in permutations(items, 2):
            if a.entity == b.entity:
                continue
            for predicate in _pair_predicates(a, b, by_id):
                if predicate == "allocated_to" and (a.entity in paired or not _mutually_nearest(a, b, items, by_id)):
                    continue
                add(a.entity, predicate, b.entity, sent)
        for subject, object_ in _announcements(items):
            add(subject, "announced", object_, sent)
    for subject, predicate, object_, sent in quote_relations(doc, entities, sentences):
        add(subject, predicate, object_, sent)
    for subject, predicate, object_, sent in implied_relations(doc, entities, sentences):
        add(subject, predicate, object_, sent)
    for subject, object_, start in _topic_funding(entities, found):
        add(subject, "funds", object_, sentence_at(doc, start))
    return list(found.values())


def _topic_funding(entities: list[dict], found: dict[tuple[str, str, str], dict]) -> list[tuple[str, str, int]]:
    """Give (amount, programme, offset): in an article about one programme, money not tied elsewhere funds it.

    An amount that is neither a share of another fund nor said to fund something is taken to
    fund the article's main programme, when that programme is what the article is about.
    """
    topic = main_topic(entities)
    by_id = {e["id"]: e for e in entities}
    if topic is None or by_id[topic]["type"] != "Programme" or set(by_id[topic]["name"].lower().split()) & _UNFUNDED:
        return []
    tied = {s for s, p, _ in found if p in {"part_of", "funds"}}
    return [(e["id"], topic, e["mentions"][0][0]) for e in entities
            if e["type"] == "Fund" and e.get("amount") is not None and e["id"] not in tied]


# programmes that money is not said to fund: reviews, consultations, papers and bills are written, not run
_UNFUNDED = {"review", "consultation", "paper", "study", "bill", "report"}


def _pair_predicates(a: Mentioned, b: Mentioned, by_id: dict[str, dict]) -> list[str]:
    """Give the predicates whose cue words lie on the dependency path from ``a`` to ``b``."""
    ta, tb = by_id[a.entity]["type"], by_id[b.entity]["type"]
    words = path_words(a.token, b.token)
    if words is None:
        return []
    out = []
    for predicate, (subjects, objects) in _SIGNATURES.items():
        cues = _CUES[predicate] | (_money_cues(a) if predicate == "funds" and ta == "Fund" else set())
        if ta not in subjects or tb not in objects or not words & cues:
            continue
        if predicate == "part_of" and not _part_of(a, b, by_id, words):
            continue
        if predicate == "allocated_to" and (by_id[b.entity]["name"] == "UK Government" or _source(a) or not _gives(a, b, words)):
            continue
        if predicate == "builds_on" and words & (_CUES["funds"] - {"for", "in", "into"} | _CUES["leads"]):
            continue  # "builds on the plan, which was backed by £250m": the path crosses another statement
        if predicate in {"builds_on", "leads", "funds"} and not _ordered(a, b, predicate, words):
            continue
        out.append(predicate)
    return out


def _money_cues(a: Mentioned) -> set[str]:
    """Give the extra words that say a fund pays for something: "supports", and "in" after "investment"."""
    return _MONEY_SUPPORTS | ({"in"} if a.token.lower_ in word_set("fund_heads") else set())


def _mutually_nearest(a: Mentioned, b: Mentioned, items: list[Mentioned], by_id: dict[str, dict]) -> bool:
    """Give whether fund ``a`` and recipient ``b`` are each other's nearest of their kinds (lists pair up)."""
    funds = [m for m in items if m.type == a.type and not _whole_of_share(m) and not _source(m)]
    if _whole_of_share(a):
        return False  # "£X of the package allocated to Y": the share is allocated, not the whole
    places = [m for m in items if m.type in {"Region", "Organisation"} and by_id[m.entity]["name"] != "UK Government"]

    def nearest(x: Mentioned, pool: list[Mentioned]) -> Mentioned:
        return min(pool, key=lambda m: abs(m.token.i - x.token.i))

    near_b = nearest(a, places)
    conj = {c.i for c in near_b.token.conjuncts}
    return (near_b.token.i == b.token.i or b.token.i in conj) and (nearest(b, funds).token.i == a.token.i or b.token.i in conj)


def _source(m: Mentioned) -> bool:
    """Give whether a mention is the source money comes from ("from the Towns Fund")."""
    return m.token.dep_ == "pobj" and m.token.head.lower_ == "from"


def _whole_of_share(m: Mentioned) -> bool:
    """Give whether a fund mention is the whole a share is taken from ("of the package", "from the fund")."""
    prep = m.token.head
    share = prep.head
    return m.token.dep_ == "pobj" and prep.lower_ in {"of", "from"} and (
        share.like_num or share.text.startswith("£") or any(c.text == "£" for c in share.children)
    )


def _part_of(a: Mentioned, b: Mentioned, by_id: dict[str, dict], words: set[str]) -> bool:
    """Give whether fund ``a`` is a share of fund ``b``: smaller, and joined by "of"/"from"/"part of"."""
    small, big = by_id[a.entity].get("amount"), by_id[b.entity].get("amount")
    if small is not None and big is not None:
        return small < big
    if big is not None or small is None:
        return False
    if words & {"part", "ringfenced", "ring-fenced", "share"}:
        return True
    # "£2m from the Towns Fund": "from" hangs on the amount or its verb, not on other money ("EU funding from X")
    prep = b.token.head
    return prep.lower_ == "from" and (prep.head.i in _up_to_verb(a.token) or prep.head.lower_ not in word_set("fund_heads"))


def _up_to_verb(tok: Token, steps: int = 3) -> set[int]:
    """Give the indices of a token and its heads up to and including the first verb."""
    out = {tok.i}
    while steps and tok.head.i != tok.i and tok.pos_ not in {"VERB", "AUX"}:
        tok = tok.head
        out.add(tok.i)
        steps -= 1
    return out


def _gives(a: Mentioned, b: Mentioned, words: set[str]) -> bool:
    """Give whether the path from a fund to a place or body says the money goes there."""
    verbs = _CUES["allocated_to"] - {"to", "for", "in"}
    if words & verbs:
        return True
    first = b.token
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head  # "to X and Y": Y gets it as X does
    prep = first.head
    return prep.lower_ in {"to", "for", "in"} and prep.head.i in {a.token.i, a.token.head.i}  # "£5m for X", "worth £5m to X"


def _ordered(a: Mentioned, b: Mentioned, predicate: str, words: set[str]) -> bool:
    """Give whether ``a`` is the subject side of an asymmetric cue ("A builds on B", "B led by A")."""
    # passive only with an agent: "B led by A"; "A, who chaired B" is active
    passive = words & {"led", "chaired", "managed", "overseen", "headed", "funded", "backed", "financed", "delivered"}
    passive = passive if "by" in words else set()
    if predicate == "leads":
        return bool(passive) and a.token.i > b.token.i or not passive and a.token.i < b.token.i
    if predicate == "funds":
        return bool(passive) and a.token.i > b.token.i or not passive and a.token.i < b.token.i
    return a.token.i < b.token.i


def _announcements(items: list[Mentioned]) -> list[tuple[str, str]]:
    """Give (announcer, announced) pairs: the subject or agent of an announcing verb and its object."""
    out = []
    announcers = [m for m in items if m.type in {"Person", "Organisation"}]
    things = [m for m in items if m.type in {"Programme", "Fund"}]
    for who in announcers:
        if who.token.dep_ in {"nsubjpass", "dobj"} or who.token.dep_ == "pobj" and who.token.head.lower_ != "by":
            continue  # "X was announced as chair", "£5m allocated to X": X is not the one announcing
        verb = _governing_verb(who.token)
        if verb is None:
            continue
        for what in things:
            if _source(what):
                continue  # "allocated £2m from its Towns Fund": the fund is the source, not what is announced
            if _governed_by(_governing_verb(what.token), verb) and not _subject_side(what.token, verb):
                out.append((who.entity, what.entity))
    return out


def _subject_side(tok: Token, verb: Token) -> bool:
    """Give whether a token is (a conjunct of) the active subject of ``verb`` ("X and the Y signed ...")."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok.dep_ == "nsubj" and tok.head.i == verb.i


def _governed_by(a: Token | None, verb: Token) -> bool:
    """Give whether verb ``a`` is ``verb`` or the verb of a clause it governs ("announced it would publish")."""
    return a is not None and (a.i == verb.i or a.dep_ in {"ccomp", "xcomp"} and a.head.i == verb.i)


_UP_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "agent", "attr", "conj", "appos", "prep"}


def _announces(verb: Token) -> bool:
    """Give whether a verb announces ("unveiled", "set out", "made ... available")."""
    low = verb.lower_
    made = low in {"made", "make", "makes", "making"} and any(c.lower_ == "available" for c in verb.children)
    return low.startswith(_ANNOUNCE) or made


def _governing_verb(tok: Token) -> Token | None:
    """Give the announcing verb a mention is the subject, agent or object of, if any."""
    seen = 0
    while tok.head.i != tok.i and seen < 6:
        # "made a £5m fund available": the fund reaches the verb through "available"
        if tok.dep_ in _UP_DEPS or tok.dep_.endswith("mod") or tok.lower_ == "available":
            tok = tok.head
            seen += 1
            if tok.pos_ == "VERB" and _announces(tok):
                return tok
            if tok.pos_ == "VERB":
                # "announced it would publish a green paper": the announcing verb governs the clause
                head = tok.head
                return head if tok.dep_ in {"ccomp", "xcomp"} and head.pos_ == "VERB" and _announces(head) else None
        else:
            return None
    return None
