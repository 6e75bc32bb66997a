"""SHACL validation: a hand-built article graph passes, deliberately broken ones fail with their messages,
the founding corpus conforms, and ingest rejects a failing article while keeping the rest."""

from __future__ import annotations

import json
import shutil

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from reformkg.cli import app
from reformkg.errors import ValidationError
from reformkg.model import (
    Article, Entity, Evidence, Extraction, Link, Relation, ResolvedArticle, ResolvedEntity, Span,
)
from reformkg.rdfgraph import build_article_graph, graph_iri, to_ntriples
from reformkg.resolve import mint_iri
from reformkg.store import EmbeddedStore
from reformkg.validate import check_article_graph, validate_graph
from reformkg.vocab import OA, RKG, SCHEMA

from conftest import SOURCES

BASE = "https://example.org/kg/"
S1 = "The Department for Examples announced a £2 million Harbour Fund for Exampleshire on Monday."
S2 = "Jo Bloggs, Minister for Harbours, said the fund was overdue."
TEXT = f"{S1} {S2}\n"


def _span(words: str, after: int = 0) -> Span:
    start = TEXT.index(words, after)
    return Span(start, start + len(words), words)


def _evidence(sentence: str) -> Evidence:
    start = TEXT.index(sentence)
    return Evidence("art1", sentence, start, start + len(sentence))


def make_article(*, published: str | None = "2024-03-04", title: str | None = "Harbour money",
                 relations: tuple[tuple[str, str, str, str], ...] | None = None) -> ResolvedArticle:
    """Give a small resolved article written for these tests (four entities, three relations)."""
    entities = (
        Entity("e1", "Organisation", "Department for Examples", mentions=(_span("Department for Examples"),)),
        Entity("e2", "Fund", "£2 million Harbour Fund", amount_gbp=2_000_000.0,
               mentions=(_span("£2 million Harbour Fund"), _span("the fund"))),
        Entity("e3", "Region", "Exampleshire", mentions=(_span("Exampleshire"),)),
        Entity("e4", "Person", "Jo Bloggs", roles=("Minister for Harbours",), mentions=(_span("Jo Bloggs"),)),
    )
    rels = relations or (("e1", "announced", "e2", S1), ("e2", "allocated_to", "e3", S1), ("e4", "commented_on", "e2", S2))
    article = Article("art1", TEXT, source="tests/harbour.txt", title=title, published=published)
    extraction = Extraction(article, entities, tuple(Relation(s, p, o, _evidence(ev)) for s, p, o, ev in rels))  # type: ignore[arg-type]
    resolved = tuple(ResolvedEntity(e, mint_iri(BASE, e.type, e.name), e.name) for e in entities)
    return ResolvedArticle(extraction, resolved)


def _iri(name: str, type_: str) -> URIRef:
    return URIRef(mint_iri(BASE, type_, name))


def _messages(g: Graph) -> list[str]:
    return [v.describe() for v in validate_graph(g) if v.severity == "Violation"]


def test_validate_hand_built_article_conforms() -> None:
    assert _messages(build_article_graph(make_article(), BASE)) == []


@pytest.mark.parametrize("score", [0.0, 0.5, 1.0])
def test_validate_link_scores_at_the_bounds_pass(score: float) -> None:
    article = make_article()
    link = Link(mint_iri(BASE, "Programme", "Harbour Plan"), "Harbour Plan", "Programme", score, _evidence(S2))
    g = build_article_graph(ResolvedArticle(article.extraction, article.entities, (link,)), BASE)
    assert _messages(g) == []


def test_validate_fund_with_neither_name_nor_amount() -> None:
    g = build_article_graph(make_article(), BASE)
    fund = _iri("£2 million Harbour Fund", "Fund")
    g.remove((fund, SKOS.prefLabel, None))
    g.remove((fund, SCHEMA.amount, None))
    assert any("Fund has neither a name nor an amount" in m for m in _messages(g))


def test_validate_amount_as_string_is_caught() -> None:
    g = build_article_graph(make_article(), BASE)
    amount = URIRef(f"{_iri('£2 million Harbour Fund', 'Fund')}#amount")
    g.set((amount, SCHEMA.value, Literal("2 million")))
    assert any("amount must be one positive xsd:decimal" in m for m in _messages(g))


@pytest.mark.parametrize(("relation", "expected"), [
    (("e3", "announced", "e2", S1), "subject of announced must be a Person or an Organisation"),
    (("e4", "commented_on", "e3", S2), "object of commented_on must be a Programme or a Fund"),
    (("e1", "allocated_to", "e3", S1), "subject of allocated_to must be a Fund"),
    (("e2", "part_of", "e3", S1), "part_of must join a Fund to a Fund or a Programme to a Programme"),
])
def test_validate_relation_ends_with_wrong_types(relation: tuple[str, str, str, str], expected: str) -> None:
    g = build_article_graph(make_article(relations=(relation,)), BASE)
    assert any(expected in m for m in _messages(g)), _messages(g)


