"""``NameFinder`` gives the spans of the per-name regex linking used to compile, without compiling it."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reformkg.link import _name_evidence
from reformkg.namefind import NameFinder, fold


def _regex_of_words(name: str) -> re.Pattern[str]:
    # the pattern linking compiled for a name's words before NameFinder (the oracle)
    words = re.findall(r"[\w£]+", name)
    sep = r"[\s\-–—'’,]+(?:s\s+)?"
    return re.compile(r"(?<![\w-])" + sep.join(re.escape(w) for w in words) + r"(?![\w-])", re.IGNORECASE)


def _regex_exact(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


# a small alphabet, so that names meet the text often, with every kind of join and boundary
_TEXT = st.text(alphabet="abSsÉé £1_-–—'’,\t\n.", max_size=60)
_WORD = st.text(alphabet="abSsÉé£1_", min_size=1, max_size=4)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(name=_NAME, text=_TEXT)
def test_words_give_the_regex_spans(name: str, text: str) -> None:
    assert list(NameFinder.words_of(name).spans(text)) == _spans(_regex_of_words(name), text)


@settings(max_examples=300, deadline=None)
@given(name=_NAME, text=_TEXT)
def test_exact_gives_the_regex_spans(name: str, text: str) -> None:
    assert list(NameFinder(exact=name).spans(text)) == _spans(_regex_exact(name), text)


def test_joins_possessive_and_case() -> None:
    finder = NameFinder.words_of("Marsh Harbour Fund")
    text = "The marsh-harbour fund grew; Marsh’s Harbour Fund did not; the Saltmarsh Harbour Fund is another."
    assert [text[a:b] for a, b in finder.spans(text)] == ["marsh-harbour fund", "Marsh’s Harbour Fund"]
    finder = NameFinder.words_of("Council Harbour Fund")
    text = "the Council's Harbour Fund and the Councils Harbour Fund"
    assert [text[a:b] for a, b in finder.spans(text)] == ["Council's Harbour Fund"]


def test_not_inside_a_longer_word_or_hyphenation() -> None:
    finder = NameFinder.words_of("Quay Plan")
    text = "Quay Planning, pre-Quay Plan, Quay Plan-B, Quay Plan."
    assert [text[a:b] for a, b in finder.spans(text)] == ["Quay Plan"]
    assert text[slice(*next(finder.spans(text)))] == "Quay Plan" and next(finder.spans(text))[0] == 43


def test_fold_keeps_offsets() -> None:
    text = "İstanbul Quay Plan"  # the dotted capital I lowers to two characters
    assert len(fold(text)) == len(text)
    assert list(NameFinder.words_of("quay plan").spans(text)) == [(9, 18)]


def test_name_evidence_scores_each_kind_of_place() -> None:
    name = "Fenmere Harbour Renewal"
    text = ("The Secretary of State for Fenmere Harbour Renewal spoke. An independent review followed. "
            "The Fenmere Harbour Renewal Fund opened, and Fenmere Harbour Renewal began in May.")
    assert [(score, text[a:b]) for score, a, b in _name_evidence(name, text)] == [
        (0.5, name), (0.6, name), (0.95, name)]
