"""Which nodes an article meets when it is linked (``resolve.lookup``): only those a strong kind of
evidence could link, the same links as looking among every node sharing a word or a sum with it,
the same from the index cache as from the index, and not more nodes as the graph grows."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from reformkg.entity_cache import load_link_index, save_index
from reformkg.link import LINK_THRESHOLD, link_extraction
from reformkg.resolve import EntityIndex, KnownEntity, resolve_extraction
from reformkg.resolve.candidates import candidates, word_index
from reformkg.resolve.known import amount_buckets
from reformkg.resolve.lookup import link_query, lookup_words, node_keys, probes, select
from reformkg.resolve.names import normalise_name
from reformkg.store import open_store

BASE = "https://w3id.org/reformkg/id/"

# every text, name and sum here is invented for these tests
GRAPH = [
    ("g1", ("The £4.2m Harbours Fund will dredge the Saltings quay. The Quillon Skills Compact trains welders, "
            "and the Review of Welder Training reports in May."),
     [("Fund", "Harbours Fund", ["£4.2m"], 4.2e6, []), ("Programme", "Quillon Skills Compact", [], None, []),
      ("Programme", "Review of Welder Training", [], None, [])]),
    ("g2", "Ministers will set up a new Moorvale Heritage Board. The Brackwater Fund has £3.7m for sea walls.",
     [("Organisation", "Moorvale Heritage Board", [], None, []), ("Fund", "Brackwater Fund", ["£3.7m"], 3.7e6, [])]),
    ("g3", ("Ministers set aside £870m this spring. Of the £870m, £615m goes to councils so that they can "
            "train lifeguards, open lidos and extend ferry timetables. The Orchard Lanes Programme began."),
     [("Fund", "£615m", [], 615e6, []), ("Programme", "Orchard Lanes Programme", [], None, [])]),
    ("g4", "Ministers launched the Tidewater Strategy, a strategy for coastal ferry crossings, in the autumn.",
     [("Programme", "Tidewater Strategy", ["strategy for coastal ferry crossings"], None, [])]),
]

NEW = [
    ("n1", "The Quillon Skills Compact will grow, and the QSC will train more welders.",
     [("Programme", "Quillon Skills Compact", ["QSC"], None, [])]),
    ("n2", "The £4.2m Harbour Fund paid for new pontoons on the quay.",
     [("Fund", "Harbour Fund", ["£4.2m"], 4.2e6, [])]),
    ("n3", "The Moorvale Heritage Council met in a chapel.",
     [("Organisation", "Moorvale Heritage Council", [], None, [])]),
    ("n4", ("Kestrel Bay welcomed the Lido Grant. The grant, £615 million in all, lets councils train "
            "lifeguards, open lidos and extend ferry timetables."),
     [("Fund", "Lido Grant", ["£615 million"], 615e6, [])]),
    ("n5", "Walkers praised the Orchard Lanes scheme, and the Orchard Lane Programme drew crowds.",
     [("Programme", "Orchard Lane Programme", [], None, [])]),
    ("n6", "A year on, the 'Sail Free' strategy to improve coastal ferry crossings has cut fares.",
     [("Programme", "Sail Free", ["Sail Free' strategy"], None, [])]),
    ("n7", "Councillors asked when the Welder Review would report.",
     [("Programme", "Welder Review", [], None, [])]),
    ("n8", "Nobody here has heard of the Brackwater Fund, said a ferryman.", []),
]


@pytest.fixture(scope="module")
def graph(hand_index) -> EntityIndex:
    return hand_index(GRAPH, BASE)


@pytest.mark.parametrize("new", NEW, ids=[n[0] for n in NEW])
def test_lookup_gives_the_links_of_every_node_sharing_a_word_or_sum(graph, hand_extraction, new) -> None:
    extraction = hand_extraction(*new)
    links = link_extraction(extraction, graph)
    assert links, "each new article refers to a node of the graph by one kind of evidence"
    broad = link_extraction(extraction, graph, threshold=0.5)  # every node sharing a word or a sum
    assert links == tuple(lk for lk in broad if lk.score >= LINK_THRESHOLD)


def test_lookup_from_the_cache_gives_the_links_of_the_index(graph, hand_extraction, tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "store"))
    try:
        save_index(store, graph)
        for new in NEW:
            extraction = hand_extraction(*new)
            partial = load_link_index(store, extraction)
            assert link_extraction(extraction, partial) == link_extraction(extraction, graph), new[0]
            assert len(partial) < len(graph)
    finally:
        store.close()


def test_lookup_near_equal_name_is_sought_by_the_start_of_a_word(graph, hand_extraction) -> None:
    # "Harbour Fund" meets "Harbours Fund" of the same sum though the text never writes "harbours"
    links = link_extraction(hand_extraction(*NEW[1]), graph)
    assert [(lk.name, lk.score) for lk in links] == [("Harbours Fund", 0.9)]


def test_lookup_near_equal_name_with_other_first_letters_is_not_sought_by_its_sum(graph, hand_extraction) -> None:
    """The one kind of link the lookup gives up: a near-equal name of a fund with the same sum that
    shares no word, nor the first four letters of one, with the article ("Barckwater" for
    "Brackwater"). Looking among every fund of the same sum found it; there are more of those the
    larger the graph."""
    text = "The £3.7m Barckwater Fund will rebuild sea walls."
    extraction = hand_extraction("n9", text, [("Fund", "Barckwater Fund", ["£3.7m"], 3.7e6, [])])
    assert link_extraction(extraction, graph) == ()
    assert [lk.name for lk in link_extraction(extraction, graph, threshold=0.5)] == ["Brackwater Fund"]


def test_lookup_meets_its_own_nodes_not_every_node_sharing_a_word(hand_extraction) -> None:
    index = EntityIndex()
    rng = random.Random(7)  # invented place names, none near-equal to another
    places = sorted({"".join(rng.choice("bcdfghklmnprstvw") + rng.choice("aeiou") for _ in range(4)).title()
                     for _ in range(100)})[:100]
    for i, place in enumerate(places):
        sum_ = (i + 11) * 1e6 + 300_000  # a sum of its own
        text = f"The £{sum_ / 1e6:.1f}m {place} Harbour Fund rebuilds the quay at {place}."
        resolve_extraction(hand_extraction(f"g{i}", text, [("Fund", f"{place} Harbour Fund",
                                                            [f"£{sum_ / 1e6:.1f}m"], sum_, [])]), index, BASE)
    assert len(index) == 100
    mine = index.entities[min(index.entities)]
    text = f"The £{mine.amount_gbp / 1e6:.1f}m {mine.label} will rebuild the harbour wall and the quay."
    extraction = hand_extraction("n", text, [("Fund", mine.label, [], mine.amount_gbp, [])])
    found = probes(extraction)
    met = select(link_query(extraction, found, LINK_THRESHOLD), word_index(index))
    assert met == {mine.iri}
    words = set(normalise_name(text).split())
    amounts = set().union(*(amount_buckets(a) for p in found for a in p[0].amounts))
    assert len(candidates(index, words, amounts)) == 100  # what linking met before: every fund
    assert [lk.name for lk in link_extraction(extraction, index)] == [mine.label]


def test_lookup_keys_of_a_fund_a_body_and_a_described_programme() -> None:
    fund = KnownEntity("f", "Fund", "Saltings Quay Fund", amounts={4.2e6})
    assert node_keys(fund) == {"n saltings quay fund", "i sqf", "p 4.2e+06 saltings", "p 4.2e+06 quay"}
    bare = KnownEntity("b", "Fund", "£615m", amounts={615e6})
    assert node_keys(bare) == {"m 6.2e+08"}
    body = KnownEntity("o", "Organisation", "Moorvale Heritage Board")
    assert node_keys(body) == {"n moorvale heritage board", "b moorvale heritage"}
    plan = KnownEntity("p", "Programme", "Strategy for Coastal Ferry Crossings")
    assert {k for k in node_keys(plan) if k.startswith("d ")} == {
        "d strategy coastal", "d strategy ferry", "d strategy crossings"}
    assert lookup_words(["harbours", "fund", "bay"]) == {"harbours", "fund", "bay", "~harb"}


def test_lookup_word_index_kept_by_the_caller_gives_the_same_links(graph, hand_extraction) -> None:
    postings = word_index(graph)
    for new in NEW:
        extraction = hand_extraction(*new)
        assert link_extraction(extraction, graph, postings=postings) == link_extraction(extraction, graph)
