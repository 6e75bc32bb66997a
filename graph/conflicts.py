"""The store -> where its sources disagree: a fund's amount, a post's holder, a programme's launch date.

Input: a ``Store`` (SPARQL over the union of article graphs). Output: ``Conflict`` records, each
with both values, both evidence sentences and both articles, so a researcher can judge which
source is right (or whether resolution joined two things that are not one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .gazetteer import load_gazetteer
from .link import sentence_at
from .resolve.names import normalise_name
from .store import Store

_PREFIXES = """PREFIX rkg: <https://w3id.org/reformkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# One row per mention: the node, its article's text and date, and where the mention sits.
_MENTIONS = _PREFIXES + """SELECT ?x ?label ?art ?text ?date ?s ?e WHERE {
  ?x a %s ; skos:prefLabel ?label .
  ?m rkg:mentionOf ?x ; oa:hasSource ?art ; oa:hasSelector ?pos . ?pos oa:start ?s ; oa:end ?e .
  ?art rkg:text ?text . OPTIONAL { ?art dcterms:date ?date } }"""
_HOLDERS = _PREFIXES + """SELECT DISTINCT ?post ?role ?p1 ?n1 ?a1 ?p2 ?n2 ?a2 ?date WHERE {
  ?h1 a rkg:PostHolding ; rkg:post ?post ; org:member ?p1 ; rkg:asOf ?date ; prov:wasDerivedFrom ?a1 ;
      rkg:roleLabel ?role .
  ?h2 a rkg:PostHolding ; rkg:post ?post ; org:member ?p2 ; rkg:asOf ?date ; prov:wasDerivedFrom ?a2 .
  ?p1 skos:prefLabel ?n1 . ?p2 skos:prefLabel ?n2 .
  FILTER (STR(?p1) < STR(?p2)) }"""
_LAUNCH = re.compile(r"\b(launch(?:ed|es)?|unveil(?:ed|s)?|publish(?:ed|es)?|introduc(?:ed|es)|set up|"
                     r"began|started|came into (?:force|effect))\b", re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_DATE = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d\d)\b"
                   r"|\b(?:in|on|since|from)\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_RELATIVE = re.compile(r"\b(today|this week|yesterday)\b", re.IGNORECASE)
#: Role words too general to be one post ("MP", "leader"): only a qualified role or a known ministerial post counts.
_FORMER = re.compile(r"^(former|ex|previous|then|shadow|acting|interim)\b")


@dataclass(frozen=True)
class ConflictSide:
    """One source's value, the sentence that states it, and the article it comes from."""

    value: str
    evidence: str
    article: str

    def to_json(self) -> dict:
        """Give the JSON shape of one side of a conflict."""
        return {"value": self.value, "evidence": self.evidence, "article": self.article}


@dataclass(frozen=True)
class Conflict:
    """Two sources disagreeing about one thing: its kind, the node (IRI and name) and both sides."""

    kind: str  # "fund-amount", "post-holder" or "launch-date"
    subject: str
    label: str
    sides: tuple[ConflictSide, ConflictSide]

    def to_json(self) -> dict:
        """Give the JSON shape of ``reformkg conflicts --format json``."""
        return {"kind": self.kind, "subject": self.subject, "label": self.label,
                "sides": [s.to_json() for s in self.sides]}


def _mention_rows(store: Store, rdf_class: str) -> list[dict[str, str]]:
    return store.query(_MENTIONS % rdf_class).values()


def _sentence(row: dict[str, str]) -> str:
    return sentence_at("", row["text"], int(row["s"]), int(row["e"])).sentence


