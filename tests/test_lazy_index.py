"""An ingest into a store with a cache reads its index lazily (``lazy_index.LazyIndex``): the same
nodes, links, store and cache as reading the index whole, and a cache that says what it holds."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from reformkg import entity_cache, lazy_index, pipeline
from reformkg.config import Settings
from reformkg.entity_cache import cache_path, load_index, open_index, read_whole, save_index
from reformkg.extract import extract_article
from reformkg.ingest import read_article
from reformkg.lazy_index import LazyIndex, bare_words, node_from_json
from reformkg.pipeline import ingest_sources
from reformkg.resolve import resolve_extraction
from reformkg.resolve.index import entries
from reformkg.store import open_store

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEEDS = sorted(SOURCES.glob("seed-*.txt"))
BASE = "https://w3id.org/reformkg/id/"
TABLES = ("nodes", "keys", "words", "lookups", "forms", "said", "counts")


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of three founding articles, with its cache."""
    location = tmp_path_factory.mktemp("lazy") / "store"
    assert len(ingest_sources(SEEDS[:3], Settings(store=str(location))).stored) == 3
    return location


def _tables(location: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(location / "reformkg-index.sqlite")) as db:
        return {t: sorted(db.execute(f"SELECT * FROM {t}")) for t in TABLES}


def _quads(location: Path) -> list[str]:
    st = open_store(str(location), read_only=True)
    try:
        return sorted(st.dump_nquads().decode("utf-8").splitlines())
    finally:
        st.close()


