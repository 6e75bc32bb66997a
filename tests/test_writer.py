"""Writing resolved articles: checked in worker processes, written in order, failures kept out;
a rewrite that adds links checks only the links; ingest with workers stores what ingest without does."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from reformkg.config import Settings
from reformkg.errors import ReformKGError, ValidationError
from reformkg.model import Evidence, Link, Relation
from reformkg.pipeline import ingest_sources
from reformkg.rdfgraph import graph_iri
from reformkg.resolve import EntityIndex, resolve_extraction
from reformkg.store import GraphWrite, open_store
from reformkg.writer import ArticleWriter, article_ntriples

BASE = Settings().base_iri
TEXT = "The Harbour Renewal Fund will give £3m to Portwick. Mayor Jo Tester announced it on Monday."
ENTITIES = [("Fund", "Harbour Renewal Fund", ["£3m"], 3e6, []), ("Person", "Jo Tester", [], None, ["Mayor"])]


def _resolved(hand_extraction, article_id: str, published: str = "2024-05-02"):
    return resolve_extraction(hand_extraction(article_id, TEXT, ENTITIES, published=published), EntityIndex(), BASE)


def _written(location: Path, articles, workers: int) -> list[tuple[str, int, type | None]]:
    done: list[tuple[str, int, type | None]] = []
    store = open_store(str(location))
    try:
        def record(resolved, n: int, err: ReformKGError | None) -> None:
            done.append((resolved.extraction.article.id, n, type(err) if err else None))

        with ArticleWriter(store, BASE, record, workers=workers) as writer:
            for resolved in articles:
                writer.put(resolved)
    finally:
        store.close()
    return done


@pytest.mark.parametrize("workers", [0, 1])
def test_writer_writes_in_order_and_keeps_a_failing_article_out(hand_extraction, tmp_path: Path, workers: int) -> None:
    articles = [_resolved(hand_extraction, "w1"), _resolved(hand_extraction, "w2", published="4 March"),
                _resolved(hand_extraction, "w3")]
    done = _written(tmp_path / "store", articles, workers)
    assert [(a, err) for a, _, err in done] == [("w1", None), ("w2", ValidationError), ("w3", None)]
    assert done[0][1] == done[2][1] > 0
    names = {g.value for g in ox.Store.read_only(str(tmp_path / "store")).named_graphs()}
    assert names == {str(graph_iri(BASE, "w1")), str(graph_iri(BASE, "w3"))}


def test_writer_links_only_checks_the_links_not_the_rest(hand_extraction) -> None:
    resolved = _resolved(hand_extraction, "w4", published="4 March")  # the article part fails the shapes
    sentence = Evidence("w4", TEXT[:52], 0, 52)
    link = Link(iri=f"{BASE}fund/harbour-renewal-fund-0", name="Harbour Renewal Fund", type="Fund", score=0.95,
                evidence=sentence)
    linked = resolved.__class__(resolved.extraction, resolved.entities, links=(link,))
    with pytest.raises(ValidationError):
        article_ntriples(linked, BASE)
    text, n = article_ntriples(linked, BASE, links_only=True)
    assert "linkTarget" in text and n > 0


def test_writer_ingest_with_workers_stores_what_ingest_without_them_does(seed_store: Path, tmp_path: Path) -> None:
    sources = Path(__file__).resolve().parent.parent / "sources"
    report = ingest_sources([sources], Settings(store=str(tmp_path / "store"), n_process=2))
    assert len(report.stored) == 5 and not report.failures

    def quads(location: Path) -> set[str]:
        return {str(q) for q in ox.Store.read_only(str(location))}

    assert quads(tmp_path / "store") == quads(seed_store)


def test_writer_links_added_later_make_the_graph_built_with_them(hand_extraction, tmp_path: Path) -> None:
    resolved = _resolved(hand_extraction, "w5")
    link = Link(iri=f"{BASE}programme/harbour-plan-0", name="Harbour Plan", type="Programme", score=0.9,
                evidence=Evidence("w5", TEXT[:52], 0, 52))
    linked = resolved.__class__(resolved.extraction, resolved.entities, links=(link,))

    def stored(location: Path, *puts: tuple) -> set[bytes]:
        store = open_store(str(location))
        try:
            with ArticleWriter(store, BASE, lambda *a: None) as writer:
                for article, links_only in puts:
                    writer.put(article, links_only=links_only)
            return set(store.dump_nquads().splitlines())
        finally:
            store.close()

    in_two = stored(tmp_path / "two", (resolved, False), (linked, True))
    assert in_two == stored(tmp_path / "one", (linked, False))
    assert any(b"linkTarget" in q for q in in_two)


def test_writer_links_only_counts_what_it_adds_when_a_relation_shares_the_sentence(hand_extraction, tmp_path: Path) -> None:
    first_sentence, second_sentence = Evidence("w6", TEXT[:52], 0, 52), Evidence("w6", TEXT[53:], 53, len(TEXT))
    plain = _resolved(hand_extraction, "w6")
    relations = (Relation("e2", "announced", "e1", second_sentence),  # both ends named: its sentence is stored
                 Relation("e1", "allocated_to", "e9", first_sentence))  # an end not named: nothing stored
    extraction = plain.extraction.__class__(plain.extraction.article, plain.extraction.entities, relations)
    resolved = resolve_extraction(extraction, EntityIndex(), BASE)
    for evidence, sentence_added in ((second_sentence, False), (first_sentence, True)):
        link = Link(iri=f"{BASE}fund/old-fund-0", name="Old Fund", type="Fund", score=0.9, evidence=evidence)
        linked = resolved.__class__(resolved.extraction, resolved.entities, links=(link,))
        store = open_store(str(tmp_path / f"s{evidence.start}"))
        try:
            store.replace_graph(str(graph_iri(BASE, "w6")), article_ntriples(resolved, BASE)[0])
            before = len(store.dump_nquads().splitlines())
            text, n = article_ntriples(linked, BASE, links_only=True)
            store.add_to_graph(str(graph_iri(BASE, "w6")), text)
            assert len(store.dump_nquads().splitlines()) - before == n > 0
            assert (f"sentence/w6/{evidence.start}-{evidence.end}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
                    in text) is sentence_added
        finally:
            store.close()


NEW_ARTICLE = """Harbour towns to share the Wessex Coastal Renewal Fund