def test_validate_mention_without_article_or_offsets() -> None:
    g = build_article_graph(make_article(), BASE)
    mentions = sorted(g.subjects(RDF.type, RKG.Mention))
    g.remove((mentions[0], OA.hasSource, None))
    g.remove((mentions[1], OA.hasSelector, URIRef(f"{mentions[1]}#position")))
    g.remove((mentions[2], OA.hasSelector, URIRef(f"{mentions[2]}#quote")))
    messages = _messages(g)
    assert any(f"{mentions[2].split('/kg/')[1]} has no quote" in m for m in messages)
    assert any("text span has no source article" in m for m in messages)
    assert any("has no character offsets" in m for m in messages)


def _break_first_mention(change: str) -> Graph:
    g = build_article_graph(make_article(), BASE)
    m = sorted(g.subjects(RDF.type, RKG.Mention))[0]
    position, quote = URIRef(f"{m}#position"), URIRef(f"{m}#quote")
    end = int(g.value(position, OA.end))  # type: ignore[arg-type]
    edits = {
        "start at end": lambda: g.set((position, OA.start, Literal(end, datatype=XSD.nonNegativeInteger))),
        "two starts": lambda: g.add((position, OA.start, Literal(1, datatype=XSD.nonNegativeInteger))),
        "negative end": lambda: g.set((position, OA.end, Literal(-1, datatype=XSD.integer))),
        "empty quote": lambda: g.set((quote, OA.exact, Literal(""))),
        "no quote text": lambda: g.remove((quote, OA.exact, None)),
        "third selector": lambda: g.add((m, OA.hasSelector, URIRef(f"{m}#extra"))),
        "source not an article": lambda: g.set((m, OA.hasSource, URIRef(f"{BASE}elsewhere"))),
        "names nothing": lambda: g.remove((m, RKG.mentionOf, None)),
        "names a literal": lambda: g.set((m, RKG.mentionOf, Literal("Exampleshire"))),
        "names two": lambda: g.add((m, RKG.mentionOf, URIRef(f"{BASE}region/other"))),
    }
    edits[change]()
    return g


@pytest.mark.parametrize(("change", "expected", "severity"), [
    ("start at end", "must be one non-negative integer smaller than oa:end", "Violation"),
    ("two starts", "must be one non-negative integer smaller than oa:end", "Violation"),
    ("negative end", "must be one non-negative integer", "Violation"),
    ("empty quote", "must be one non-empty string", "Violation"),
    ("no quote text", "must be one non-empty string", "Violation"),
    ("third selector", "needs two selectors", "Violation"),
    ("source not an article", "text span has no source article", "Violation"),
    ("names nothing", "names no entity", "Violation"),
    ("names a literal", "names no entity", "Violation"),
    ("names two", "names two entities", "Warning"),
])
def test_validate_span_and_selector_checks(change: str, expected: str, severity: str) -> None:
    found = [v for v in validate_graph(_break_first_mention(change)) if expected in v.message]
    assert found and {v.severity for v in found} == {severity}, [v.message for v in validate_graph(
        _break_first_mention(change))]
    assert not [v for v in validate_graph(build_article_graph(make_article(), BASE)) if expected in v.message]


def test_validate_offsets_that_do_not_slice_the_quote() -> None:
    g = build_article_graph(make_article(), BASE)
    mention = sorted(g.subjects(RDF.type, RKG.Mention))[0]
    position = URIRef(f"{mention}#position")
    start = int(g.value(position, OA.start))  # type: ignore[arg-type]
    g.set((position, OA.start, Literal(start + 1, datatype=XSD.nonNegativeInteger)))
    assert any("do not slice its quote" in m for m in _messages(g))


def test_validate_article_without_title_or_date_its_source_gave() -> None:
    g = build_article_graph(make_article(published="04/03/2024"), BASE)
    g.remove((None, DCTERMS.title, None))
    messages = _messages(g)
    assert any('the source gave the date "04/03/2024" but the article has no dcterms:date' in m for m in messages)
    assert any('the source gave the title "Harbour money" but the article has no dcterms:title' in m for m in messages)
    # a source that gave neither is fine: the graph cannot invent what nobody stated
    assert _messages(build_article_graph(make_article(published=None, title=None), BASE)) == []


def test_validate_relation_without_its_assertion() -> None:
    g = build_article_graph(make_article(), BASE)
    for a in list(g.subjects(RDF.type, RKG.Assertion)):
        g.remove((a, None, None))
    assert any("has no rkg:Assertion with an evidence sentence" in m for m in _messages(g))


