"""Cross-article resolution: merges that must happen, near misses that must not, stable IRIs, GSS codes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from reformkg.resolve import EntityIndex, mint_iri, normalise_name, resolve_extraction
from reformkg.resolve.known import KnownEntity
from reformkg.resolve.names import TITLES as _TITLES
from reformkg.resolve.names import acronym_of, initials, strip_head

BASE = "https://w3id.org/reformkg/id/"


def _resolve(hand_extraction, *articles):
    """Resolve (id, text, entities[, published]) articles in order into one index; give name -> IRI per article."""
    index = EntityIndex()
    out = []
    for art in articles:
        resolved = resolve_extraction(hand_extraction(*art), index, BASE)
        out.append({r.entity.name: r.iri for r in resolved.entities})
    return out


def test_resolve_surname_joins_the_one_known_person(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "Jeremy Hunt opened the new ward on Monday.", [("Person", "Jeremy Hunt", [], None, [])]),
                    ("a2", "Mr Hunt said the ward was overdue.", [("Person", "Mr Hunt", [], None, [])]))
    assert b["Mr Hunt"] == a["Jeremy Hunt"]


def test_resolve_surname_shared_by_two_people_stays_apart(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "Jeremy Hunt and Tristram Hunt debated schools.",
                     [("Person", "Jeremy Hunt", [], None, []), ("Person", "Tristram Hunt", [], None, [])]),
                    ("a2", "Mr Hunt left early.", [("Person", "Mr Hunt", [], None, [])]))
    assert a["Jeremy Hunt"] != a["Tristram Hunt"]
    assert b["Mr Hunt"] not in (a["Jeremy Hunt"], a["Tristram Hunt"])


def test_resolve_shared_surname_settled_by_the_post(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "Chancellor Jeremy Hunt met Tristram Hunt.",
                     [("Person", "Jeremy Hunt", [], None, ["Chancellor"]), ("Person", "Tristram Hunt", [], None, [])]),
                    ("a2", "The Chancellor, Mr Hunt, spoke.", [("Person", "Mr Hunt", [], None, ["Chancellor"])]))
    assert b["Mr Hunt"] == a["Jeremy Hunt"]


def test_resolve_one_letter_off_surname_is_the_same_person(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "Josh MacAlister chaired it.", [("Person", "Josh MacAlister", [], None, [])]),
                    ("a2", "Josh McAlister chaired it.", [("Person", "Josh McAlister", [], None, [])]))
    assert a["Josh MacAlister"] == b["Josh McAlister"]


def test_resolve_acronym_expands_to_the_known_fund(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "Towns bid for the UK Shared Prosperity Fund.",
                     [("Fund", "UK Shared Prosperity Fund", [], None, [])]),
                    ("a2", "The UKSPF pays for bus shelters.", [("Fund", "UKSPF", [], None, [])]))
    assert b["UKSPF"] == a["UK Shared Prosperity Fund"]


def test_resolve_nhs_is_not_nhs_england(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "NHS England set targets.", [("Organisation", "NHS England", [], None, [])]),
                    ("a2", "The NHS is under strain.", [("Organisation", "NHS", [], None, [])]))
    assert a["NHS England"] != b["NHS"]


def test_resolve_programme_name_variants_join_through_aliases(hand_extraction) -> None:
    review = "Independent Review of Children’s Social Care"
    a, b, c = _resolve(
        hand_extraction,
        ("a1", f"The {review}, known as the Care Review, reported in May.",
         [("Programme", review, ["the Care Review"], None, [])]),
        ("a2", "Ministers answered the Care Review this week.", [("Programme", "Care Review", [], None, [])]),
        ("a3", "The Independent Review of Children's Social Care was welcomed.",
         [("Programme", "Independent Review of Children's Social Care", [], None, [])]))
    assert a[review] == b["Care Review"] == c["Independent Review of Children's Social Care"]


def test_resolve_programme_kind_word_dropped_is_the_same_programme(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "The Multiply programme teaches maths.", [("Programme", "Multiply programme", [], None, [])]),
                    ("a2", "Multiply has reached 10,000 adults.", [("Programme", "Multiply", [], None, [])]))
    assert a["Multiply programme"] == b["Multiply"]


def test_resolve_two_plans_sharing_words_stay_apart(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "The NHS Long Term Plan was published.", [("Programme", "NHS Long Term Plan", [], None, [])]),
                    ("a2", "The NHS Long Term Workforce Plan followed.",
                     [("Programme", "NHS Long Term Workforce Plan", [], None, [])]))
    assert a["NHS Long Term Plan"] != b["NHS Long Term Workforce Plan"]


def test_resolve_same_amount_same_purpose_is_one_fund(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "A £10m pothole repair fund opens in Kent.",
                     [("Fund", "£10m pothole repair fund", [], 10e6, [])]),
                    ("a2", "Kent's £10m for pothole repairs is running out.",
                     [("Fund", "£10m for pothole repairs", [], 10e6, [])]))
    assert a["£10m pothole repair fund"] == b["£10m for pothole repairs"]


def test_resolve_same_amount_other_purpose_is_another_fund(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "A £10m pothole repair fund opens in Kent.",
                     [("Fund", "£10m pothole repair fund", [], 10e6, [])]),
                    ("a2", "A £10m breakfast club fund was announced for schools.",
                     [("Fund", "£10m breakfast club fund", [], 10e6, [])]))
    assert a["£10m pothole repair fund"] != b["£10m breakfast club fund"]


def test_resolve_bare_amounts_in_unrelated_stories_stay_apart(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "Lancashire will spend £15m on flood defences along the river Ribble.",
                     [("Fund", "£15m", [], 15e6, [])]),
                    ("a2", "Museums in Leeds get £15m to digitise their archives and photographs.",
                     [("Fund", "£15m", [], 15e6, [])]))
    assert a["£15m"] != b["£15m"]


def test_resolve_fund_rounds_of_different_years_stay_apart(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("a1", "The 2023/24 Hardship Grant is £5m.", [("Fund", "2023/24 Hardship Grant", [], 5e6, [])]),
                    ("a2", "The 2024/25 Hardship Grant is £5m.", [("Fund", "2024/25 Hardship Grant", [], 5e6, [])]))
    assert a["2023/24 Hardship Grant"] != b["2024/25 Hardship Grant"]


def test_resolve_council_gets_its_gss_code_and_one_node(hand_extraction) -> None:
    index = EntityIndex()
    first = resolve_extraction(hand_extraction("a1", "Norfolk County Council agreed the budget.",
                                               [("Organisation", "Norfolk County Council", [], None, [])]), index, BASE)
    second = resolve_extraction(hand_extraction("a2", "Norfolk Council agreed.",
                                                [("Organisation", "Norfolk Council", [], None, [])]), index, BASE)
    codes = {(i.scheme, i.value) for i in first.entities[0].identifiers}
    assert ("gss", "E10000020") in codes
    assert first.entities[0].iri == second.entities[0].iri


def test_resolve_iris_are_stable_across_runs(hand_extraction) -> None:
    art = ("a1", "Helen Whately announced the Better Care Fund.",
           [("Person", "Helen Whately", [], None, []), ("Fund", "Better Care Fund", [], None, [])])
    assert _resolve(hand_extraction, art) == _resolve(hand_extraction, art)
    assert _resolve(hand_extraction, art)[0]["Helen Whately"] == mint_iri(BASE, "Person", "Helen Whately")


def test_resolve_names_acronyms_and_heads() -> None:
    assert acronym_of("UKSPF") == "ukspf" and acronym_of("DfE") == "dfe"
    assert acronym_of("GP") is None and acronym_of("Multiply") is None
    assert "dfe" in initials("department for education") and "msif" in initials(
        "market sustainability and improvement fund")
    assert strip_head("multiply programme") == "multiply" and strip_head("nhs long term plan") is None


@given(st.text(max_size=40))
def test_resolve_normalising_a_name_twice_changes_nothing(name: str) -> None:
    once = normalise_name(name)
    assert normalise_name(once) == once


def test_resolve_gazetteer_import_cli_feeds_resolution(runner, tmp_path, monkeypatch, hand_extraction) -> None:
    user = tmp_path / "user" / "regions.csv"
    monkeypatch.setenv("REFORMKG_GAZETTEER", str(user))
    ons = tmp_path / "LAD_NC.csv"
    ons.write_text("LAD24CD,LAD24NM,LAD24NMW\nW06000015,Cardiff,Caerdydd\n", encoding="utf-8")
    from reformkg.cli import app

    result = runner.invoke(app, ["gazetteer", "import", str(ons)])
    assert result.exit_code == 0, result.stderr
    assert "1 area(s)" in result.stderr and "W06000015" in user.read_text(encoding="utf-8")
    resolved = resolve_extraction(hand_extraction("w1", "Caerdydd bid for the fund.",
                                                  [("Region", "Caerdydd", [], None, [])]), EntityIndex(), BASE)
    assert ("gss", "W06000015") in {(i.scheme, i.value) for i in resolved.entities[0].identifiers}


def test_resolve_gazetteer_import_cli_rejects_a_non_ons_file(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REFORMKG_GAZETTEER", str(tmp_path / "user" / "regions.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("name,code\nCardiff,W06000015\n", encoding="utf-8")
    from reformkg.cli import app

    result = runner.invoke(app, ["gazetteer", "import", str(bad)])
    assert result.exit_code == 3 and "no ONS code/name columns" in result.stderr


def test_resolve_county_and_its_council_share_a_code_but_not_a_node(hand_extraction) -> None:
    a, b, c = _resolve(hand_extraction,
                       ("n1", "Norfolk is flat.", [("Region", "Norfolk", [], None, [])]),
                       ("n2", "Norfolk County Council met.", [("Organisation", "Norfolk County Council", [], None, [])]),
                       ("n3", "Norfolk Council met again.", [("Organisation", "Norfolk Council", [], None, [])]))
    assert a["Norfolk"] != b["Norfolk County Council"] == c["Norfolk Council"]


def test_resolve_stray_acronym_alias_joins_nothing(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("s1", "The 10-year workforce strategy for the NHS was promised.",
                     [("Programme", "10-year workforce strategy", ["NHS"], None, [])]),
                    ("s2", "The NHS plan for dentists was published.",
                     [("Programme", "NHS", [], None, [])]))
    assert a["10-year workforce strategy"] != b["NHS"]


def test_resolve_amounts_a_rounding_apart_meet_across_a_bucket_edge(hand_extraction) -> None:
    a, b = _resolve(hand_extraction,
                    ("r1", "A £1,049,000 pothole repair fund opens.", [("Fund", "£1,049,000 pothole repair fund", [],
                                                                        1_049_000, [])]),
                    ("r2", "The £1.051m pothole fund is open.", [("Fund", "£1.051m pothole fund", [], 1_051_000, [])]))
    assert a["£1,049,000 pothole repair fund"] == b["£1.051m pothole fund"]


def test_resolve_same_article_again_keeps_its_iris_even_for_generic_names(hand_extraction) -> None:
    art = ("i1", "The strategy was published. The Long-Term Strategy sets targets.",
           [("Programme", "Long-Term Strategy", ["The strategy"], None, [])])
    other = ("i2", "A Long-Term Strategy for roads was also published.",
             [("Programme", "Long-Term Strategy", [], None, [])])
    index = EntityIndex()
    first = resolve_extraction(hand_extraction(*art), index, BASE).entities[0].iri
    elsewhere = resolve_extraction(hand_extraction(*other), index, BASE).entities[0].iri
    again = resolve_extraction(hand_extraction(*art), index, BASE).entities[0].iri
    assert first == again != elsewhere


def test_resolve_leading_qualifier_dropped_is_the_same_programme(hand_extraction) -> None:
    a, b, c = _resolve(hand_extraction,
                       ("q1", "The Review of Children's Social Care reported.",
                        [("Programme", "Review of Children's Social Care", [], None, [])]),
                       ("q2", "The Independent Review of Children's Social Care was welcomed.",
                        [("Programme", "Independent Review of Children's Social Care", [], None, [])]),
                       ("q3", "The independent review of policing was published.",
                        [("Programme", "independent review of policing", [], None, [])]))
    assert a["Review of Children's Social Care"] == b["Independent Review of Children's Social Care"]
    assert c["independent review of policing"] != a["Review of Children's Social Care"]


def test_resolve_cues_new_body_purpose_and_kind_of_body() -> None:
    from reformkg.resolve.cues import body_stem, described, introduced_as_new, purpose_after

    assert introduced_as_new("Ministers will set up a ") and introduced_as_new("plans to create a new ")
    assert not introduced_as_new("Members of the ") and not introduced_as_new("renewed the ")
    assert described("long term strategy for rural bus services") == ("strategy", {"rural", "bus"})
    assert described("consultation to extend rights to personal carers budgets") == (
        "consultation", {"rights", "personal", "carers", "budgets"})
    assert described("cycling strategy for towns") is None and described("the strategy") is None
    assert purpose_after(" strategy to improve rural bus services. Fares fell.") == {"rural", "bus"}
    assert purpose_after(" was published in May.") == set() and purpose_after(" is to cut bus fares") == set()
    assert body_stem("harbour renewal board") == "harbour renewal" and body_stem("city council") is None


def test_resolve_marks_a_body_the_article_sets_up(hand_extraction) -> None:
    from reformkg.resolve.cues import SET_UP

    index = EntityIndex()
    text = "Ministers will establish a Harbour Renewal Board. The Fenmoor Drainage Board agreed."
    resolve_extraction(hand_extraction("a1", text, [("Organisation", "Harbour Renewal Board", [], None, []),
                                                    ("Organisation", "Fenmoor Drainage Board", [], None, [])]),
                       index, BASE)
    marked = {k.label for k in index.entities.values() if SET_UP in k.context}
    assert marked == {"Harbour Renewal Board"}


def test_resolve_fund_by_its_own_name_before_a_near_equal_one(hand_extraction) -> None:
    # "Mid Fenmere ..." and "Fenmere ..." are near-equal names of two funds (their sums differ); a later
    # mention of one without a sum must meet its own node, not be ambiguous between the two and
    # make a new node each time it is named again
    a, b, c, d = _resolve(
        hand_extraction,
        ("a1", "The £5m Fenmere Harbour Renewal Fund opened.", [("Fund", "Fenmere Harbour Renewal Fund", [], 5e6, [])]),
        ("a2", "The £2m Mid Fenmere Harbour Renewal Fund opened.", [("Fund", "Mid Fenmere Harbour Renewal Fund", [], 2e6, [])]),
        ("a3", "Mid Fenmere Harbour Renewal Fund bids are due.", [("Fund", "Mid Fenmere Harbour Renewal Fund", [], None, [])]),
        ("a4", "The Mid Fenmere Harbour Renewal Fund paid out.", [("Fund", "Mid Fenmere Harbour Renewal Fund", [], None, [])]))
    assert a["Fenmere Harbour Renewal Fund"] != b["Mid Fenmere Harbour Renewal Fund"]
    assert c["Mid Fenmere Harbour Renewal Fund"] == d["Mid Fenmere Harbour Renewal Fund"] == b["Mid Fenmere Harbour Renewal Fund"]


@given(st.text(alphabet=st.sampled_from("aBzÉéİıßﬁÅ’'`s £19,000 ñ\u0301\u0327Ç-–.\t") | st.characters(), max_size=60))
def test_normalise_name_drops_marks_as_a_pass_over_every_character_would(text: str) -> None:
    # the definition: decompose, drop every combining mark, lower case, then the key's rules
    import re
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    plain = re.sub(r"['’`]s\b", "", re.sub(r"(\d),(?=\d{3})", r"\1", plain))
    words = re.sub(r"[^a-z0-9£ ]+", " ", plain).split()
    while words and words[0] in _TITLES:
        words = words[1:]
    assert normalise_name(text) == " ".join(words)


def test_resolve_body_by_its_own_name_before_a_node_once_called_so(hand_extraction) -> None:
    # a node named "Office of the Chair of the Marsh Assembly" was once also called "Marsh Assembly";
    # a later "Marsh Assembly" is the node of that name, every time, not a new node made because
    # two nodes answer to the name
    index = EntityIndex()
    assembly = KnownEntity(BASE + "organisation/marsh-assembly", "Organisation", "Marsh Assembly",
                           names={"Marsh Assembly"}, articles={"a1"})
    office = KnownEntity(BASE + "organisation/office", "Organisation", "Office of the Chair of the Marsh Assembly",
                         names={"Office of the Chair of the Marsh Assembly", "Marsh Assembly"}, articles={"a1"})
    for known in (assembly, office):
        known.forms = {normalise_name(n) for n in known.names}
        index.add(known)
    for article_id in ("a2", "a3"):
        text = "The Marsh Assembly voted."
        resolved = resolve_extraction(hand_extraction(article_id, text, [("Organisation", "Marsh Assembly", [], None, [])]),
                                      index, BASE)
        assert resolved.entities[0].iri == assembly.iri
    # called by its name and, in passing, by another node's name: its own name decides, every time
    for known in (KnownEntity(BASE + "organisation/ao", "Organisation", "Assembly Office", names={"Assembly Office"},
                              articles={"a1"}),
                  KnownEntity(BASE + "organisation/mao", "Organisation", "Marsh Assembly Office",
                              names={"Marsh Assembly Office"}, articles={"a1"})):
        known.forms = {normalise_name(n) for n in known.names}
        index.add(known)
    for article_id in ("a4", "a5"):
        resolved = resolve_extraction(hand_extraction(article_id, "The Marsh Assembly Office, the Assembly Office, opened.", [
            ("Organisation", "Marsh Assembly Office", ["Assembly Office"], None, [])]), index, BASE)
        assert resolved.entities[0].iri == BASE + "organisation/mao"
