"""Entity cards, paths, timelines and network filters: on hand-written articles and, end to end, the founding corpus."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from conftest import CRAFTED, HOSTILE_ALIAS, HOSTILE_NAME
from hypothesis import given
from hypothesis import strategies as st
from reformkg.cli import app
from reformkg.errors import QueryError
from reformkg.explore import (
    _sentence_at,
    build_network,
    entity_card,
    filter_network,
    find_paths,
    network_view,
    timeline,
)
from reformkg.store import open_store

RKG = "PREFIX rkg: <https://w3id.org/reformkg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "


@pytest.fixture()
def crafted(crafted_store: Path):
    store = open_store(str(crafted_store), read_only=True)
    yield store
    store.close()


def _text(article_id: str) -> str:
    return next(a[4] for a in CRAFTED if a[0] == article_id)


def test_explore_card_gives_ids_posts_relations_with_evidence_and_articles(crafted) -> None:
    card = entity_card(crafted, "Ann Example")
    assert (card.type, card.name) == ("Person", "Ann Example")
    assert [(i.scheme, i.value) for i in card.identifiers] == [("wikidata", "Q99999001")]
    assert [(p.role, p.as_of, p.article.title) for p in card.posts] == [
        ("Health Secretary", "2024-03-01", "Minister unveils Care Futures Fund")]
    (rel,) = card.relations
    assert (rel.predicate, rel.direction, rel.other_name, rel.other_type) == ("announced", "out", "Care Futures Fund",
                                                                              "Fund")
    assert rel.evidence in _text("craft-a") and "announced" in rel.evidence
    assert rel.article.url == "https://example.org/care-futures" and rel.article.date == "2024-03-01"
    assert [a.iri.rsplit("/", 1)[-1] for a in card.articles] == ["craft-a"]


def test_explore_card_sees_relations_from_both_sides_and_every_article(crafted) -> None:
    card = entity_card(crafted, "better homes programme")  # case and spacing do not matter
    seen = {(r.predicate, r.direction, r.other_name) for r in card.relations}
    assert seen == {("builds_on", "in", "Care Futures Fund"), ("leads", "in", "Northshire Council"),
                    ("commented_on", "in", "Bo Sample")}
    assert [a.date for a in card.articles] == ["2024-03-01", "2023-06-15"]  # newest first
    fund = entity_card(crafted, "Care Futures Fund")
    assert fund.amount_gbp == 40_000_000
    assert entity_card(crafted, fund.iri).name == "Care Futures Fund"  # an IRI works too
    region = entity_card(crafted, "Northshire")
    assert [(i.scheme, i.value) for i in region.identifiers] == [("gss", "E10000099")]


def test_explore_card_lists_the_most_recent_and_counts_them_all(crafted) -> None:
    whole = entity_card(crafted, "Better Homes Programme")
    data = whole.to_json()
    assert (data["articles_total"], data["articles_listed"], data["relations_total"], data["relations_listed"]) == (
        2, 2, 3, 3)
    assert sorted((c["predicate"], c["direction"], c["count"]) for c in data["relation_counts"]) == [
        ("builds_on", "in", 1), ("commented_on", "in", 1), ("leads", "in", 1)]
    newest = entity_card(crafted, "Better Homes Programme", articles=1, relations=2)
    assert [a.date for a in newest.articles] == ["2024-03-01"] and newest.articles_total == 2
    assert newest.relations == whole.relations[:2] and newest.relations_total == 3
    assert [r.article.date for r in whole.relations] == sorted((r.article.date for r in whole.relations), reverse=True)
    none = entity_card(crafted, "Better Homes Programme", articles=0, relations=0)
    assert (none.articles, none.relations, none.articles_total, none.relations_total) == ((), (), 2, 3)
    with pytest.raises(QueryError, match="negative"):
        entity_card(crafted, "Better Homes Programme", articles=-1)


def test_explore_card_json_keeps_hostile_text_verbatim(crafted) -> None:
    card = entity_card(crafted, HOSTILE_ALIAS)  # found by its alias
    data = json.loads(json.dumps(card.to_json()))
    assert data["name"] == HOSTILE_NAME and data["names"] == [HOSTILE_NAME, HOSTILE_ALIAS]
    assert {r["predicate"] for r in data["relations"]} == {"funds", "covers"}
    assert all(HOSTILE_NAME in r["evidence"] for r in data["relations"])


def test_explore_unknown_name_suggests_close_ones(crafted) -> None:
    with pytest.raises(QueryError, match=r"no entity named 'Ann Exampel' \(did you mean 'Ann Example'"):
        entity_card(crafted, "Ann Exampel")
    with pytest.raises(QueryError, match="no entity named"):
        entity_card(crafted, "zzzz qqqq")


def test_explore_paths_prefer_stated_relations_each_hop_with_evidence(crafted) -> None:
    paths = find_paths(crafted, "Ann Example", "Bo Sample", k=3)
    assert len(paths) == 3
    first = paths[0].hops
    assert [h.predicate for h in first] == ["announced", "builds_on", "commented_on"]
    assert first[0].subject_name == "Ann Example" and first[-1].subject_name == "Bo Sample"
    for path in paths:
        for hop in path.hops:
            assert hop.evidence and hop.evidence.split(" … ")[0] in _text(hop.article.iri.rsplit("/", 1)[-1])
    assert len(find_paths(crafted, "Ann Example", "Bo Sample", k=1)) == 1


def test_explore_paths_through_an_article_only_when_asked(crafted) -> None:
    assert find_paths(crafted, "Farland", "Northshire", via_articles=False) == []
    (path, *_) = find_paths(crafted, "Farland", "Northshire")
    (hop,) = path.hops
    assert hop.predicate == "co_mentioned" and hop.article.iri.endswith("/craft-c")
    assert "Farland" in hop.evidence and "Northshire" in hop.evidence
    with pytest.raises(QueryError, match="same entity"):
        find_paths(crafted, "Northshire", "northshire")


def test_explore_timeline_is_in_date_order_and_filters_by_name(crafted) -> None:
    events = timeline(crafted)
    dates = [e.date for e in events]
    assert dates == sorted(dates) and dates[0] == "2023-06-15"
    assert {e.kind for e in events} == {"announcement", "fund", "programme", "post"}
    (announcement,) = [e for e in events if e.kind == "announcement"]
    assert announcement.text == "Ann Example announced Care Futures Fund"
    assert announcement.evidence in _text("craft-a")
    fund = next(e for e in events if e.kind == "fund")
    assert "£40,000,000" in fund.text and fund.evidence in _text("craft-a")
    own = timeline(crafted, "Bo Sample")
    assert [(e.kind, e.text) for e in own] == [("post", "Bo Sample: Leader of Northshire Council")]


def test_explore_filters_by_type_predicate_dates_and_focus(crafted) -> None:
    g = build_network(crafted)
    assert g.number_of_nodes() == 8 and g.number_of_edges() == 8
    people = filter_network(g, types=["Person"])
    assert {d["label"] for _, d in people.nodes(data=True)} == {"Ann Example", "Bo Sample"}
    leads = filter_network(g, predicates=["leads"])
    assert sorted(d["label"] for _, d in leads.nodes(data=True)) == ["Better Homes Programme", "Northshire Council"]
    recent = filter_network(g, since="2024-01-01")
    assert {d["predicate"] for *_, d in recent.edges(data=True)} == {"announced", "allocated_to", "builds_on"}
    assert "Bo Sample" not in {d["label"] for _, d in recent.nodes(data=True)}
    near = network_view(crafted, focus="Care Futures Fund", depth=1)
    assert {d["label"] for _, d in near.nodes(data=True)} == {"Care Futures Fund", "Ann Example", "Northshire",
                                                              "Better Homes Programme"}
    funds_of = network_view(crafted, focus="Ann Example", types=["Fund"])
    assert sorted(d["label"] for _, d in funds_of.nodes(data=True)) == ["Ann Example", "Care Futures Fund"]
    with pytest.raises(QueryError, match="unknown entity type"):
        network_view(crafted, types=["Planet"])
    with pytest.raises(QueryError, match="bad date"):
        network_view(crafted, since="2024")


@given(st.lists(st.text(alphabet="ab £,\n", min_size=1, max_size=12), min_size=1, max_size=5), st.data())
def test_explore_sentence_at_holds_the_span_and_no_other_sentence(parts: list[str], data) -> None:
    text = ". ".join(parts) + "."
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    sentence = _sentence_at(text, start, end)
    assert sentence in text and text[start:end].strip() in sentence
    inside = text[start:end]
    if inside.strip() == inside and "." not in inside and "\n" not in inside:  # a mention-like span
        assert ". " not in sentence and "\n" not in sentence  # gets its own sentence and no other


# End to end on the founding corpus: expectations come from the store itself, never hard-coded.

def _query(runner, store: Path, sparql: str) -> list[dict]:
    result = runner.invoke(app, ["query", RKG + sparql, "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]


def test_explore_cli_show_gives_the_stored_card(runner, seed_store: Path) -> None:
    # the entity with the most stated relations (any entity if the extractor stated none)
    rows = _query(runner, seed_store, "SELECT ?e ?l (COUNT(DISTINCT ?s) AS ?n) WHERE { ?e skos:prefLabel ?l . "
                                      "?x rkg:mentions ?e . OPTIONAL { ?s a rkg:Assertion ; "
                                      "<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>|"
                                      "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?e } } "
                                      "GROUP BY ?e ?l ORDER BY DESC(?n) ?e LIMIT 1")
    assert rows, "the founding corpus should give at least one entity"
    result = runner.invoke(app, ["show", rows[0]["l"], "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    card = json.loads(result.stdout)
    assert (card["iri"], card["name"]) == (rows[0]["e"], rows[0]["l"])
    mentions = {r["a"] for r in _query(runner, seed_store, f"SELECT ?a WHERE {{ ?a rkg:mentions <{card['iri']}> }}")}
    assert {a["iri"] for a in card["articles"]} == mentions
    assert len(card["relations"]) >= int(rows[0]["n"])  # one per statement; a statement may repeat a triple
    texts = {r["a"]: r["t"] for r in _query(runner, seed_store, "SELECT ?a ?t WHERE { ?a rkg:text ?t }")}
    for rel in card["relations"]:
        assert rel["evidence"] and rel["evidence"] in texts[rel["article"]["iri"]]
    assert (card["articles_total"], card["articles_listed"]) == (len(mentions), len(card["articles"]))
    assert card["relations_total"] == sum(c["count"] for c in card["relation_counts"])
    table = runner.invoke(app, ["show", rows[0]["l"], "--store", str(seed_store)])
    assert table.exit_code == 0 and rows[0]["l"] in table.stdout
    one = json.loads(runner.invoke(app, ["show", rows[0]["l"], "--articles", "1", "--relations", "1", "--store",
                                         str(seed_store), "--format", "json"]).stdout)
    assert one["articles"] == card["articles"][:1] and one["relations"] == card["relations"][:1]
    assert runner.invoke(app, ["show", rows[0]["l"], "--articles", "-1", "--store", str(seed_store)]).exit_code == 2


def test_explore_cli_show_unknown_name_exits_4_with_suggestions(runner, seed_store: Path) -> None:
    label = _query(runner, seed_store, "SELECT ?l WHERE { ?e a rkg:Person ; skos:prefLabel ?l } ORDER BY ?l LIMIT 1")[0]["l"]
    typo = label[:-1] + ("x" if label[-1] != "x" else "y")
    result = runner.invoke(app, ["show", typo, "--store", str(seed_store)])
    assert result.exit_code == 4 and result.stdout == ""
    assert result.stderr.startswith("error: no entity named") and f"'{label}'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_explore_cli_path_hops_carry_evidence_from_the_article(runner, seed_store: Path) -> None:
    rows = _query(runner, seed_store, "SELECT ?a ?t ?x ?y WHERE { ?a rkg:text ?t ; rkg:mentions ?e1, ?e2 . "
                                      "?e1 skos:prefLabel ?x . ?e2 skos:prefLabel ?y FILTER(STR(?e1) < STR(?e2)) } "
                                      "ORDER BY ?a ?x ?y LIMIT 1")
    assert rows, "some article of the founding corpus names two entities"
    result = runner.invoke(app, ["path", rows[0]["x"], rows[0]["y"], "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    paths = json.loads(result.stdout)
    assert 1 <= len(paths) <= 3 and paths[0]["length"] >= 1
    texts = {r["a"]: r["t"] for r in _query(runner, seed_store, "SELECT ?a ?t WHERE { ?a rkg:text ?t }")}
    for hop in paths[0]["hops"]:
        assert hop["evidence"].split(" … ")[0] in texts[hop["article"]["iri"]]
    table = runner.invoke(app, ["path", rows[0]["x"], rows[0]["y"], "--store", str(seed_store)])
    assert table.exit_code == 0 and "path 1" in table.stdout


def test_explore_cli_timeline_text_json_and_html(runner, seed_store: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["timeline", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    dated = [e["date"] for e in events if e["date"]]
    assert dated == sorted(dated) and all(e["date"] for e in events[: len(dated)])
    article_dates = {r["a"]: r["d"] for r in _query(runner, seed_store, "PREFIX dct: <http://purl.org/dc/terms/> "
                                                                        "SELECT ?a ?d WHERE { ?a dct:date ?d }")}
    assert all(e["date"] == article_dates.get(e["article"]["iri"]) for e in events if e["kind"] != "post")
    out = tmp_path / "timeline.html"
    html_run = runner.invoke(app, ["timeline", "--out", str(out), "--store", str(seed_store)])
    assert html_run.exit_code == 0 and html_run.stdout == ""
    assert out.read_text(encoding="utf-8").count('class="event-row"') == len(events)
    name = events[0]["entity_name"]
    own = json.loads(runner.invoke(app, ["timeline", name, "--store", str(seed_store), "--format", "json"]).stdout)
    assert own and all(events[0]["entity"] in (e["entity"], *e["others"]) for e in own)


@pytest.mark.parametrize("fixture", ["crafted_store", "seed_store"])
def test_explore_card_of_one_entity_is_its_card_in_the_whole_network(request, fixture: str) -> None:
    # a card reads only its entity's part of the store (and only the articles that part cites):
    # it must be the card the whole network gives, for every entity
    from reformkg.explore import card_from_network

    with open_store(str(request.getfixturevalue(fixture)), read_only=True) as store:
        whole = build_network(store)
        assert whole.number_of_nodes() > 0
        for iri in whole:
            assert entity_card(store, iri) == card_from_network(whole, iri), iri
            for articles, relations in ((1, 1), (2, 0), (0, 3)):  # the most recent of each, read bounded
                assert entity_card(store, iri, articles, relations) == card_from_network(whole, iri, articles,
                                                                                         relations), iri


def test_explore_find_entity_by_iri_label_alias_or_loose_spelling(crafted) -> None:
    from reformkg.explore import find_entity

    iri = entity_card(crafted, "Northshire").iri
    assert find_entity(crafted, iri) == iri
    assert find_entity(crafted, "northshire") == iri  # read from every label: case and spacing do not matter
    assert find_entity(crafted, "  NORTHSHIRE ") == iri
    hostile = find_entity(crafted, HOSTILE_NAME)
    assert find_entity(crafted, HOSTILE_ALIAS) == hostile  # an alias
    with pytest.raises(QueryError, match="no entity named"):
        find_entity(crafted, "https://w3id.org/reformkg/id/region/nowhere")


@pytest.mark.parametrize("fixture", ["crafted_store", "seed_store"])
@pytest.mark.parametrize("via_articles", [True, False])
def test_explore_paths_read_around_two_entities_are_the_paths_of_the_whole_graph(request, fixture: str,
                                                                                 via_articles: bool) -> None:
    # find_paths reads only the part of the store around both ends; every pair must get the
    # paths (same nodes, same order, ties included) that the whole network gives
    from reformkg.explore import find_entity
    from reformkg.pathsearch import ARTICLE, k_shortest_paths, path_graph_of, read_path_graph

    with open_store(str(request.getfixturevalue(fixture)), read_only=True) as store:
        whole = path_graph_of(build_network(store), via_articles)
        entities = sorted(n for n in whole if whole.nodes[n].get("kind") != ARTICLE)
        pairs = [(a, b) for i, a in enumerate(entities) for b in entities[i + 1:]][:: max(1, len(entities) // 6)]
        assert pairs
        for a, b in pairs[:40]:
            for k in (1, 3):
                expected = k_shortest_paths(whole, a, b, k)
                part = read_path_graph(store, a, b, k, via_articles=via_articles)
                assert k_shortest_paths(part, a, b, k) == expected, (a, b, k)
                got = find_paths(store, a, b, k, via_articles=via_articles)
                assert len(got) == len(expected)
                for path, nodes in zip(got, expected):
                    ends = [n for n in nodes if whole.nodes[n].get("kind") != ARTICLE]
                    assert [{h.subject, h.object} for h in path.hops] == [set(e) for e in itertools.pairwise(ends)]
                    for hop in path.hops:  # a stated hop is the first of the relations between its ends
                        if hop.predicate != "co_mentioned":
                            s, o, d = whole.edges[hop.subject, hop.object]["facts"][0]
                            assert (hop.subject, hop.predicate, hop.object, hop.evidence, hop.article.iri) == (
                                s, d["predicate"], o, d["evidence"], d["article"])
        assert find_entity(store, entities[0]) == entities[0]


def test_explore_paths_stop_reading_at_the_node_cap(crafted) -> None:
    from reformkg.explore import find_entity
    from reformkg.pathsearch import read_path_graph

    a, b = find_entity(crafted, "Ann Example"), find_entity(crafted, "Bo Sample")
    assert len(read_path_graph(crafted, a, b, 3, max_nodes=2)) <= 2 + 20  # one level past the cap at most
    assert {a, b} <= set(read_path_graph(crafted, a, b, 3))


def test_explore_paths_read_out_of_a_hub_through_its_most_recent_articles_only(crafted) -> None:
    from reformkg.explore import find_entity
    from reformkg.pathsearch import ARTICLE, read_path_graph

    a, b = find_entity(crafted, "Better Homes Programme"), find_entity(crafted, "Care Futures Fund")
    whole = read_path_graph(crafted, a, b, 50, hub_articles=1000)
    capped = read_path_graph(crafted, a, b, 50, hub_articles=1)  # every entity named in 2+ articles is a hub
    recent = entity_card(crafted, a, articles=1).articles[0].iri
    assert recent in capped.adj[a]  # its newest article is followed
    kinds = [n for n in whole.adj[a] if whole.nodes[n].get("kind") == ARTICLE]
    assert len(kinds) == 2 and set(capped) <= set(whole)


@pytest.mark.parametrize("fixture", ["crafted_store", "seed_store"])
def test_explore_focused_view_reads_the_neighbourhood_and_equals_the_filtered_whole(request, fixture: str) -> None:
    with open_store(str(request.getfixturevalue(fixture)), read_only=True) as store:
        whole = build_network(store)
        for i, iri in enumerate(sorted(whole)):
            for depth, kw in ((1, {}), (2, {}), (2, {"types": ["Fund", "Region", "Organisation"]}),
                              (3, {"since": "2024-01-01"}))[: 4 if i % 5 == 0 else 2]:
                want = filter_network(whole, focus=iri, depth=depth, **kw)
                got = network_view(store, focus=iri, depth=depth, **kw)
                assert dict(got.nodes(data=True)) == dict(want.nodes(data=True)), (iri, depth, kw)
                assert sorted((s, o, sorted(d.items())) for s, o, d in got.edges(data=True)) == sorted(
                    (s, o, sorted(d.items())) for s, o, d in want.edges(data=True)), (iri, depth, kw)
                cited = {a for _, d in got.nodes(data=True) for a in d["articles"]} | {
                    d["article"] for *_, d in got.edges(data=True)}
                assert {a: got.graph["articles"][a] for a in cited} == {a: whole.graph["articles"][a] for a in cited}


def test_explore_neighbourhood_keeps_the_nearest_entities_up_to_the_cap(crafted) -> None:
    from reformkg.explore import find_entity
    from reformkg.neighbourhood import read_neighbourhood

    iri = find_entity(crafted, "Care Futures Fund")
    near = read_neighbourhood(crafted, iri, depth=1)
    assert iri in near and len(near) > 2
    capped = read_neighbourhood(crafted, iri, depth=3, max_nodes=2)
    assert iri in capped and len(capped) == 2 and set(capped) <= set(near)
