"""A name -> where running text writes it: ``NameFinder.spans``, without compiling a regex per name.

Input: a node's name (``NameFinder.words_of``, or ``NameFinder(exact=...)``) and an article's
text. Output: the (start, end) spans of the name in the text, left to right and not overlapping, as
``re.finditer`` gives them.

Linking looked for each candidate node's name with a regex of its own: its words in order, any
case, joined by spaces, dashes, apostrophes or commas (and a possessive "s": "the Council's
Harbour Fund" for "Council Harbour Fund"), not inside a longer word. Compiling such a pattern
(case-insensitive: a character set per letter) is slow, and adding 100 articles to a 10,000-article
store compiled some 800 of them: linking those articles took 1.06 s, 0.66 s with this finder. It
gives the same spans by folding the text's case once per text and finding the name's first word
with ``str.find``; the joins and the ends are checked in place.

A name with an acronym (``acronym_of``: "the NHS Long Term Plan") is matched as written, case
and all, not inside a longer word. Case is folded by ``str.lower`` one character at a time; it
differs from ``re.IGNORECASE`` only for characters with more than one case-insensitive partner
(the long s, the Kelvin sign), which names and news text do not use as letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_JOIN = re.compile(r"[\s\-–—'’,]+")
_POSSESSIVE = re.compile(r"s\s+")
WORD = re.compile(r"[\w£]+")


def _inside_word(text: str, i: int) -> bool:
    """Whether position ``i`` holds a word character or a hyphen (what ``[\\w-]`` matches)."""
    if not 0 <= i < len(text):
        return False
    c = text[i]
    return c.isalnum() or c == "_" or c == "-"


@lru_cache(maxsize=8)
def fold(text: str) -> str:
    """Give ``text`` in lower case, one character for one (so offsets carry over): a character
    whose lower case is longer ("İ") is kept as it is."""
    low = text.lower()
    if len(low) == len(text):  # no character lowered to more than one: each maps to one, in place
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass(frozen=True)
class NameFinder:
    """Where a name is written: ``words`` in order, joined as above (or ``exact``: as written)."""

    words: tuple[str, ...] = ()
    exact: str = ""

    @classmethod
    def words_of(cls, name: str) -> NameFinder:
        """Give the finder of a name's words, in any case."""
        return cls(words=tuple(fold(w) for w in WORD.findall(name)))

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Give each place the name is written in ``text``, as ``re.finditer`` would, left to right."""
        hay = text if self.exact else fold(text)
        first = self.exact or (self.words[0] if self.words else "")
        if not first:
            return
        at = hay.find(first)
        while at >= 0:
            end = None if _inside_word(hay, at - 1) else self._rest(hay, at + len(first), 1)
            if end is None:
                at = hay.find(first, at + 1)
            else:
                yield at, end
                at = hay.find(first, end)

    def _rest(self, hay: str, pos: int, i: int) -> int | None:
        """Give where the name ends when words ``i``... follow ``pos`` (None when they do not)."""
        if self.exact or i == len(self.words):
            return None if _inside_word(hay, pos) else pos
        join = _JOIN.match(hay, pos)
        if join is None:
            return None
        word, after = self.words[i], join.end()
        # the pattern tried the possessive "s" first, then the word straight after the join
        s = _POSSESSIVE.match(hay, after)
        if s is not None and hay.startswith(word, s.end()):
            end = self._rest(hay, s.end() + len(word), i + 1)
            if end is not None:
                return end
        if hay.startswith(word, after):
            return self._rest(hay, after + len(word), i + 1)
        return None