def test_lazy_index_ingest_gives_the_store_and_cache_reading_it_whole_gives(base_store: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    lazy, whole = tmp_path / "lazy", tmp_path / "whole"
    shutil.copytree(base_store, lazy)
    shutil.copytree(base_store, whole)
    monkeypatch.setattr(lazy_index, "NODES_PER_ARTICLE", 0)  # never read whole
    opened: list[type] = []
    monkeypatch.setattr(pipeline, "open_index", lambda st: opened.append(type(i := open_index(st))) or i)
    assert len(ingest_sources(SEEDS[3:], Settings(store=str(lazy))).stored) == 2
    monkeypatch.setattr(pipeline, "open_index", load_index)
    assert len(ingest_sources(SEEDS[3:], Settings(store=str(whole))).stored) == 2
    assert opened == [LazyIndex]
    assert _quads(lazy) == _quads(whole)
    assert _tables(lazy) == _tables(whole)


def test_lazy_index_cache_tables_say_what_its_nodes_are(base_store: Path, tmp_path: Path) -> None:
    location = tmp_path / "store"
    shutil.copytree(base_store, location)
    assert ingest_sources(SEEDS[3:], Settings(store=str(location))).stored  # an incremental save
    tables = _tables(location)
    nodes = [node_from_json(data) for _, _, data in tables["nodes"]]
    assert sorted((kind, key, iri) for kind, key, iri in tables["lookups"]) == sorted(
        (kind, entity_cache.json.dumps(key, ensure_ascii=False), k.iri) for k in nodes for kind, key in entries(k))
    assert sorted((t, n, f, i) for t, n, f, i in tables["forms"]) == sorted(
        (k.type, len(f), f, k.iri) for k in nodes for f in k.name_keys())
    counts: dict[str, int] = {}
    for k in nodes:
        for word in {w for _, w in bare_words(k)}:
            counts[word] = counts.get(word, 0) + 1
    assert dict(tables["counts"]) == counts and counts  # the founding articles have bare sums


def test_lazy_index_read_whole_midway_resolves_as_the_whole_index(base_store: Path, tmp_path: Path) -> None:
    extractions = [extract_article(read_article(p)) for p in SEEDS[3:]]
    st = open_store(str(base_store), read_only=True)
    try:
        whole = load_index(st)
        expected = [[e.iri for e in resolve_extraction(x, whole, BASE).entities] for x in extractions]
        index = open_index(st)
        assert isinstance(index, LazyIndex) and len(index) == len(load_index(st))
        got = [[e.iri for e in resolve_extraction(extractions[0], index, BASE).entities]]
        index = read_whole(index)  # the rest resolved whole, with what the first added
        got.append([e.iri for e in resolve_extraction(extractions[1], index, BASE).entities])
    finally:
        st.close()
    assert got == expected
    assert index.changed == whole.changed
    assert {i: sorted(k.names) for i, k in index.entities.items()} == {i: sorted(k.names) for i, k in whole.entities.items()}
    assert index._bare_count == whole._bare_count
    assert {k: v for k, v in index._by.items()} == whole._by


def test_lazy_index_cache_rewritten_meanwhile_is_left_invalid(base_store: Path, tmp_path: Path) -> None:
    location = tmp_path / "store"
    shutil.copytree(base_store, location)
    st = open_store(str(location))
    try:
        index = open_index(st)
        assert isinstance(index, LazyIndex)
        resolve_extraction(extract_article(read_article(SEEDS[3])), index, BASE)
        save_index(st, load_index(st))  # another save since this index was read: a new generation
        entity_cache.invalidate(st)
        save_index(st, index)
        index.db.close()
        with closing(sqlite3.connect(cache_path(st))) as db:  # type: ignore[arg-type]
            assert dict(db.execute("SELECT k, v FROM meta"))["valid"] == "0"
    finally:
        st.close()


# every name, sum and place here is invented for this test
CACHED = [
    ("g1", "Councils get £275m to repair quay walls, dredge harbours and rebuild ferry piers in Fenmere.",
     [("Fund", "£275m", [], 275e6, [])]),
    ("g2", "Ada Quillon, the harbours minister, opened the Saltings Pier Trust (SPT) office.",
     [("Person", "Ada Quillon", [], None, ["harbours minister"]),
      ("Organisation", "Saltings Pier Trust", ["SPT"], None, [])]),
]
RUN = [
    ("n1", "The £275m will repair quay walls and dredge harbours, from Saltings to Brackwater.",
     [("Fund", "£275m", [], 275e6, [])]),
    ("n2", "Ministers launched the Fenmere Harbour Compact. Bram Quillon chairs it.",
     [("Programme", "Fenmere Harbour Compact", [], None, []), ("Person", "Bram Quillon", [], None, [])]),
    ("n3", "The Fenmere Harbour Compac will grow, Mr Quillon said; the SPT agreed.",
     [("Programme", "Fenmere Harbour Compac", [], None, []), ("Person", "Quillon", [], None, []),
      ("Organisation", "SPT", [], None, [])]),
    ("n4", "A further £275m will rebuild ferry piers and repair quay walls in Brackwater.",
     [("Fund", "£275m", [], 275e6, [])]),
    ("n5", "Lidos in Oakbridge get £3.3m to train lifeguards.", [("Fund", "£3.3m", [], 3.3e6, [])]),
    ("n6", "Oakbridge will train lifeguards for its lidos with £3.3m.", [("Fund", "£3.3m", [], 3.3e6, [])]),
]


def test_lazy_index_what_a_run_adds_meets_what_the_cache_holds(hand_extraction, tmp_path: Path) -> None:
    from reformkg.resolve import EntityIndex

    st = open_store(str(tmp_path / "base"))
    try:
        index = EntityIndex()
        for art in CACHED:
            resolve_extraction(hand_extraction(*art), index, BASE)
        save_index(st, index)
    finally:
        st.close()
    results, indexes = {}, {}
    for way, opener in (("whole", load_index), ("lazy", open_index)):
        shutil.copytree(tmp_path / "base", tmp_path / way)
        st = open_store(str(tmp_path / way))
        try:
            index = opener(st)
            assert isinstance(index, LazyIndex) == (way == "lazy")
            results[way] = [[e.iri for e in resolve_extraction(hand_extraction(*art), index, BASE).entities]
                            for art in RUN]
            indexes[way] = index = read_whole(index)  # as read whole at the start, with the run's nodes
            save_index(st, index)
        finally:
            entity_cache.close_index(index)
            st.close()
    assert results["lazy"] == results["whole"]
    n1, n2, n3, n4, n5, n6 = results["whole"]
    assert n1 == n4 and n5 == n6  # the cached £275m, and a £3.3m of the run, said alike
    assert n3[0] == n2[0]  # the compact met again in the run (a near-equal name)
    assert n3[1] not in (n2[1], *[i for i in sum(results["whole"], []) if i != n3[1]])  # two Quillons: apart
    assert _tables(tmp_path / "lazy") == _tables(tmp_path / "whole")
    lazy, whole = indexes["lazy"], indexes["whole"]
    assert lazy._bare_count == whole._bare_count and lazy._by == whole._by and lazy.changed == whole.changed
    counts = dict(_tables(tmp_path / "lazy")["counts"])
    assert counts["saltings"] == 1 and counts["repair"] == 1  # the cached fund's new words counted once