def fund_amount_conflicts(store: Store) -> list[Conflict]:
    """Give the funds whose articles state different amounts (more than half a percent apart)."""
    amounts = store.query(_PREFIXES + """SELECT DISTINCT ?x ?v ?art WHERE {
      GRAPH ?g { ?x a rkg:Fund ; schema:amount/schema:value ?v . ?art a rkg:Article } }""").values()
    by_fund: dict[str, dict[str, float]] = {}
    for row in amounts:
        by_fund.setdefault(row["x"], {})[row["art"]] = float(row["v"])
    evidence: dict[tuple[str, str], dict[str, str]] = {}
    for row in _mention_rows(store, "rkg:Fund"):
        key = (row["x"], row["art"])
        if key not in evidence or re.search(r"\d", row["text"][int(row["s"]):int(row["e"])]):
            evidence[key] = row
    found = []
    for fund, per_article in sorted(by_fund.items()):
        arts = sorted(per_article, key=lambda a: per_article[a])
        low, high = arts[0], arts[-1]
        if per_article[high] - per_article[low] <= 0.005 * per_article[high]:
            continue
        first, second = evidence.get((fund, low)), evidence.get((fund, high))
        if first is None or second is None:
            continue
        sides = (ConflictSide(f"£{per_article[low]:,.0f}", _sentence(first), low),
                 ConflictSide(f"£{per_article[high]:,.0f}", _sentence(second), high))
        found.append(Conflict("fund-amount", fund, first["label"], sides))
    return found


def _is_one_post(role: str) -> bool:
    """A role one person holds at a time: a ministerial post, or a role qualified by its body or place."""
    form = normalise_name(role)
    if _FORMER.match(form):
        return False
    return bool(load_gazetteer().lookup_post(role)) or bool(re.search(r"\b(of|for)\b \w", form))


def post_holder_conflicts(store: Store) -> list[Conflict]:
    """Give the posts that two different people hold on the same date, by different or the same articles."""
    rows = store.query(_PREFIXES + "SELECT ?art ?text WHERE { ?art a rkg:Article ; rkg:text ?text }").values()
    texts = {r["art"]: r["text"] for r in rows}
    found = []
    for row in store.query(_HOLDERS).values():
        if not _is_one_post(row["role"]):
            continue
        sides = []
        for person, name, art in ((row["p1"], row["n1"], row["a1"]), (row["p2"], row["n2"], row["a2"])):
            text = texts.get(art, "")
            surname = re.escape(name.split()[-1]) if name else "$^"
            m = re.search(surname, text) or re.search(re.escape(row["role"]), text, re.IGNORECASE)
            sentence = sentence_at("", text, m.start(), m.end()).sentence if m else ""
            sides.append(ConflictSide(name, sentence, art))
        found.append(Conflict("post-holder", row["post"], f"{row['role']} on {row['date']}",
                              (sides[0], sides[1])))
    return found


def _launch_date(sentence: str, published: str | None) -> str | None:
    """Give the date a sentence says something was launched: YYYY-MM(-DD) or YYYY, or None."""
    if not _LAUNCH.search(sentence):
        return None
    m = _DATE.search(sentence)
    if m:
        if m.group(4):
            return m.group(4)
        month = _MONTHS.index(m.group(2).lower()) + 1
        return f"{m.group(3)}-{month:02d}" + (f"-{int(m.group(1)):02d}" if m.group(1) else "")
    if published and _RELATIVE.search(sentence):
        return date.fromisoformat(published[:10]).isoformat()
    return None


def launch_date_conflicts(store: Store) -> list[Conflict]:
    """Give the programmes that two articles say were launched on incompatible dates."""
    dated: dict[str, dict[str, tuple[str, str, str]]] = {}
    for row in _mention_rows(store, "rkg:Programme"):
        sentence = _sentence(row)
        when = _launch_date(sentence, row.get("date"))
        if when:
            dated.setdefault(row["x"], {}).setdefault(row["art"], (when, sentence, row["label"]))
    found = []
    for programme, per_article in sorted(dated.items()):
        items = sorted(per_article.items())
        for i, (a1, (d1, s1, label)) in enumerate(items):
            clash = next(((a2, d2, s2) for a2, (d2, s2, _) in items[i + 1:]
                          if not (d1.startswith(d2) or d2.startswith(d1))), None)
            if clash:
                a2, d2, s2 = clash
                found.append(Conflict("launch-date", programme, label,
                                      (ConflictSide(d1, s1, a1), ConflictSide(d2, s2, a2))))
                break
    return found


def find_conflicts(store: Store) -> list[Conflict]:
    """Give every disagreement between sources in the store: fund amounts, post holders, launch dates."""
    return [*fund_amount_conflicts(store), *post_holder_conflicts(store), *launch_date_conflicts(store)]
