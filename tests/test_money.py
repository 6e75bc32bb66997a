"""Money: finding amounts of pounds in text, parsing them exactly and writing them back."""

from __future__ import annotations

import pytest

from reformkg.nlp.money import find_money, format_gbp, parse_gbp


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("£54,681,221", 54_681_221),
        ("£1.5bn", 1_500_000_000),
        ("£600 million", 600_000_000),
        ("£12m", 12_000_000),
        ("£2.6 billion", 2_600_000_000),
        ("£43-million", 43_000_000),
        ("£16.7million", 16_700_000),
        ("£3.134bn", 3_134_000_000),
        ("£1,000,000", 1_000_000),
        ("£250k", 250_000),
        ("a grant of £5", 5),
        ("GBP 20m for roads", 20_000_000),
    ],
)
def test_money_parse_gbp_normalises_to_pounds(text: str, amount: float) -> None:
    assert parse_gbp(text) == amount


@pytest.mark.parametrize("text", ["", "no money here", "$5m from abroad", "€3bn", "20 million people"])
def test_money_parse_gbp_gives_none_without_pounds(text: str) -> None:
    assert parse_gbp(text) is None


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (600_000_000, "£600m"),
        (1_500_000_000, "£1.5bn"),
        (54_681_221, "£54,681,221"),
        (3_134_000_000, "£3.134bn"),
        (0, "£0"),
        (1234.5, "£1,234.5"),
    ],
)
def test_money_format_gbp_is_short_where_exact(amount: float, text: str) -> None:
    assert format_gbp(amount) == text


def test_money_format_gbp_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError):
        format_gbp(-1)


def test_money_find_money_gives_offsets_into_the_text() -> None:
    text = "The council gets £30m a year, and the county £15m, out of a £1.35bn deal."
    found = find_money(text)
    assert [m.amount for m in found] == [30_000_000, 15_000_000, 1_350_000_000]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert [m.per_year for m in found] == [True, False, False]


def test_money_find_money_keeps_separate_amounts_apart() -> None:
    found = find_money("Budgets of £128 million, £59 million and £169 million were set.")
    assert [m.text for m in found] == ["£128 million", "£59 million", "£169 million"]
