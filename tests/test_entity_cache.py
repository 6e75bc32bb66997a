"""The index cache beside an embedded store: what ingest leaves is what the store holds, link gives
the same links from it as from the store, and a stale, broken or missing cache is never used."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from reformkg import entity_cache
from reformkg.config import Settings
from reformkg.entity_cache import cache_path, invalidate, load_index, load_link_index, save_index
from reformkg.extract import extract_article
from reformkg.ingest import read_article
from reformkg.link import link_extraction, load_entity_index
from reformkg.pipeline import ingest_sources, link_file
from reformkg.store import open_store

SOURCES = Path(__file__).resolve().parent.parent / "sources"


# written for this test: it names programmes and a fund of the founding articles
NEW_ARTICLE = """Councils plan to spend more through the Better Care Fund

Council leaders in Wessex said on Friday that they would put more of the Better Care Fund into
home adaptations this year. The county will also open two more Family Hubs in the spring.
"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store of the founding articles (through ingest, so with its cache), and a new article."""
    folder = tmp_path_factory.mktemp("cache")
    location = folder / "store"
    report = ingest_sources([SOURCES], Settings(store=str(location)))
    assert len(report.stored) == 5 and not report.failures
    (folder / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    return location, folder / "new.txt"


def _read(location: Path):
    return open_store(str(location), read_only=True)


def test_entity_cache_ingest_leaves_the_nodes_the_store_holds(seeded) -> None:
    location, _ = seeded
    assert cache_path(_read(location)) == location / "reformkg-index.sqlite"
    st = _read(location)
    try:
        cached, stored = load_index(st), load_entity_index(st)
    finally:
        st.close()
    assert set(cached.entities) == set(stored.entities) and len(cached) > 20
    for iri, node in stored.entities.items():
        assert node.names <= cached.entities[iri].names, iri
        assert node.amounts == cached.entities[iri].amounts and node.identifiers == cached.entities[iri].identifiers
        assert bool(node.articles) and len(cached.entities[iri].articles) in (1, 2)


def test_entity_cache_link_gives_the_links_of_the_whole_index(seeded) -> None:
    location, new = seeded
    extraction = extract_article(read_article(new))
    st = _read(location)
    try:
        partial, whole = load_link_index(st, extraction), load_entity_index(st)
    finally:
        st.close()
    expected = link_extraction(extraction, whole)
    assert expected, "the new article refers to programmes of the founding articles"
    assert link_extraction(extraction, partial) == expected
    assert len(partial) < len(whole)
    assert link_file(new, Settings(store=str(location))) == expected


def test_entity_cache_of_version_1_gives_its_nodes_whole_and_the_same_links(seeded, tmp_path: Path,
                                                                          monkeypatch) -> None:
    location = tmp_path / "store"
    shutil.copytree(seeded[0], location)
    with closing(sqlite3.connect(location / "reformkg-index.sqlite")) as db, db:
        db.execute("UPDATE meta SET v = '1' WHERE k = 'version'")  # nodes as version 1 wrote them, keys of no use
    extraction = extract_article(read_article(seeded[1]))
    st = _read(location)
    try:
        reads = []
        monkeypatch.setattr(entity_cache, "load_entity_index", lambda s: reads.append(s) or load_entity_index(s))
        whole, partial = load_index(st), load_link_index(st, extraction)
        assert reads == [] and set(partial.entities) == set(whole.entities)
        assert link_extraction(extraction, partial) == link_extraction(extraction, load_entity_index(st))
    finally:
        st.close()


@pytest.mark.parametrize("spoil", ["invalidated", "garbage", "missing"])
def test_entity_cache_a_spoiled_cache_is_not_used(seeded, tmp_path: Path, monkeypatch, spoil: str) -> None:
    location = tmp_path / "store"
    shutil.copytree(seeded[0], location)
    st = open_store(str(location))
    try:
        if spoil == "invalidated":
            invalidate(st)
        elif spoil == "garbage":
            cache_path(st).write_bytes(b"not a database\x00" * 100)
        else:
            cache_path(st).unlink()
        reads = []
        monkeypatch.setattr(entity_cache, "load_entity_index", lambda s: reads.append(s) or load_entity_index(s))
        assert len(load_index(st)) > 20 and reads == [st]
        if spoil == "invalidated":  # a valid cache again once an ingest saves it
            save_index(st, load_entity_index(st))
            reads.clear()
            assert len(load_index(st)) > 20 and reads == []
    finally:
        st.close()


def test_entity_cache_a_failed_article_leaves_the_cache_invalid(seeded, tmp_path: Path, monkeypatch) -> None:
    location = tmp_path / "store"
    shutil.copytree(seeded[0], location)
    from reformkg import pipeline
    from reformkg.errors import ValidationError

    def refuse(*args, **kwargs):
        raise ValidationError("tests: refused")

    monkeypatch.setattr(pipeline, "resolve_extraction", refuse)
    report = ingest_sources([seeded[1]], Settings(store=str(location)))
    assert report.failures and not report.stored
    st = _read(location)
    try:
        reads = []
        monkeypatch.setattr(entity_cache, "load_entity_index", lambda s: reads.append(s) or load_entity_index(s))
        load_index(st)
        assert reads == [st]
    finally:
        st.close()
