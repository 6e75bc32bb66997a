"""What the link pass works out once per word index instead of once per article (``WordIndex``): the
same nodes met and the same links as looking every name and node up again, article after article."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process
from reformkg.link import link_extraction
from reformkg.resolve import EntityIndex
from reformkg.resolve.candidates import WordIndex, word_index
from reformkg.resolve.known import amount_bucket, same_amount
from reformkg.resolve.lookup import around_buckets, link_query, probes, select
from reformkg.resolve.names import name_numbers

BASE = "https://w3id.org/reformkg/id/"

# every text, name and sum here is invented for these tests
GRAPH = [
    ("g1", "The £4.2m Harbours Fund will dredge the Saltings quay. The Quillon Skills Compact trains welders.",
     [("Fund", "Harbours Fund", ["£4.2m"], 4.2e6, []), ("Programme", "Quillon Skills Compact", [], None, [])]),
    ("g2", "The £5.1m Harbours Fund of Kestrel Bay repairs slipways. The 5G Quay Pilot began.",
     [("Fund", "Harbours Fund", ["£5.1m"], 5.1e6, []), ("Programme", "5G Quay Pilot", [], None, [])]),
    ("g3", ("Ministers set aside £9.94m so that councils can train lifeguards, open lidos and extend ferry "
            "timetables. The Review of Welder Training reports in May."),
     [("Fund", "£9.94m", [], 9.94e6, []), ("Programme", "Review of Welder Training", [], None, [])]),
    ("g4", "Ministers will set up a new Moorvale Heritage Board. The Brackwater Sea Wall Fund has £3.7m.",
     [("Organisation", "Moorvale Heritage Board", [], None, []),
      ("Fund", "Brackwater Sea Wall Fund", ["£3.7m"], 3.7e6, [])]),
]

NEW = [
    ("n1", "The Harbours Fund paid for pontoons, and the Quillon Skills Compact grew.",
     [("Fund", "Harbours Fund", [], None, []), ("Programme", "Quillon Skills Compact", [], None, [])]),
    ("n2", "The £4.2m Harbour Fund dredged the quay at Saltings.",
     [("Fund", "Harbour Fund", ["£4.2m"], 4.2e6, [])]),
    ("n3", ("Kestrel Bay gets the Lido Grant, £9.97 million in all, so that councils train lifeguards, open "
            "lidos and extend ferry timetables."),
     [("Fund", "Lido Grant", ["£9.97 million"], 9.97e6, [])]),
    ("n4", "Councillors asked when the Welder Review would report, and praised the 5G Quay Pilot.",
     [("Programme", "Welder Review", [], None, [])]),
    ("n5", "The Brackwater Seawall Fund and the Moorvale Heritage Council met.",
     [("Fund", "Brackwater Seawall Fund", [], None, []),
      ("Organisation", "Moorvale Heritage Council", [], None, [])]),
]


@pytest.fixture(scope="module")
def graph(hand_index) -> EntityIndex:
    return hand_index(GRAPH, BASE)


class _Plain:
    """The same postings without ``wanted``: ``select`` reads every name sharing a word with the text,
    as it does from the index cache."""

    def __init__(self, postings: WordIndex) -> None:
        self.iris, self.names_with_any, self.names_with_all = (
            postings.iris, postings.names_with_any, postings.names_with_all)


@pytest.mark.parametrize("new", NEW, ids=[n[0] for n in NEW])
def test_link_postings_meet_the_nodes_reading_every_name_meets(graph, hand_extraction, new) -> None:
    extraction = hand_extraction(*new)
    postings = word_index(graph)
    query = link_query(extraction, probes(extraction), 0.85)
    assert query.wanted(postings.names_with_any(query.words)) == postings.wanted(query)
    assert select(query, postings) == select(query, _Plain(postings))


def test_link_postings_kept_across_articles_give_each_article_its_own_links(graph, hand_extraction) -> None:
    kept = WordIndex(graph)
    order = [*NEW, *reversed(NEW), *NEW]
    for new in order:
        extraction = hand_extraction(*new)
        assert link_extraction(extraction, graph, postings=kept) == link_extraction(
            extraction, graph, postings=WordIndex(graph)), new[0]
    found = {new[0]: [(lk.name, round(lk.score, 2)) for lk in link_extraction(hand_extraction(*new), graph,
                                                                              postings=kept)] for new in NEW}
    assert found == {
        "n1": [("Harbours Fund", 1.0), ("Quillon Skills Compact", 1.0)],
        "n2": [("Harbours Fund", 0.9)], "n3": [("£9.94m", 0.9)],
        "n4": [("5G Quay Pilot", 0.95), ("Review of Welder Training", 0.9)],
        "n5": [("Brackwater Sea Wall Fund", 0.98), ("Moorvale Heritage Board", 0.9)]}


def test_link_bare_sum_across_a_two_figure_bucket(graph, hand_extraction) -> None:
    # £9.97m and £9.94m are the same sum within half a percent, in the buckets 1e7 and 9.9e6
    assert amount_bucket(9.97e6) != amount_bucket(9.94e6) and same_amount(9.97e6, 9.94e6)
    links = link_extraction(hand_extraction(*NEW[2]), graph)
    assert [(lk.name, lk.score) for lk in links] == [("£9.94m", 0.9)]
    assert links == tuple(lk for lk in link_extraction(hand_extraction(*NEW[2]), graph, threshold=0.5)
                          if lk.score >= 0.85)


def test_link_around_buckets_hold_every_equal_sum() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        a = rng.uniform(1, 10) * 10 ** rng.randint(3, 9)
        for f in (0.995, 0.9951, 0.999, 1.001, 1.0049, 1 / 0.995, rng.uniform(0.995, 1 / 0.995)):
            if same_amount(a, a * f):
                assert amount_bucket(a * f) in around_buckets([a]), (a, f)


def test_link_near_names_are_those_a_full_search_finds(graph) -> None:
    postings = word_index(graph)
    names = sorted(postings.looked_up)
    for key in [*names, "harbour fund", "brackwater seawall fund", "welder review", "5g quay pilots"]:
        for cutoff in (75.0, 85.0 - 1e-6, 92.0):
            full = {(n, s) for n, s, _ in process.extract(key, names, scorer=fuzz.ratio, score_cutoff=cutoff,
                                                          limit=None) if name_numbers(n) == name_numbers(key)}
            assert set(postings.near(key, cutoff)) == full, (key, cutoff)



def test_one_mention_links_at_most_per_mention_nodes_the_stated_sum_first(hand_extraction, monkeypatch) -> None:
    from reformkg import link
    from reformkg.link import PER_MENTION
    from reformkg.resolve import KnownEntity

    index = EntityIndex()  # six nodes one name fits, as the resolver leaves allocations it cannot tell apart
    for i in range(1, 7):
        index.add(KnownEntity(f"{BASE}fund/harbour-{i}", "Fund", "Fenmere Harbour Fund",
                              names={"Fenmere Harbour Fund"}, forms={"fenmere harbour fund"},
                              amounts={i * 1e6 + 5e5}, articles={f"g{i}"}))
    text = "Lowdown Quay is to get £5.5m from the Fenmere Harbour Fund."
    new = hand_extraction("n9", text, [("Fund", "Fenmere Harbour Fund", ["£5.5m"], 5.5e6, [])])
    links = link_extraction(new, index)
    assert len(links) == PER_MENTION < 6
    assert {lk.name for lk in links} == {"Fenmere Harbour Fund"}
    # the allocation of the sum the article states, then the first by IRI
    assert sorted(lk.iri.rsplit("-", 1)[-1] for lk in links) == ["1", "2", "5"]
    assert link_extraction(new, index) == links
    monkeypatch.setattr(link, "PER_MENTION", 10)
    assert len(link_extraction(new, index)) == 6  # all six fit the mention
