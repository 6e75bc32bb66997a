"""Extraction: each rule on sentences written for the test, and offsets that slice the evidence."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from reformkg.extract import extract_article, extract_articles, load_pipeline
from reformkg.model import Article, Extraction
from reformkg.nlp.components import line_sentences
from reformkg.nlp.names import acronym_matches, normalise_name
from reformkg.nlp.quotes import _line_continues, _quote_state


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The extraction pipeline, loaded once for this file."""
    return load_pipeline()


def _extract(nlp: Language, text: str) -> Extraction:
    return extract_article(Article(id="t", text=text), nlp)


def _named(ex: Extraction, name: str):
    return next(e for e in ex.entities if e.name == name)


def _triples(ex: Extraction) -> set[tuple[str, str, str]]:
    names = {e.id: e.name for e in ex.entities}
    return {(names[r.subject], r.predicate, names[r.object]) for r in ex.relations}


def test_extract_names_strip_titles_and_match_acronyms() -> None:
    assert normalise_name("Cllr Jane Doe MP") == "Jane Doe"
    assert acronym_matches("WMCA", "West Midlands Combined Authority")
    assert acronym_matches("UKSPF", "UK Shared Prosperity Fund")
    assert not acronym_matches("LGA", "County Councils Network")
    assert not acronym_matches("NHS", "10-year joint NHS and social care workforce strategy")


def test_extract_line_breaks_start_sentences() -> None:
    doc = Doc(Language().vocab, words=["One", "line", "\n", "Next", "line"], spaces=[True, False, False, True, False])
    assert line_sentences(doc)[3].is_sent_start


def test_extract_government_is_one_organisation(nlp: Language) -> None:
    ex = _extract(nlp, "The government said it would act. Ministers said the Government had a plan.")
    gov = [e for e in ex.entities if e.name == "UK Government"]
    assert len(gov) == 1 and gov[0].type == "Organisation"
    assert {a.lower() for a in gov[0].aliases} & {"the government", "government"}


def test_extract_local_government_is_not_the_uk_government(nlp: Language) -> None:
    ex = _extract(nlp, "Local government leaders met in Leeds to discuss the winter.")
    assert all(e.name != "UK Government" for e in ex.entities)


def test_extract_money_becomes_a_fund_named_by_its_purpose(nlp: Language) -> None:
    ex = _extract(nlp, "The government has unveiled a £45 million fund to improve rural bus services.")
    fund = next(e for e in ex.entities if e.type == "Fund")
    assert fund.amount_gbp == 45_000_000
    assert "rural bus services" in fund.name
    assert ("UK Government", "announced", fund.name) in _triples(ex)


def test_extract_amount_heading_a_sentence_terminates(nlp: Language) -> None:
    # the amount is the parse root here: finding its head noun once looped for ever
    ex = _extract(nlp, "£2.6 billion.")
    assert [e.amount_gbp for e in ex.entities] == [2_600_000_000]


def test_extract_amount_with_programme_head_is_a_programme(nlp: Language) -> None:
    ex = _extract(nlp, "Ministers launched a £2m pilot to test new ways of recruiting foster carers.")
    assert [e.type for e in ex.entities if "pilot" in e.name] == ["Programme"]
    assert not [e for e in ex.entities if e.type == "Fund"]


def test_extract_share_of_a_package_is_part_of_and_allocated(nlp: Language) -> None:
    text = "The council announced a £90 million package for housing, with £12,500,000 of the package allocated to Kent."
    ex = _extract(nlp, text)
    share = next(e for e in ex.entities if e.amount_gbp == 12_500_000)
    package = next(e for e in ex.entities if e.amount_gbp == 90_000_000)
    triples = _triples(ex)
    assert (share.name, "part_of", package.name) in triples
    assert (share.name, "allocated_to", "Kent") in triples


def test_extract_surname_and_title_are_aliases_of_one_person(nlp: Language) -> None:
    ex = _extract(nlp, "Leeds's MP Sarah Collins welcomed the money. Ms Collins said it was overdue.")
    people = [e for e in ex.entities if e.type == "Person"]
    assert len(people) == 1
    assert people[0].name == "Sarah Collins" and "Ms Collins" in people[0].aliases
    assert people[0].roles == ("MP for Leeds",)
    assert ("Sarah Collins", "represents", "Leeds") in _triples(ex)


def test_extract_apposition_gives_role_and_membership(nlp: Language) -> None:
    ex = _extract(nlp, "Councillor Tom Baker, leader of Derby City Council, said the scheme was welcome.")
    person = _named(ex, "Tom Baker")
    assert "leader of Derby City Council" in person.roles
    assert ("Tom Baker", "member_of", "Derby City Council") in _triples(ex)