The Wessex Coastal Renewal Fund will give £4m to harbour towns, council leaders said on Monday.
"""
EARLIER = """Minister opens the Wessex Coastal Renewal Fund

The £12m Wessex Coastal Renewal Fund was opened by the Coastal Minister Pat Example on Friday.
"""


@pytest.mark.parametrize("processes", [1, 2])
def test_writer_ingest_records_links_within_one_batch(tmp_path: Path, processes: int) -> None:
    (tmp_path / "a-earlier.txt").write_text(EARLIER, encoding="utf-8")
    (tmp_path / "b-new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    location = tmp_path / f"store{processes}"
    report = ingest_sources([tmp_path / "a-earlier.txt", tmp_path / "b-new.txt"],
                            Settings(store=str(location), n_process=processes))
    assert len(report.stored) == 2 and not report.failures
    rows = ox.Store.read_only(str(location)).query(
        "SELECT ?a ?t WHERE { GRAPH ?g { ?a <https://w3id.org/reformkg/ontology#linksTo> ?t } }")
    linked = {(r["a"].value.rsplit("/", 1)[-1], r["t"].value.rsplit("/", 2)[-2]) for r in rows}
    assert linked and {kind for _, kind in linked} <= {"fund", "programme", "organisation"}
    assert len({a for a, _ in linked}) == 2, "each article links the fund the other names too"


def _triple(i: int) -> str:
    return f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .\n'


@pytest.mark.parametrize("graphs", [2, 6])  # fewer than BULK_MIN new graphs go by transaction, more by bulk load
def test_writer_write_graphs_keeps_order_replaces_and_adds(tmp_path: Path, graphs: int) -> None:
    store = open_store(str(tmp_path / "store"))
    try:
        store.replace_graph("http://example.org/g/old", _triple(0))
        writes = [GraphWrite(f"http://example.org/g/{i}", _triple(i)) for i in range(graphs)]
        writes += [GraphWrite("http://example.org/g/old", _triple(100)),  # stored before: replaced
                   GraphWrite("http://example.org/g/0", _triple(200)),  # earlier in this batch: replaced
                   GraphWrite("http://example.org/g/1", _triple(300), replace=False)]  # added to
        store.write_graphs(writes)
        rows = store.query("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }").values()
    finally:
        store.close()
    got = {(r["g"].rsplit("/", 1)[-1], r["o"]) for r in rows}
    expected = {(str(i), f"v{i}") for i in range(2, graphs)} | {("old", "v100"), ("0", "v200"),
                                                                ("1", "v1"), ("1", "v300")}
    assert got == expected


def test_writer_store_open_removes_files_of_a_killed_bulk_load(tmp_path: Path) -> None:
    location = tmp_path / "store"
    open_store(str(location)).close()
    leftover = location / "bulk-1234.sst"  # what a bulk load killed before its end leaves
    leftover.write_bytes(b"not a table")
    store = open_store(str(location))
    try:
        assert not leftover.exists() and store.graphs() == []
    finally:
        store.close()


def test_writer_a_batch_keeps_each_graphs_blank_nodes_apart(tmp_path: Path) -> None:
    writes = [GraphWrite(f"http://example.org/g/{i}", f'_:b1 <http://example.org/p> "v{i}" .\n') for i in range(6)]
    store = open_store(str(tmp_path / "store"))
    try:
        store.write_graphs(writes)
        rows = store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    finally:
        store.close()
    assert len(rows) == 6  # one blank node per graph, as six separate writes would give
