"""Fuzzing extraction and the text parsers with hypothesis: random and mutated article text.

No exception may escape, and every offset the extraction gives must slice the article text to
exactly the evidence or mention text it claims. Example counts are bounded: spaCy is slow.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from reformkg.extract import extract_article
from reformkg.ingest import article_id_for
from reformkg.model import ENTITY_TYPES, PREDICATES, Article, Extraction
from reformkg.nlp.money import find_money, parse_gbp
from reformkg.resolve import normalise_name
from reformkg.textclean import clean_plain_text, find_date_in_text

pytestmark = pytest.mark.slow

SEEDS = sorted((Path(__file__).resolve().parent.parent / "sources").glob("seed-*.txt"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
# pieces that stress money, dates, names and sentence splitting
PIECES = ["£", "£1.2bn", "£3m", "£0.5 million", "£ 12,000,000", "m", "bn", ",", ".", "\n", "\n\n", "  ",
          "Mr ", "Dr ", "Cllr ", "Council", "Fund", "the Government", "announced", "said", "’s", "(",
          ")", "\"", "“", "”", "–", "\t", "\u00a0", "\u200b", "é", "ß", "\U0001F600", "<script>", "&amp;",
          "31 February 2024", "2024-13-45", "9999999999999999999", "1e309", "NaN"]

# no shrinking: each example runs the whole pipeline (up to a second under load), and
# hypothesis prints the failing text anyway
FUZZ = settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_extraction(ext: Extraction) -> None:
    """Fail unless every offset slices the article text to what it claims, and ids and types hold."""
    text = ext.article.text
    ids = {e.id for e in ext.entities}
    assert len(ids) == len(ext.entities)
    for e in ext.entities:
        assert e.type in ENTITY_TYPES and e.name.strip()
        if e.amount_gbp is not None:
            assert math.isfinite(e.amount_gbp) and e.amount_gbp >= 0
        for m in e.mentions:
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.text
    for r in ext.relations:
        assert r.predicate in PREDICATES
        assert r.subject in ids and r.object in ids
        ev = r.evidence
        assert ev.article_id == ext.article.id
        assert 0 <= ev.start <= ev.end <= len(text)
        assert text[ev.start : ev.end] == ev.sentence


def _extract(text: str) -> Extraction:
    return extract_article(Article(id=article_id_for(text) if text.strip() else "empty", text=text))


@st.composite
def mutated_article(draw: st.DrawFn) -> str:
    """A founding article with a few random cuts, insertions and duplications."""
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 400)))
        op = draw(st.sampled_from(["cut", "insert", "piece", "duplicate", "upper"]))
        if op == "cut":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.text(max_size=40)) + text[i:]
        elif op == "piece":
            text = text[:i] + "".join(draw(st.lists(st.sampled_from(PIECES), max_size=8))) + text[i:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i] + text[i:j].upper() + text[j:]
    return text


@FUZZ
@given(mutated_article())
def test_fuzz_extract_mutated_articles(text: str) -> None:
    check_extraction(_extract(text))


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30),
                          st.from_regex(r"[A-Z][a-z]{2,9}( [A-Z][a-z]{2,9}){0,3}", fullmatch=True)),
                max_size=60).map(" ".join))
# found by the mutation test: a mention whose offsets take in the closing quote its text leaves out
@example("The p £££ 12,000,000”\U0001F600ackage is good.\n")
def test_fuzz_extract_random_text(text: str) -> None:
    check_extraction(_extract(text))


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "£", "£m", "£" * 500, "Fund " * 400, "\x00\x01\x02",
                                  "a" * 50_000, ".\n" * 2000])
def test_fuzz_extract_degenerate_text(text: str) -> None:
    check_extraction(_extract(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_text_parsers_never_raise(text: str) -> None:
    value = parse_gbp(text)
    assert value is None or (math.isfinite(value) and value >= 0)
    for m in find_money(text):
        assert text[m.start : m.end] == m.text and math.isfinite(m.amount) and m.amount >= 0
    normalise_name(text)
    date = find_date_in_text(text)
    assert date is None or len(date) == 10
    cleaned = clean_plain_text(text)
    assert len(cleaned) == len(text)  # masking keeps offsets
