"""Relation rules on sentences written for the test: lists of amounts, shares of a whole, roles, leads, covers."""

from __future__ import annotations

import pytest
from spacy.language import Language

from reformkg.extract import extract_article, load_pipeline
from reformkg.model import Article, Extraction


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The extraction pipeline, loaded once for this file."""
    return load_pipeline()


def _triples(nlp: Language, text: str) -> set[tuple[str, str, str]]:
    ex: Extraction = extract_article(Article(id="t", text=text), nlp)
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.subject], r.predicate, names[r.object]) for r in ex.relations}


def test_relations_gapped_list_pairs_each_place_with_its_amount(nlp: Language) -> None:
    text = ("The government has set aside £90m for rural buses.\n"
            "Kent will receive £40m, Devon £30m and Cumbria £20m under the scheme.")
    triples = _triples(nlp, text)
    assert {("£40m", "allocated_to", "Kent"), ("£30m", "allocated_to", "Devon"), ("£20m", "allocated_to", "Cumbria")} <= triples
    assert ("£30m", "allocated_to", "Cumbria") not in triples and ("£20m", "allocated_to", "Devon") not in triples


def test_relations_listed_shares_are_part_of_the_whole_named_before(nlp: Language) -> None:
    text = ("Ministers announced a £90m fund for rural buses.\n"
            "Kent will receive £40m, Devon £30m and Cumbria £20m.")
    triples = _triples(nlp, text)
    for share in ("£40m", "£30m", "£20m"):
        assert any(s == share and p == "part_of" and o.startswith("£90m") for s, p, o in triples), share


def test_relations_part_of_this_reaches_back_two_sentences(nlp: Language) -> None:
    text = ("The council unveiled a £60m fund for parks.\nIt covers play areas in Leeds and Hull.\n"
            "As part of this, £5m will be spent on lighting and £8m on paths.")
    triples = _triples(nlp, text)
    assert any(s == "£5m" and p == "part_of" and o.startswith("£60m") for s, p, o in triples)
    assert any(s == "£8m" and p == "part_of" and o.startswith("£60m") for s, p, o in triples)


def test_relations_respectively_pairs_amounts_in_order(nlp: Language) -> None:
    text = "Leeds will get £20m a year and York £10m, letting the councils build funds worth £600m and £300m respectively."
    triples = _triples(nlp, text)
    assert ("£600m", "allocated_to", "Leeds") in triples and ("£300m", "allocated_to", "York") in triples
    assert ("£600m", "allocated_to", "York") not in triples


def test_relations_the_fund_refers_to_the_named_fund(nlp: Language) -> None:
    text = ("The Coastal Towns Fund opens today.\nHull will receive £4m and Whitby £2m under the fund.")
    triples = _triples(nlp, text)
    assert ("£4m", "part_of", "Coastal Towns Fund") in triples and ("£2m", "part_of", "Coastal Towns Fund") in triples


def test_relations_post_with_the_inside_names_the_body(nlp: Language) -> None:
    text = "Chair of the County Councils Network's rural board, Cllr Mary Oakes, said the cuts were deep."
    assert ("Mary Oakes", "member_of", "County Councils Network") in _triples(nlp, text)


def test_relations_pronoun_subject_takes_the_post_to_the_last_person(nlp: Language) -> None:
    text = "Priya Shah has been named chair of the new board.\nShe has been chair of Leeds Teaching Hospitals Trust since 2019."
    assert ("Priya Shah", "member_of", "Leeds Teaching Hospitals Trust") in _triples(nlp, text)


def test_relations_possessive_owner_leads_the_programme(nlp: Language) -> None:
    text = "Ministers accepted most of Anna Lee's Review of Coastal Housing on Tuesday."
    assert ("Anna Lee", "leads", "Review of Coastal Housing") in _triples(nlp, text)


def test_relations_a_place_in_a_programme_name_is_covered(nlp: Language) -> None:
    text = "Ministers signed the Cumbria devolution deal on Friday.\nCumbria will gain powers over transport."
    triples = _triples(nlp, text)
    assert any(p == "covers" and o == "Cumbria" for _, p, o in triples)


def test_relations_chair_of_a_review_leads_it_and_is_not_its_announcer(nlp: Language) -> None:
    triples = _triples(nlp, "Tom Hale was named as chair of the Independent Review of Coastal Housing.")
    assert ("Tom Hale", "leads", "Independent Review of Coastal Housing") in triples
    assert ("Tom Hale", "announced", "Independent Review of Coastal Housing") not in triples


def test_relations_pronoun_that_led_a_body_is_its_member(nlp: Language) -> None:
    text = "Sir Tom Hale is the new chair.\nHe has led Derby City Council for ten years."
    assert ("Tom Hale", "member_of", "Derby City Council") in _triples(nlp, text)


def test_relations_portfolio_is_not_a_body_and_secretary_of_state_is_government(nlp: Language) -> None:
    text = ("The government has set out a plan.\nSecretary of State for Levelling Up Sarah Collins MP said it would help."
            "\nCllr Ann Bell, Cabinet Member for Roads and Renewal, agreed.")
    ex = extract_article(Article(id="t", text=text), nlp)
    assert not [e for e in ex.entities if e.type == "Organisation" and e.name in {"State", "Roads and Renewal"}]
    assert ("Sarah Collins", "member_of", "UK Government") in _triples(nlp, text)


def test_relations_announcing_verb_governs_a_reported_clause(nlp: Language) -> None:
    triples = _triples(nlp, "In March the government announced it would release a green paper on rural transport.")
    assert ("UK Government", "announced", "green paper") in triples


def test_relations_made_available_announces_a_fund(nlp: Language) -> None:
    triples = _triples(nlp, "The Government has made a £40m Rural Bus Fund available to county councils.")
    assert ("UK Government", "announced", "£40m Rural Bus Fund") in triples


def test_relations_relative_clause_chair_leads_and_passive_needs_an_agent(nlp: Language) -> None:
    assert ("Anna Lee", "leads", "Coastal Review") in _triples(nlp, "Anna Lee – who chaired the Coastal Review – will sit on the board.")
    assert ("Anna Lee", "leads", "Coastal Review") in _triples(nlp, "The Coastal Review was led by Anna Lee.")


def test_relations_officer_responsible_for_a_plan_leads_it(nlp: Language) -> None:
    text = "Lena Marsh is the project officer responsible for delivering the Rural Skills Plan."
    assert ("Lena Marsh", "leads", "Rural Skills Plan") in _triples(nlp, text)


def test_relations_owner_before_describing_words_leads(nlp: Language) -> None:
    text = "The scheme belongs to the Treasury’s ambitious Rural Growth Plan, aimed at faster trains."
    assert ("Treasury", "leads", "Rural Growth Plan") in _triples(nlp, text)


def test_relations_a_fund_named_for_a_place_is_allocated_there(nlp: Language) -> None:
    triples = _triples(nlp, "The government has unveiled a £4m package to help with bus services across Kent.")
    assert any(p == "allocated_to" and o == "Kent" and s.startswith("£4m package") for s, p, o in triples)


def test_relations_an_amount_of_a_named_fund_is_part_of_it(nlp: Language) -> None:
    triples = _triples(nlp, "The Rural Bus Fund was extended. Councils will share a £40m Rural Bus Fund next year.")
    assert ("£40m Rural Bus Fund", "part_of", "Rural Bus Fund") in triples


def test_relations_bare_surname_is_the_person_named_before(nlp: Language) -> None:
    triples = _triples(nlp, "Prime minister Joe Barker spoke today. Barker pledged £1.7bn over four years for new rail lines.")
    assert ("Joe Barker", "announced", "£1.7bn") in triples


def test_relations_minister_reported_speech_announces(nlp: Language) -> None:
    text = "Speaking on Tuesday, transport minister Ann Vale said English councils were to get £3.1bn for bus services."
    triples = _triples(nlp, text)
    assert ("Ann Vale", "announced", "£3.1bn") in triples and ("Ann Vale", "commented_on", "£3.1bn") not in triples


def test_relations_source_fund_is_neither_announced_nor_allocated(nlp: Language) -> None:
    triples = _triples(nlp, "The government has allocated £2m to councils across Kent from its Coastal Towns Fund.")
    assert ("UK Government", "announced", "Coastal Towns Fund") not in triples
    assert ("Coastal Towns Fund", "allocated_to", "Kent") not in triples
    assert ("£2m", "part_of", "Coastal Towns Fund") in triples
    assert ("£2m", "allocated_to", "Kent") in triples  # the government, the giver, is no nearer recipient


def test_relations_loose_money_in_an_article_about_a_programme_funds_it(nlp: Language) -> None:
    text = ("The Rural Skills Plan was launched today.\nThe Rural Skills Plan will train 5,000 apprentices.\n"
            "Ministers pledged £90m over five years to open extra places.")
    assert ("£90m", "funds", "Rural Skills Plan") in _triples(nlp, text)
    review = ("The Coastal Review was published today.\nThe Coastal Review makes ten recommendations.\n"
              "Ministers pledged £90m over five years for harbours.")
    assert ("£90m", "funds", "Coastal Review") not in _triples(nlp, review)


def test_relations_post_stands_for_its_holder_later(nlp: Language) -> None:
    text = ("Health and Social Care Secretary Jo Reed has announced a rural bus strategy.\n"
            "The Health and Social Care Secretary also announced a consultation to extend free passes to carers.")
    triples = _triples(nlp, text)
    assert ("Jo Reed", "announced", "consultation to extend free passes to carers") in triples
    assert ("Jo Reed", "member_of", "UK Government") not in triples  # no government entity was named


def test_relations_amount_drawn_from_a_named_fund(nlp: Language) -> None:
    text = "Kent County Council will get £1m funding from the Coastal Towns Fund (CTF) in 2025."
    assert ("£1m", "part_of", "Coastal Towns Fund") in _triples(nlp, text)


def test_relations_from_on_another_noun_is_no_share(nlp: Language) -> None:
    text = ("The council unveiled £3m for parks.\n"
            "The money honours its promise to equal the earlier EU funding from the Coastal Towns Fund.")
    triples = _triples(nlp, text)
    assert not [t for t in triples if t[0] == "£3m" and t[2] == "Coastal Towns Fund"]


def test_relations_person_named_inside_reported_speech_is_not_the_speaker(nlp: Language) -> None:
    text = ("The Harbour Review was published today.\nThe Harbour Review sets out ten steps.\n"
            "The minister said he was pleased but confirmed that Tom Hale would chair the new Harbour Review board.")
    triples = _triples(nlp, text)
    assert ("Tom Hale", "commented_on", "Harbour Review") not in triples


def test_relations_recipient_and_subject_conjunct_do_not_announce(nlp: Language) -> None:
    triples = _triples(nlp, "A total of £16m has been allocated to the Kent County Council for rural bus services.")
    assert not [t for t in triples if t[1] == "announced"]
    signed = _triples(nlp, "The chair of Kent County Council and the Rural Skills Project team signed the document.")
    assert not [t for t in signed if t[1] == "announced"]


def test_relations_builds_on_does_not_cross_another_statement(nlp: Language) -> None:
    text = "Ministers unveiled a £90m package.\nThe package builds on the Rural Skills Plan which was backed by an initial £25m."
    triples = _triples(nlp, text)
    assert any(p == "builds_on" and o == "Rural Skills Plan" for _, p, o in triples)
    assert not any(p == "builds_on" and o == "£25m" for _, p, o in triples)


def test_relations_councillor_is_a_member_of_the_articles_one_council(nlp: Language) -> None:
    text = ("Derby City Council has approved a £2m fund for parks.\n"
            "Cllr Ann Bell, Cabinet Member for Leisure, said the parks needed it.")
    assert ("Ann Bell", "member_of", "Derby City Council") in _triples(nlp, text)
    two = text + "\nLeeds City Council will watch closely."
    assert ("Ann Bell", "member_of", "Derby City Council") not in _triples(nlp, two)


def test_relations_worth_an_amount_to_coordinated_places(nlp: Language) -> None:
    text = "New growth deals worth £2bn to Cumbria and the Lake District across two decades are signed this week."
    triples = _triples(nlp, text)
    assert ("£2bn", "allocated_to", "Cumbria") in triples and ("£2bn", "allocated_to", "Lake District") in triples


def test_relations_a_funds_programme_is_the_fund_and_what_it_underpins_it_funds(nlp: Language) -> None:
    text = ("The Coastal Towns Fund (CTF) opens today.\n"
            "The CTF programme supports main aims in the Rural Transport Plan by linking up services.")
    ex = extract_article(Article(id="t", text=text), nlp)
    assert not [e for e in ex.entities if e.type == "Programme" and "CTF" in e.name]
    assert ("Coastal Towns Fund", "funds", "Rural Transport Plan") in _triples(nlp, text)


def test_relations_mayor_represents_the_area_of_the_articles_combined_authority(nlp: Language) -> None:
    text = "The North East Combined Authority will run the scheme across the North East.\nMayor Kim McGuinness said she was delighted."
    assert ("Kim McGuinness", "represents", "North East") in _triples(nlp, text)


def test_relations_investment_in_and_backed_by_fund_a_programme(nlp: Language) -> None:
    triples = _triples(nlp, "The council confirmed a £5m investment in the Rural Skills Plan.")
    assert any(s.startswith("£5m investment") and p == "funds" and o == "Rural Skills Plan" for s, p, o in triples)
    triples = _triples(nlp, "The Rural Skills Plan is funded by Kent County Council and backed by £3m from the Towns Fund.")
    assert {("Kent County Council", "funds", "Rural Skills Plan"), ("£3m", "funds", "Rural Skills Plan")} <= triples


def test_relations_coordinated_recipients_and_speakers_share_the_relation(nlp: Language) -> None:
    triples = _triples(nlp, "Kent, Devon and Cumbria received £12m to repair coastal roads.")
    assert {("£12m", "allocated_to", place) for place in ("Kent", "Devon", "Cumbria")} <= triples
    said = _triples(nlp, "Jo Reed and Sam Lee said the Rural Skills Plan was overdue.")
    assert {("Jo Reed", "commented_on", "Rural Skills Plan"), ("Sam Lee", "commented_on", "Rural Skills Plan")} <= said
