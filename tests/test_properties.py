"""Property tests (hypothesis): money round-trips, dates parse back, name normalisation is idempotent."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reformkg.nlp.money import find_money, format_gbp, parse_gbp
from reformkg.nlp.names import name_key, normalise_name
from reformkg.textclean import clean_plain_text, parse_date

amounts = st.one_of(
    st.integers(min_value=0, max_value=10**13),
    st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=999_999).map(lambda n: n * 1000),
)


@given(amounts)
def test_properties_parse_gbp_inverts_format_gbp(n: float) -> None:
    assert parse_gbp(format_gbp(n)) == n


@given(amounts, st.text(alphabet="abc ,.", max_size=20))
def test_properties_find_money_finds_a_formatted_amount_in_prose(n: float, prose: str) -> None:
    text = f"{prose} {format_gbp(n)} for the scheme"
    found = find_money(text)
    assert found and found[-1].amount == n
    assert text[found[-1].start : found[-1].end] == found[-1].text


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_properties_dates_written_three_ways_parse_back(d: date) -> None:
    iso = d.isoformat()
    assert parse_date(d.strftime("%d %B %Y")) == iso
    assert parse_date(d.strftime("%B %d, %Y")) == iso
    assert parse_date(iso) == iso


names = st.lists(
    st.sampled_from(list("abcdeABCDE '’.-,") + ["Mr ", "Cllr ", "Dame ", " MP", "'s", "the "]), max_size=25
).map("".join)


@given(names)
def test_properties_normalise_name_is_idempotent(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


@given(names)
def test_properties_name_key_is_idempotent(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)


@given(st.lists(st.text(alphabet="abc XYZ.:-•", max_size=60), max_size=8))
def test_properties_cleaning_keeps_length_and_line_breaks(lines: list[str]) -> None:
    raw = "\n".join(lines)
    cleaned = clean_plain_text(raw)
    assert len(cleaned) == len(raw)
    assert [i for i, c in enumerate(cleaned) if c == "\n"] == [i for i, c in enumerate(raw) if c == "\n"]


_WORDS = ("harbour", "pothole", "repair", "bridge", "ferry", "library", "council", "towns", "coastal", "renewal")
_fund_specs = st.lists(st.tuples(
    st.lists(st.sampled_from(_WORDS), max_size=2).map(lambda ws: " ".join(w.title() for w in ws)),
    st.sampled_from((4e6, 4.01e6, 4.4e6, 5e6, 12e6)),
    st.lists(st.sampled_from(_WORDS), min_size=2, max_size=7).map(" ".join)), min_size=1, max_size=12)


@settings(max_examples=300)
@given(_fund_specs, _fund_specs)
def test_properties_fund_candidates_hold_every_fund_matched_without_a_shared_name(known, probes) -> None:
    from reformkg.model import Entity
    from reformkg.resolve import EntityIndex, KnownEntity
    from reformkg.resolve.known import fund_matches, names_agree

    def fund(iri: str, name: str, amount: float, around: str) -> KnownEntity:
        entity = Entity("e1", "Fund", f"{name} Fund" if name else f"£{amount / 1e6:g}m", (), (), amount)
        return KnownEntity.from_entity(iri, entity, (), around, label=entity.name)

    index = EntityIndex()
    for i, spec in enumerate(known):
        index.add(fund(f"urn:fund:{i}", *spec))
    for spec in probes:
        probe = fund("", *spec)
        found = index._same_amount_and_word(probe)
        for k in index.of_type("Fund"):
            if fund_matches(probe, k) and not names_agree(probe, k):
                assert k.iri in found


@settings(max_examples=200)
@given(st.lists(st.text(alphabet="abcde 1", min_size=1, max_size=24), min_size=1, max_size=15),
       st.text(alphabet="abcde 1", min_size=1, max_size=24))
def test_properties_fuzzy_names_by_length_find_what_comparing_every_name_finds(names, probe_name) -> None:
    from rapidfuzz import fuzz

    from reformkg.model import Entity
    from reformkg.resolve import NAME_RATIO, EntityIndex, KnownEntity
    from reformkg.resolve.index import _digits

    index = EntityIndex()
    for i, name in enumerate(names):
        index.add(KnownEntity.from_entity(f"urn:p:{i}", Entity("e1", "Programme", name), label=name))
    probe = KnownEntity.from_entity("", Entity("e1", "Programme", probe_name), label=probe_name)
    everything = {(k.iri, key) for k in index.of_type("Programme") for key in k.name_keys()}
    expected = {iri for iri, key in everything for a in probe.name_keys()
                if fuzz.ratio(a, key) >= NAME_RATIO and _digits(a) == _digits(key)}
    assert {k.iri for k in index._fuzzy(probe)} == expected
