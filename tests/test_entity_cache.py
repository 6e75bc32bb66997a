"""The index cache beside an embedded store: what ingest leaves is what the store holds, link gives
the same links from it as from the store, and a stale, broken or missing cache is never used."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
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


# invented names: (type, name, aliases, amount, sentence the name is said in)
_POOL = (
    ("Programme", "Tidewater Harbour Renewal Programme", [], None, "The {} will rebuild the quay walls."),
    ("Programme", "Tidewater Harbour Renewal Programme", ["THRP"], None, "The {} (THRP) starts in May."),
    ("Programme", "THRP", [], None, "Work under {} was delayed by storms."),
    ("Programme", "Kestrel Valley Skills Scheme", [], None, "The {} trains welders and joiners."),
    ("Programme", "Kestrel Valley Skills Programme", [], None, "The {} opened a second college."),
    ("Fund", "Quayside Ferry Fund", [], 4_000_000.0, "The {} will pay for a new ferry slipway."),
    ("Fund", "£4m", [], 4_000_000.0, "A further {} will pay for the ferry slipway and the quay."),
    ("Fund", "Heathland Library Fund", [], 7_500_000.0, "The {} will reopen branch libraries."),
    ("Organisation", "Saltmarsh Pier Board", [], None, "Ministers will set up a new {} to run the pier."),
    ("Organisation", "Tidewater Council", [], None, "{} welcomed the news."),
    ("Person", "Orla Penhallow", [], None, "{} said the work was overdue."),
    ("Person", "Ms Penhallow", [], None, "{} added that the quay would reopen."),
    ("Region", "Wessex Vale", [], None, "Towns across {} will benefit."),
)
_articles = hs.lists(hs.lists(hs.integers(0, len(_POOL) - 1), min_size=1, max_size=5, unique=True),
                     min_size=2, max_size=7)


def _invented(hand_extraction, n: int, picks: list[int]):
    chosen = [_POOL[i] for i in picks]
    text = "Harbour news\n\n" + " ".join(s.format(name) for _, name, _, _, s in chosen)
    return hand_extraction(f"inv{n}", text, [(t, name, al, amt, []) for t, name, al, amt, _ in chosen])


def _tables(location: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(location / "reformkg-index.sqlite")) as db:
        tables = {t: sorted(db.execute(f"SELECT * FROM {t}")) for t in ("nodes", "keys", "words")}
        tables["meta"] = sorted(r for r in db.execute("SELECT * FROM meta") if r[0] != "generation")
    return tables


@settings(max_examples=40, deadline=None)
@given(_articles, hs.integers(1, 6))
def test_entity_cache_a_save_of_the_nodes_changed_leaves_what_a_whole_save_leaves(hand_extraction, articles,
                                                                                split) -> None:
    from reformkg.resolve import EntityIndex, resolve_extraction

    base = "https://w3id.org/reformkg/id/"
    first, later = articles[:split], articles[split:] or articles[:1]
    written: list[tuple[int, bool]] = []
    write_nodes = entity_cache._write_nodes

    def spy(db, nodes, *, whole=False):
        written.append((len(nodes), whole))
        return write_nodes(db, nodes, whole=whole)

    entity_cache._write_nodes = spy
    try:
        with tempfile.TemporaryDirectory() as tmp:
            part, whole = Path(tmp) / "part", Path(tmp) / "whole"
            st_part, st_whole = open_store(str(part)), open_store(str(whole))
            try:
                index = EntityIndex()
                for n, picks in enumerate(first):
                    resolve_extraction(_invented(hand_extraction, n, picks), index, base)
                save_index(st_part, index)
                index = load_index(st_part)
                assert index.saved_as and not index.changed
                invalidate(st_part)
                for n, picks in enumerate(later, len(first)):
                    resolve_extraction(_invented(hand_extraction, n, picks), index, base)
                changed = len(index.changed)
                save_index(st_part, index)  # only the changed nodes
                save_index(st_whole, index)  # another cache: every node
                assert written[1:] == [(changed, False), (len(index), True)]
                assert _tables(part) == _tables(whole)
                again = [load_index(st_part), load_index(st_whole)]
                probe = _invented(hand_extraction, 99, [i for picks in articles for i in picks][:5])
                iris = [[r.iri for r in resolve_extraction(probe, ix, base).entities] for ix in again]
                assert iris[0] == iris[1]
            finally:
                st_part.close()
                st_whole.close()
    finally:
        entity_cache._write_nodes = write_nodes


def test_entity_cache_an_older_version_or_another_save_gets_a_whole_save(seeded, tmp_path: Path) -> None:
    location = tmp_path / "store"
    shutil.copytree(seeded[0], location)
    st = open_store(str(location))
    try:
        index, other = load_index(st), load_index(st)
        assert index.saved_as == other.saved_as is not None
        save_index(st, other)  # a save since ``index`` was read: the cache is no longer the one it read
        saved = _tables(location)
        written = []
        write_nodes = entity_cache._write_nodes
        entity_cache._write_nodes = lambda db, nodes, whole=False: written.append(whole) or write_nodes(db, nodes,
                                                                                                        whole=whole)
        try:
            save_index(st, index)
            assert written == [True] and _tables(location) == saved
            with closing(sqlite3.connect(location / "reformkg-index.sqlite")) as db, db:
                db.execute("UPDATE meta SET v = '2' WHERE k = 'version'")  # as version 2 left it
                db.execute("DROP INDEX keys_by_iri")
            older = load_index(st)  # its nodes are read, but it is no base for a partial save
            assert len(older) == len(index) and older.saved_as is None
            save_index(st, older)
            assert written == [True, True] and _tables(location) == saved
        finally:
            entity_cache._write_nodes = write_nodes
        with closing(sqlite3.connect(location / "reformkg-index.sqlite")) as db:
            assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'keys_by_iri'").fetchone() == (1,)
    finally:
        st.close()


def test_entity_cache_a_name_a_changed_node_no_longer_goes_by_loses_its_words(tmp_path: Path) -> None:
    from reformkg.resolve import EntityIndex, KnownEntity

    part, whole = open_store(str(tmp_path / "part")), open_store(str(tmp_path / "whole"))
    try:
        index = EntityIndex()
        index.add(KnownEntity("urn:p:1", "Programme", "KVX", articles={"inv1"}))
        index.add(KnownEntity("urn:p:2", "Programme", "Marlow Fen Bus Strategy", articles={"inv1"}))
        save_index(part, index)
        index = load_index(part)
        assert "kvx" in index.entities["urn:p:1"].name_keys()
        # its long form makes "KVX" a stray acronym: no longer a key of the node
        index.add(KnownEntity("urn:p:1", "Programme", "Kestrel Valley Skills Scheme", articles={"inv2"}))
        assert "kvx" not in index.entities["urn:p:1"].name_keys() and index.changed == {"urn:p:1"}
        save_index(part, index)
        save_index(whole, index)
        assert _tables(tmp_path / "part") == _tables(tmp_path / "whole")
        assert ("kvx", "kvx") not in _tables(tmp_path / "part")["words"]
    finally:
        part.close()
        whole.close()