def test_validate_part_larger_than_whole_is_a_warning_not_a_rejection() -> None:
    article = make_article(relations=(("e2", "part_of", "e5", S1),))
    extraction = article.extraction
    whole = Entity("e5", "Fund", "Harbour Fund", amount_gbp=500_000.0, mentions=(_span("Harbour Fund"),))
    resolved = ResolvedArticle(
        Extraction(extraction.article, (*extraction.entities, whole), extraction.relations),
        (*article.entities, ResolvedEntity(whole, mint_iri(BASE, "Fund", "Harbour Fund"), "Harbour Fund")),
    )
    results = check_article_graph(build_article_graph(resolved, BASE), "tests/harbour.txt")
    assert [(r.severity, r.message) for r in results] == [
        ("Warning", "part (£2000000) is larger than the fund it is part of (£500000): a units or attachment error?")]


def test_validate_check_article_graph_raises_one_line_error() -> None:
    g = build_article_graph(make_article(published="4 March"), BASE)
    with pytest.raises(ValidationError) as info:
        check_article_graph(g, "tests/harbour.txt")
    text = str(info.value)
    assert info.value.exit_code == 5 and "\n" not in text
    assert text.startswith("tests/harbour.txt: not stored, its graph fails 1 SHACL check(s):")
    assert 'article/art1: the source gave the date "4 March" but' in text and info.value.violations


def test_validate_founding_corpus_conforms(runner, seed_store) -> None:
    result = runner.invoke(app, ["validate", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["conforms"] is True and report["graphs"] == 5 and report["violations"] == 0


def test_validate_cli_reports_a_broken_store(runner, tmp_path) -> None:
    good, bad = build_article_graph(make_article(), BASE), build_article_graph(make_article(), BASE)
    bad.remove((_iri("£2 million Harbour Fund", "Fund"), SCHEMA.amount, None))
    bad.remove((_iri("£2 million Harbour Fund", "Fund"), SKOS.prefLabel, None))
    with EmbeddedStore(tmp_path / "store") as st:
        st.replace_graph(str(graph_iri(BASE, "good")), to_ntriples(good))
        st.replace_graph(str(graph_iri(BASE, "bad")), to_ntriples(bad))
    result = runner.invoke(app, ["validate", "--store", str(tmp_path / "store"), "--format", "json"])
    assert result.exit_code == 5
    assert result.stderr.startswith("error: 1 violation(s) in 1 of 2 graph(s); first: Fund")
    report = json.loads(result.stdout)
    assert [r["graph"] for r in report["results"]] == [str(graph_iri(BASE, "bad"))]


def test_validate_store_warns_when_articles_disagree_on_an_amount(runner, tmp_path) -> None:
    first, second = build_article_graph(make_article(), BASE), build_article_graph(make_article(), BASE)
    fund = _iri("£2 million Harbour Fund", "Fund")
    second.set((URIRef(f"{fund}#amount"), SCHEMA.value, Literal("2500000", datatype=XSD.decimal)))
    assert _messages(second) == []  # each article alone is fine
    with EmbeddedStore(tmp_path / "store") as st:
        st.replace_graph(str(graph_iri(BASE, "one")), to_ntriples(first))
        st.replace_graph(str(graph_iri(BASE, "two")), to_ntriples(second))
    result = runner.invoke(app, ["validate", "--store", str(tmp_path / "store"), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["conforms"] is True and report["warnings"] == 1
    (warning,) = report["results"]
    assert warning["focus"] == str(fund) and warning["message"].startswith(
        'Fund "£2 million Harbour Fund" has different amounts in different articles: £2000000 and £2500000')


@pytest.mark.slow
def test_validate_ingest_rejects_failing_article_and_keeps_the_rest(runner, tmp_path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    for name in ("seed-003.txt", "seed-004.txt"):
        shutil.copy(SOURCES / name, folder / name)
    (folder / "manifest.jsonl").write_text(
        json.dumps({"path": "seed-003.txt", "title": "Dated wrongly", "published": "22/05/2022"}) + "\n"
        + json.dumps({"path": "seed-004.txt", "title": "Fine", "published": "2025-01-25"}) + "\n")
    store = tmp_path / "store"
    result = runner.invoke(app, ["ingest", str(folder), "--store", str(store), "--format", "json"])
    assert result.exit_code == 5
    report = json.loads(result.stdout)
    assert len(report["stored"]) == 1 and len(report["failures"]) == 1
    assert report["seconds"]["store"] > 0 and report["seconds"]["link"] >= 0  # where the run's time went
    assert "seed-003.txt: not stored" in report["failures"][0]
    assert 'the source gave the date "22/05/2022" but the article has no dcterms:date' in result.stderr
    listed = runner.invoke(app, ["query", "articles", "--store", str(store), "--format", "json"])
    rows = json.loads(listed.stdout)["results"]["bindings"]
    assert [r["title"]["value"] for r in rows] == ["Fine"]
