"""The entity index's compact nodes: ``TupleSet`` behaves as a frozenset does, a node in the index holds
``TupleSet``s that grow by merging, its derived names follow its names, bare funds are still
found by the words said around them, and a named sum mentioned again is its node, not one more."""

from __future__ import annotations

import copy
import pickle
import sys

from hypothesis import given
from hypothesis import strategies as st
from reformkg.model import Identifier
from reformkg.resolve import EntityIndex, KnownEntity
from reformkg.resolve.tupleset import TupleSet

WORDS = st.frozensets(st.sampled_from(["ferry", "quay", "harbour", "tide", "pier", "gull", "slip"]), max_size=6)


@given(WORDS, WORDS)
def test_index_memory_tupleset_operators_are_frozenset_ones(a: frozenset, b: frozenset) -> None:
    ta, tb = TupleSet(a), TupleSet(b)
    for other in (tb, b, set(b)):
        assert ta | other == a | b and ta & other == a & b and ta - other == a - b and ta ^ other == a ^ b
        assert list(ta | other) == sorted(a | b)  # a union stays sorted: ``in`` is a binary search
        assert (ta <= other, ta < other, ta >= other, ta > other) == (a <= b, a < b, a >= b, a > b)
        assert (ta == other, ta != other) == (a == b, a != b)
    assert ta.union(b) == a | b and ta.intersection(b) == a & b and ta.difference(b) == a - b
    assert ta.symmetric_difference(b) == a ^ b and ta.isdisjoint(b) == a.isdisjoint(b)
    assert ta.issubset(b) == a.issubset(b) and ta.issuperset(b) == a.issuperset(b)
    assert all(w in ta for w in a) and not any(w in ta for w in b - a) and len(ta) == len(a)
    assert hash(ta) == hash(a) and list(ta) == sorted(a)


@given(WORDS, WORDS)
def test_index_memory_a_set_on_the_left_keeps_its_type(a: frozenset, b: frozenset) -> None:
    tb = TupleSet(b)
    for left, kind in ((set(a), set), (a, frozenset)):
        for result, expected in ((left | tb, a | b), (left & tb, a & b), (left - tb, a - b), (left ^ tb, a ^ b)):
            assert type(result) is kind and result == expected
    grown = set(a)
    grown |= tb
    assert type(grown) is set and grown == a | b


def test_index_memory_tupleset_holds_sums_codes_and_nothing() -> None:
    assert 2.5e6 in TupleSet([2.5e6, 1e6]) and 3e6 not in TupleSet([2.5e6]) and None not in TupleSet(["x"])
    codes = TupleSet([Identifier("gss", "E99000001"), Identifier("wikidata", "Q0")])
    assert Identifier("gss", "E99000001") in codes and Identifier("gss", "E99000002") not in codes
    assert TupleSet() is TupleSet(set()) and not TupleSet() and TupleSet() == set()
    words = TupleSet(["ferry", "quay"])
    assert pickle.loads(pickle.dumps(words)) == words and copy.deepcopy(words) == words
    assert type(copy.deepcopy(words)) is TupleSet and words | {"quay"} is words


def test_index_memory_tupleset_is_smaller_than_a_set() -> None:
    words = [f"word{i}" for i in range(30)]
    assert sys.getsizeof(TupleSet(words)) * 3 < sys.getsizeof(set(words))
    assert sys.getsizeof(TupleSet(["Quayside Ferry Fund"])) * 3 < sys.getsizeof({"Quayside Ferry Fund"})


def test_index_memory_a_node_in_the_index_is_compact_and_grows_by_merging() -> None:
    index = EntityIndex()
    node = index.add(KnownEntity("p", "Programme", "Tidewater Harbour Renewal Programme", articles={"a1"}))
    assert all(isinstance(getattr(node, f), TupleSet) for f in ("names", "forms", "context", "articles"))
    assert "tidewater harbour renewal" in node.name_keys() and "thrp" not in node.acronyms()
    index.add(KnownEntity("p", "Programme", "THRP", articles={"a2"}))
    assert node.articles == {"a1", "a2"} and "thrp" in node.acronyms() and "thrp" in node.name_keys()
    assert isinstance(node.names, TupleSet) and node.names == {"Tidewater Harbour Renewal Programme", "THRP"}


def test_index_memory_a_new_node_grown_in_place_renews_its_derived_names() -> None:
    node = KnownEntity("o", "Organisation", "Saltmarsh Pier Board")
    assert node.acronyms() == frozenset()
    node.names.add("SPBX")
    assert node.acronyms() == {"spbx"}
    node.forms = {"saltmarsh pier board", "pier board of saltmarsh"}
    assert "pier board of saltmarsh" in node.name_keys()


def test_index_memory_bare_funds_are_counted_once_per_word_said_around_them() -> None:
    index = EntityIndex()
    index.add(KnownEntity("f", "Fund", "£7m", amounts={7e6}, context={"ferry", "quay"}))
    index.add(KnownEntity("f", "Fund", "£7m", amounts={7e6}, context={"quay", "gull"}))
    index.add(KnownEntity("g", "Fund", "£7m", amounts={7e6}, context={"gull", "slip", "pier"}))
    assert index._bare_count == {"ferry": 1, "quay": 1, "gull": 2, "slip": 1, "pier": 1}
    probe = KnownEntity("", "Fund", "£7m", amounts={7e6}, context={"ferry", "gull", "slip", "tide", "pier"})
    # the probe's two most frequent words (gull; slip, after pier by name) are left out: ferry finds f, pier g
    assert index._same_amount_and_word(probe) == {"f", "g"}


def test_index_memory_a_node_keeps_two_articles_which_answer_known_elsewhere() -> None:
    index = EntityIndex()
    for i in range(50):  # a body named in every article: its node does not hold all fifty
        index.add(KnownEntity("urn:body", "Organisation", "Fenmere Council", articles={f"a{i:02d}"}))
    node = index.entities["urn:body"]
    assert set(node.articles) == {"a00", "a01"}
    assert not node.articles <= {"a00"} and not node.articles <= {"a49"}  # known from another article
    alone = index.add(KnownEntity("urn:new", "Organisation", "Fenmere Trust", articles={"a07"}))
    assert alone.articles <= {"a07"}


def test_index_memory_named_sum_again_is_its_node_though_bare_sums_were_said_near_its_name(hand_extraction) -> None:
    from reformkg.resolve import resolve_extraction

    # every name and sum here is invented for this test
    articles = [
        ("b1", "Fenmere harbour works get £2.5m, councillors in Oakbridge said on Monday.",
         [("Fund", "£2.5m", [], 2.5e6, [])]),
        ("b2", "A further £2.5m for Fenmere harbour repairs pleased fishermen at Saltings quay.",
         [("Fund", "£2.5m", [], 2.5e6, [])]),
        ("n1", "The £2.5m Fenmere Harbour Fund opens in May.", [("Fund", "£2.5m Fenmere Harbour Fund", [], 2.5e6, [])]),
        ("n2", "Bids to the £2.5m Fenmere Harbour Fund close in June.",
         [("Fund", "£2.5m Fenmere Harbour Fund", [], 2.5e6, [])]),
    ]
    index = EntityIndex()
    iris = [resolve_extraction(hand_extraction(*art), index, "https://w3id.org/reformkg/id/").entities[0].iri
            for art in articles]
    assert iris[0] != iris[1]  # two bare sums, said in different words
    assert iris[2] not in iris[:2]  # the named fund matches both as a sum said of its purpose: apart
    assert iris[3] == iris[2]  # its name again is its node (it was a new node each time, before)
