"""Plain-text cleaning: mask boilerplate lines, find the article's date. Offsets are preserved.

Masking replaces a boilerplate line by spaces of the same length, so that offsets into the
cleaned text are offsets into the original text (``score.py`` slices the file's own text).
"""

from __future__ import annotations

import re
from datetime import date

# A tail header: everything after it is site furniture, not the article body.
_TAIL_HEADERS = re.compile(
    r"^\s*(related (posts|articles|stories|news)|more (on this|from|stories)|read more|"
    r"you may also like|comments?|leave a (reply|response|comment)|share this( article)?|"
    r"tags?:?|most (read|popular)|recommended|advertisement|- advertisment -|google news|"
    r"was this (webpage|page) helpful\??|about the author|the author\b.*|newsletter)\s*:?\s*$",
    re.I,
)
# Single lines that are furniture wherever they are.
_FURNITURE = re.compile(
    r"^\s*(cookie|we use cookies|accept (all )?cookies|main menu|menu|skip to (main )?content|home\b.*|"
    r"search|subscribe\b.*|sign (in|up)\b.*|log ?in|follow us.*|share (on|via)\b.*|print\b|email\b|"
    r"image (source|caption|credit)s?:?.*|photo(graph)?:.*|picture:.*|credit:.*|getty images.*|"
    r"by [A-Z][\w'-]+( [A-Z][\w'-]+){0,3}(,.*)?|published:?.*|last updated:?.*|updated:?.*|"
    r"report this comment.*|please report any comments.*|read the rules.*|"
    r"copyright.*|©.*|all rights reserved.*|privacy policy.*|terms (and|&) conditions.*)\s*$",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[-•*·]|\d+\.)\s+")
_WORD = re.compile(r"[A-Za-z]+")


def _is_sentence_like(line: str) -> bool:
    words = _WORD.findall(line)
    if len(words) >= 14:
        return True  # a standfirst or list item long enough to be prose, even without a full stop
    return len(words) >= 8 and bool(re.search(r"[.!?:;\"”’)]\s*$", line.strip()))


def classify_lines(text: str) -> list[bool]:
    """Give, for each line of ``text``, whether it belongs to the article body."""
    lines = text.split("\n")
    keep = [False] * len(lines)
    body_seen = False
    in_list = False  # inside a bulleted list introduced by a body line ending with ":"
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _TAIL_HEADERS.match(stripped) and body_seen:
            break  # the rest is furniture
        if _FURNITURE.match(stripped):
            in_list = False
            continue
        if _BULLET.match(line):
            item = _BULLET.sub("", line)
            # short bullet items are menus and related-article lists, unless a body line introduced them
            if (in_list and len(_WORD.findall(item)) >= 2) or _is_sentence_like(item):
                keep[i] = True
            continue
        in_list = False
        if _is_sentence_like(stripped) or (body_seen and len(_WORD.findall(stripped)) >= 4):
            if not body_seen:
                _keep_headline(lines, keep, i)
            keep[i] = True
            body_seen = True
            in_list = stripped.endswith(":")
    return keep


# "Jane Smith - Senior Policy Advisor", "Jane Smith | 19 April 2022 | News": a byline, not a headline
_BYLINE = re.compile(r"^[A-Z][a-z]+ [A-Z][\w'-]+\s*[-–|,]")


def _keep_headline(lines: list[str], keep: list[bool], first_body: int, window: int = 4) -> None:
    """Keep the article's headline: the last headline-like line among the few just before the body.

    Headline-like: 4 to 20 words in sentence case (Title Case headlines and breadcrumbs are noise
    to a parser), no closing full stop, not a byline, cookie notice, furniture or bullet.
    """
    before = [j for j in range(first_body) if lines[j].strip()][-window:]
    for j in reversed(before):
        line = lines[j].strip()
        words = _WORD.findall(line)
        title_case = all(w[0].isupper() for w in words if len(w) >= 4)
        if (4 <= len(words) <= 20 and not line.endswith(".") and not title_case and "cookie" not in line.lower()
                and not _FURNITURE.match(line) and not _BULLET.match(lines[j]) and not _BYLINE.match(line)):
            keep[j] = True
            return


def clean_plain_text(text: str) -> str:
    """Give ``text`` with boilerplate lines masked by spaces (same length, same offsets)."""
    # line ends become "\n" without changing the length: "\r\n" -> " \n", a lone "\r" -> "\n"
    text = re.sub(r"\r(?!\n)", "\n", text).replace("\r", " ")
    lines = text.split("\n")
    keep = classify_lines(text)
    return "\n".join(line if k else " " * len(line) for line, k in zip(lines, keep))


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def parse_date(text: str) -> str | None:
    """Give the first full date in ``text`` as ISO ``YYYY-MM-DD`` ("May 22, 2022", "28 July 2023")."""
    found: list[tuple[int, str]] = []
    for m in _DMY.finditer(text):
        found.append((m.start(), _iso(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))))
    for m in _MDY.finditer(text):
        found.append((m.start(), _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))))
    for m in _ISO.finditer(text):
        found.append((m.start(), _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    valid = sorted((pos, d) for pos, d in found if d)
    return valid[0][1] if valid else None


def _iso(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return ""


def find_date_in_text(text: str) -> str | None:
    """Give the article's date: the first full date in its opening lines, if any."""
    return parse_date(text[:3000])
