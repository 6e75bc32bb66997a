"""Linking a new article to the programmes and funds already in the graph: unit rules and the CLI end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reformkg.cli import app
from reformkg.link import link_extraction, load_entity_index, sentence_at
from reformkg.resolve import EntityIndex, resolve_extraction
from reformkg.store import open_store

BASE = "https://w3id.org/reformkg/id/"
GRAPH_ARTICLES = [
    ("g1", ("Councils will share the £600m adult social care workforce fund. "
            "It sits beside the Better Care Fund, which pools NHS and council money."),
     [("Fund", "£600m adult social care workforce fund", [], 600e6, []),
      ("Fund", "Better Care Fund", [], None, [])]),
    ("g2", "Lancashire will spend £15m on flood defences. The Levelling Up programme was praised.",
     [("Fund", "£15m", [], 15e6, []), ("Programme", "Levelling Up", [], None, [])]),
]


def _index(hand_extraction) -> EntityIndex:
    index = EntityIndex()
    for art in GRAPH_ARTICLES:
        resolve_extraction(hand_extraction(*art), index, BASE)
    return index


def test_link_name_acronym_and_amount_with_purpose(hand_extraction) -> None:
    text = ("Care homes in Devon welcomed the news. The BCF will continue next year. "
            "Of the £600m, Devon gets £12m to recruit social care workers.")
    new = hand_extraction("n1", text, [("Fund", "BCF", [], None, []), ("Fund", "£600m", [], 600e6, [])])
    links = {lk.name: lk for lk in link_extraction(new, _index(hand_extraction))}
    assert set(links) == {"Better Care Fund", "£600m adult social care workforce fund"}
    assert links["Better Care Fund"].evidence.sentence == "The BCF will continue next year."
    fund = links["£600m adult social care workforce fund"]
    assert fund.amount_gbp == 600e6 and fund.evidence.sentence.startswith("Of the £600m")


def test_link_name_found_in_text_when_extraction_missed_it(hand_extraction) -> None:
    text = "Leaders met on Friday. They asked for the Better Care Fund to be extended."
    links = link_extraction(hand_extraction("n2", text, []), _index(hand_extraction))
    assert [lk.name for lk in links] == ["Better Care Fund"]
    assert text[links[0].evidence.start:links[0].evidence.end] == links[0].evidence.sentence


def test_link_ignores_bare_amounts_posts_and_unrelated_funds(hand_extraction) -> None:
    text = ("Museums get £15m to digitise archives. The Secretary of State for Levelling Up visited. "
            "The Household Support Fund was extended.")
    new = hand_extraction("n3", text, [("Fund", "£15m", [], 15e6, []),
                                       ("Fund", "Household Support Fund", [], None, [])])
    assert link_extraction(new, _index(hand_extraction)) == ()


def test_link_skips_nodes_known_only_from_the_same_article(hand_extraction) -> None:
    index = _index(hand_extraction)
    again = hand_extraction(*GRAPH_ARTICLES[0])
    assert link_extraction(again, index) == ()


def test_link_threshold_drops_weaker_evidence(hand_extraction) -> None:
    text = "The BCF will continue next year."
    new = hand_extraction("n4", text, [("Fund", "BCF", [], None, [])])
    assert link_extraction(new, _index(hand_extraction), threshold=0.99) == ()


def test_link_sentence_at_stops_at_sentence_ends() -> None:
    text = "First one. Second one here! Third."
    ev = sentence_at("x", text, text.index("one here"), text.index("one here") + 3)
    assert ev.sentence == "Second one here!" and text[ev.start:ev.end] == ev.sentence


def test_link_cli_json_against_the_founding_corpus(runner, seed_store: Path, tmp_path: Path) -> None:
    article = tmp_path / "new.txt"
    article.write_text("Care leaders in Kent met this week.\n\nThey want the Better Care Fund to rise. "
                       "Nobody mentioned potholes.\n", encoding="utf-8")
    result = runner.invoke(app, ["link", str(article), "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    links = json.loads(result.stdout)
    assert [lk["name"] for lk in links] == ["Better Care Fund"]
    assert set(links[0]) == {"iri", "name", "aliases", "type", "amount_gbp", "score", "evidence"}
    assert links[0]["evidence"] == "They want the Better Care Fund to rise." and links[0]["type"] == "Fund"


def _recorded_links(location: Path) -> set[tuple[str, str, str]]:
    st = open_store(str(location), read_only=True)
    try:
        return {(r["a"], r["label"], r["score"]) for r in st.query("""
            PREFIX rkg: <https://w3id.org/reformkg/ontology#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?a ?label ?score WHERE { ?a rkg:linksTo ?t . ?l prov:wasDerivedFrom ?a ; rkg:linkTarget ?t ;
                                            rkg:linkScore ?score . ?t skos:prefLabel ?label }""").values()}
    finally:
        st.close()


def test_link_ingest_records_the_links_in_the_graph(runner, seed_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = _recorded_links(store)
    article = tmp_path / "new.txt"
    article.write_text("Councils in Suffolk asked ministers to keep the Better Care Fund going.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(article), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.stderr
    new = _recorded_links(store) - before
    assert {label for _, label, _ in new} == {"Better Care Fund"}
    assert all(float(score) >= 0.85 for _, _, score in new)
    st = open_store(str(store), read_only=True)
    try:
        index = load_entity_index(st)
    finally:
        st.close()
    assert len([k for k in index.entities.values() if k.label == "Better Care Fund"]) == 1


def test_link_text_match_inside_a_longer_name_or_after_an_indefinite_article(hand_extraction) -> None:
    index = EntityIndex()
    resolve_extraction(hand_extraction("g3", "The Levelling Up programme and the Independent Review reported.",
                                       [("Programme", "Levelling Up", [], None, []),
                                        ("Programme", "Independent Review", [], None, [])]), index, BASE)
    text = "Towns won the Levelling Up Fund. Critics want an independent review of it."
    assert link_extraction(hand_extraction("n5", text, []), index) == ()
    weak = link_extraction(hand_extraction("n5", text, []), index, threshold=0.0)
    assert {lk.name for lk in weak} == {"Levelling Up", "Independent Review"} and max(lk.score for lk in weak) < 0.85
    again = "Levelling Up is slow, said the Independent Review."
    assert {lk.name for lk in link_extraction(hand_extraction("n6", again, []), index)} == {
        "Levelling Up", "Independent Review"}


def _bare_fund_index(hand_extraction) -> EntityIndex:
    index = EntityIndex()
    text = ("Ministers set aside £340m this winter. Out of the £340m, £275m goes to councils so they can "
            "raise carers' wages and cut hospital discharge delays. A further £300m pays for school roofs.")
    resolve_extraction(hand_extraction("g4", text, [("Fund", "£275m", [], 275e6, []),
                                                    ("Fund", "£300m", [], 300e6, [])]), index, BASE)
    return index


def test_link_bare_sum_of_the_graph_by_equal_sum_and_shared_purpose(hand_extraction) -> None:
    index = _bare_fund_index(hand_extraction)
    text = ("Norfolk welcomed the Carer Pay Grant. The grant, £275 million in all, lets councils raise "
            "carers' wages and reduce discharge delays from hospital wards.")
    new = hand_extraction("n7", text, [("Fund", "Carer Pay Grant", ["£275 million"], 275e6, [])])
    links = link_extraction(new, index)
    assert [(lk.name, lk.amount_gbp) for lk in links] == [("£275m", 275e6)]
    assert links[0].evidence.sentence.startswith("The grant, £275 million")


def test_link_bare_sum_needs_purpose_words_and_more_of_them_for_a_round_sum(hand_extraction) -> None:
    index = _bare_fund_index(hand_extraction)
    other = "Museums get £275m over the next five years to digitise archives for councils."
    assert link_extraction(hand_extraction("n8", other, [("Fund", "£275m", [], 275e6, [])]), index) == ()
    # three shared words ("councils" is too common to count) would do for £275m, not for a round £300m
    roofs = "A £300m pot will repair school roofs and hospital wards, councils said."
    assert link_extraction(hand_extraction("n9", roofs, [("Fund", "£300m", [], 300e6, [])]), index) == ()
    weak = link_extraction(hand_extraction("n9", roofs, [("Fund", "£300m", [], 300e6, [])]), index, threshold=0.0)
    assert [(lk.name, lk.score) for lk in weak] == [("£300m", 0.6)]


def test_link_bare_sum_said_of_two_nodes_links_neither(hand_extraction) -> None:
    index = EntityIndex()
    for article_id, text in (("g6", "Councils get £275m to raise carers' wages across rural districts."),
                             ("g7", "The £275m will cut hospital discharge delays in coastal towns.")):
        resolve_extraction(hand_extraction(article_id, text, [("Fund", "£275m", [], 275e6, [])]), index, BASE)
    assert len(list(index.of_type("Fund"))) == 2
    text = "The Carer Pay Grant of £275 million will raise carers' wages and cut hospital discharge delays."
    new = hand_extraction("n10", text, [("Fund", "Carer Pay Grant", ["£275 million"], 275e6, [])])
    assert link_extraction(new, index) == ()
    weak = link_extraction(new, index, threshold=0.0)
    assert sorted(lk.score for lk in weak) == [0.6, 0.6]  # still hints, each as likely as the other


def _review_index(hand_extraction, *extra: tuple) -> EntityIndex:
    index = EntityIndex()
    text = "The Review of Rural Bus Services reported. So did the Cycling Strategy."
    resolve_extraction(hand_extraction("g5", text, [("Programme", "Review of Rural Bus Services", [], None, []),
                                                    ("Programme", "Cycling Strategy", [], None, []), *extra]),
                       index, BASE)
    return index


def test_link_capitalised_short_name_whose_words_one_node_holds(hand_extraction) -> None:
    text = "Operators said the Bus Review had ignored villages."
    new = hand_extraction("n10", text, [("Programme", "Bus Review", [], None, [])])
    links = link_extraction(new, _review_index(hand_extraction))
    assert [lk.name for lk in links] == ["Review of Rural Bus Services"]
    assert links[0].evidence.sentence == text


def test_link_short_name_shared_by_two_nodes_or_lower_case_is_no_evidence(hand_extraction) -> None:
    text = "Operators said the Bus Review had ignored villages."
    new = hand_extraction("n11", text, [("Programme", "Bus Review", [], None, [])])
    two = _review_index(hand_extraction, ("Programme", "Bus Fares Review", [], None, []))
    assert link_extraction(new, two) == ()
    lower = "Operators said a bus review was overdue."
    assert link_extraction(hand_extraction("n12", lower, [("Programme", "bus review", [], None, [])]),
                           _review_index(hand_extraction)) == ()


def _body_index(hand_extraction) -> EntityIndex:
    index = EntityIndex()
    text = ("Ministers will set up a new Harbour Renewal Board to oversee the Coastal Towns Plan. "
            "The Fenmoor Drainage Board welcomed it.")
    resolve_extraction(hand_extraction("g6", text, [("Organisation", "Harbour Renewal Board", [], None, []),
                                                    ("Organisation", "Fenmoor Drainage Board", [], None, [])]),
                       index, BASE)
    return index


def test_link_body_set_up_by_a_reform_by_its_name_or_another_kind_of_body(hand_extraction) -> None:
    index = _body_index(hand_extraction)
    text = "The Harbour Renewal Council met for the first time in Whitby."
    new = hand_extraction("n13", text, [("Organisation", "Harbour Renewal Council", [], None, [])])
    links = link_extraction(new, index)
    assert [(lk.name, lk.type) for lk in links] == [("Harbour Renewal Board", "Organisation")]
    same = "Members of the Harbour Renewal Board were named."
    assert [lk.name for lk in link_extraction(hand_extraction("n14", same, []), index)] == ["Harbour Renewal Board"]


def test_link_standing_body_is_no_link_even_by_its_own_name(hand_extraction) -> None:
    index = _body_index(hand_extraction)
    text = "The Fenmoor Drainage Board raised its levy."
    new = hand_extraction("n15", text, [("Organisation", "Fenmoor Drainage Board", [], None, [])])
    assert link_extraction(new, index) == ()


def _strategy_index(hand_extraction, *extra: tuple) -> EntityIndex:
    index = EntityIndex()
    text = ("Ministers launched a long-term strategy for rural bus services in the spring. "
            "Councils wrote a new strategy on rural bus services.")
    resolve_extraction(hand_extraction("g7", text, [("Programme", "Long-Term Strategy",
                                                     ["long-term strategy for rural bus services"], None, []),
                                                    *extra]), index, BASE)
    return index


def test_link_programme_known_by_its_purpose_to_a_named_one_of_that_kind_and_purpose(hand_extraction) -> None:
    text = "A year on, the 'Ride Free' strategy to improve rural bus services has cut fares."
    new = hand_extraction("n16", text, [("Programme", "Ride Free", ["Ride Free' strategy"], None, [])])
    links = link_extraction(new, _strategy_index(hand_extraction))
    assert [lk.name for lk in links] == ["Long-Term Strategy"]
    assert links[0].evidence.sentence == text


def test_link_purpose_needs_the_same_kind_and_one_node_so_described(hand_extraction) -> None:
    plan = "The 'Ride Free' plan to improve rural bus services has cut fares."
    new = hand_extraction("n17", plan, [("Programme", "Ride Free", ["Ride Free' plan"], None, [])])
    assert link_extraction(new, _strategy_index(hand_extraction)) == ()
    text = "The 'Ride Free' strategy to improve rural bus services has cut fares."
    strategy = hand_extraction("n18", text, [("Programme", "Ride Free", ["Ride Free' strategy"], None, [])])
    two = _strategy_index(hand_extraction, ("Programme", "new strategy", ["strategy on rural bus services"], None, []))
    assert link_extraction(strategy, two) == ()


def test_link_name_written_so_only_inside_longer_names_is_a_common_phrase(hand_extraction) -> None:
    index = EntityIndex()
    resolve_extraction(hand_extraction("g8", "The Greening Towns programme planted trees.",
                                       [("Programme", "Greening Towns", [], None, [])]), index, BASE)
    text = "A boost for greening towns. The Greening Towns Fund opened. Greening towns means planting oaks."
    assert link_extraction(hand_extraction("n19", text, []), index) == ()
    lower = "Councils back greening towns across the county."
    assert [lk.name for lk in link_extraction(hand_extraction("n20", lower, []), index)] == ["Greening Towns"]


def test_link_body_named_after_a_place_is_local_even_when_new(hand_extraction) -> None:
    index = EntityIndex()
    text = "Ministers will set up a new Norfolk Recovery Board."
    resolve_extraction(hand_extraction("g9", text, [("Organisation", "Norfolk Recovery Board", [], None, [])]),
                       index, BASE)
    again = "The Norfolk Recovery Board met on Monday."
    new = hand_extraction("n21", again, [("Organisation", "Norfolk Recovery Board", [], None, [])])
    assert link_extraction(new, index) == ()


def test_link_short_name_that_is_a_node_s_whole_name_is_not_a_longer_one(hand_extraction) -> None:
    index = _review_index(hand_extraction, ("Programme", "Bus Review", [], None, []))
    text = "Operators said the Bus Review had ignored villages."
    new = hand_extraction("n22", text, [("Programme", "Bus Review", [], None, [])])
    assert [lk.name for lk in link_extraction(new, index)] == ["Bus Review"]


def test_link_store_keeps_the_set_up_cue_of_a_body(runner, seed_store: Path, tmp_path: Path) -> None:
    from reformkg.resolve.cues import SET_UP

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    article = tmp_path / "board.txt"
    article.write_text("Ministers will set up a new Harbour Renewal Board to oversee coastal regeneration.\n",
                       encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(article), "--store", str(store), "--quiet"]).exit_code == 0
    st = open_store(str(store), read_only=True)
    try:
        index = load_entity_index(st)
    finally:
        st.close()
    assert "Harbour Renewal Board" in {k.label for k in index.entities.values() if SET_UP in k.context}
    later = tmp_path / "later.txt"
    later.write_text("The Harbour Renewal Council met in Whitby on Monday.\n", encoding="utf-8")
    result = runner.invoke(app, ["link", str(later), "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert [(lk["name"], lk["type"]) for lk in json.loads(result.stdout)] == [("Harbour Renewal Board", "Organisation")]