def test_extract_minister_is_member_of_the_government(nlp: Language) -> None:
    ex = _extract(nlp, "The government has published a plan. Housing Minister Alan Grey said it would help.")
    assert ("Alan Grey", "member_of", "UK Government") in _triples(ex)


def test_extract_named_programme_and_its_anaphor(nlp: Language) -> None:
    text = "The Rural Skills Strategy was published today. The strategy sets out ten actions for Devon."
    ex = _extract(nlp, text)
    strategy = _named(ex, "Rural Skills Strategy")
    assert strategy.type == "Programme" and "The strategy" in strategy.aliases
    assert len([e for e in ex.entities if e.type == "Programme"]) == 1


def test_extract_programme_called_only_by_its_kind_gets_its_description(nlp: Language) -> None:
    text = ("New Long-Term Strategy Unveiled\n\nMinisters have set out the long-term strategy for rural "
            "bus services in Wessex. The strategy will be reviewed in two years.")
    ex = _extract(nlp, text)
    programmes = [e for e in ex.entities if e.type == "Programme"]
    assert len(programmes) == 1
    assert any(a.startswith("long-term strategy for rural bus services") for a in programmes[0].aliases)


def test_extract_named_programme_keeps_only_its_names(nlp: Language) -> None:
    text = "The Rural Skills Strategy was published today. The strategy for Devon sets out ten actions."
    strategy = _named(_extract(nlp, text), "Rural Skills Strategy")
    assert not [a for a in strategy.aliases if "Devon" in a]


def test_extract_acronym_in_brackets_is_an_alias(nlp: Language) -> None:
    ex = _extract(nlp, "The County Councils Network (CCN) said councils were under strain. The CCN wants reform.")
    ccn = _named(ex, "County Councils Network")
    assert "CCN" in ccn.aliases
    assert not [e for e in ex.entities if e.name == "CCN"]


def test_extract_quotation_gives_commented_on(nlp: Language) -> None:
    text = 'The government announced a £20m fund for libraries.\nJo Hart said: "The fund is a lifeline for towns."'
    assert ("Jo Hart", "commented_on", "£20m fund for libraries") in _triples(_extract(nlp, text))


def test_extract_quotation_runs_on_into_a_paragraph_opening_with_a_quote() -> None:
    text = 'Ann Fry said: "Roads matter.\n"We will mend them. Buses too."\nThe vote is on Monday.'
    inside = _quote_state(text)
    assert _line_continues(text, text.index("\n"))
    assert inside[text.index("We will") + 1] and inside[text.index("Buses") + 1]
    assert not inside[text.index("The vote") + 1]
    unclosed = 'She said: "Roads matter.\n\nThe vote is on Monday.'
    assert not _line_continues(unclosed, unclosed.index("\n"))
    assert not _quote_state(unclosed)[unclosed.index("The vote") + 1]


def test_extract_quotation_over_paragraphs_keeps_its_speaker(nlp: Language) -> None:
    text = ('The council set up a £3m fund for parks.\nAnn Fry said: "Parks matter to families.\n'
            '"Most were neglected for years. The fund will restore them. It is overdue."')
    assert ("Ann Fry", "commented_on", "£3m fund for parks") in _triples(_extract(nlp, text))


def test_extract_builds_on_and_led_by(nlp: Language) -> None:
    text = "The Coastal Recovery Plan builds on the Seaside Towns Review, which was led by Anna Lee."
    triples = _triples(_extract(nlp, text))
    assert ("Coastal Recovery Plan", "builds_on", "Seaside Towns Review") in triples
    assert ("Anna Lee", "leads", "Seaside Towns Review") in triples


def test_extract_evidence_offsets_slice_the_text(nlp: Language) -> None:
    text = "   \n  The government announced a £5m fund for parks in Leeds.\n\n Mr Day said: \"The fund helps.\"  "
    ex = _extract(nlp, text)
    assert ex.relations
    for r in ex.relations:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.sentence
        assert r.evidence.sentence == r.evidence.sentence.strip()


def test_extract_articles_keeps_order_and_matches_single_runs(nlp: Language) -> None:
    articles = [Article(id=str(i), text=f"The government gave £{i}m to Kent for roads.") for i in range(1, 5)]
    batch = list(extract_articles(articles, batch_size=2))
    assert [ex.article.id for ex in batch] == ["1", "2", "3", "4"]
    assert [ex.to_json() for ex in batch] == [extract_article(a, nlp).to_json() for a in articles]


@pytest.mark.slow
def test_extract_articles_over_two_processes_matches_one(nlp: Language) -> None:
    articles = [Article(id=str(i), text=f"Mayor Kim Lo said the £{i}m fund would help Bristol.") for i in range(1, 7)]
    two = [ex.to_json() for ex in extract_articles(articles, n_process=2, batch_size=2)]
    assert two == [extract_article(a, nlp).to_json() for a in articles]
