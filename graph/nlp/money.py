"""Money in pounds: find amounts in text, parse them to numbers and write them back.

spaCy's stock model tokenises ``£27m`` as ``£ | 27 | m`` and labels only ``27`` as MONEY, so
amounts are found with a regular expression over the text and parsed exactly with ``Decimal``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SCALES = {
    "k": Decimal(10) ** 3,
    "thousand": Decimal(10) ** 3,
    "m": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "mill": Decimal(10) ** 6,
    "million": Decimal(10) ** 6,
    "millions": Decimal(10) ** 6,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "billion": Decimal(10) ** 9,
    "billions": Decimal(10) ** 9,
    "tn": Decimal(10) ** 12,
    "trillion": Decimal(10) ** 12,
}
_SCALE_RE = "|".join(sorted(_SCALES, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# "£700 million", "£25-million", "£12.3million", "£2.75bn", "£31,402,117", "GBP 5m"
MONEY_RE = re.compile(
    rf"(?:£|\bGBP\s?)\s?(?P<num>{_NUMBER})(?:\s?-?\s?(?P<scale>{_SCALE_RE})\b)?",
    re.I,
)
# "£30m a year", "£15m per annum": the amount is a yearly one
_PER_YEAR_RE = re.compile(r"\s*(?:a|per|each|every)\s+(?:year|annum)\b", re.I)


@dataclass(frozen=True)
class MoneyMatch:
    """One amount found in a text: its character span, surface text and value in pounds."""

    start: int
    end: int
    text: str
    amount: float
    per_year: bool = False


def parse_gbp(text: str) -> float | None:
    """Give the first amount in ``text`` in pounds ("£1.5bn" -> 1500000000.0), or None if none."""
    m = MONEY_RE.search(text)
    if not m:
        return None
    return _value(m)


def _value(m: re.Match[str]) -> float | None:
    try:
        number = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    scale = m.group("scale")
    if scale:
        number *= _SCALES[scale.lower()]
    return float(number)


def format_gbp(amount: float) -> str:
    """Give ``amount`` written as pounds, short where exact ("£1.5bn", "£700m", "£31,402,117").

    The short form is used only when it parses back to exactly ``amount``.
    """
    if amount < 0:
        raise ValueError(f"negative amount: {amount}")
    for scale, word in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m")):
        value = Decimal(repr(float(amount))) / scale
        if 1 <= value < 10**6 and len(_plain(value).partition(".")[2]) <= 3:
            short = f"£{_plain(value)}{word}"
            if parse_gbp(short) == amount:
                return short
    whole, _, frac = _plain(Decimal(repr(float(amount)))).partition(".")
    text = f"£{int(whole):,}"
    return f"{text}.{frac}" if frac else text


def _plain(value: Decimal) -> str:
    """Give a Decimal in plain notation without trailing zeros ("1.50E+3" -> "1500")."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def find_money(text: str) -> list[MoneyMatch]:
    """Give every amount of pounds in ``text``, in order, with offsets into ``text``."""
    found = []
    for m in MONEY_RE.finditer(text):
        value = _value(m)
        if value is None:
            continue
        per_year = bool(_PER_YEAR_RE.match(text, m.end()))
        found.append(MoneyMatch(m.start(), m.end(), m.group(0), value, per_year))
    return found
