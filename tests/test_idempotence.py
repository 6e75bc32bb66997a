"""Idempotence: ingesting the same sources again gives an isomorphic dataset (rdflib's check)."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from reformkg.cli import app
from reformkg.store import EmbeddedStore

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def _dataset(store: Path) -> Dataset:
    with EmbeddedStore(store, read_only=True) as st:
        data = st.dump_nquads()
    ds = Dataset()
    ds.parse(data=data, format="nquads")
    return ds


def _named_graphs(ds: Dataset) -> dict[URIRef, Graph]:
    out = {}
    for g in ds.graphs():
        if isinstance(g.identifier, URIRef) and len(g) and g.identifier != ds.default_graph.identifier:
            copy = Graph()
            for t in g:
                copy.add(t)
            out[g.identifier] = copy
    return out


def _diff(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    lines = sorted(f"- {' '.join(t.n3() for t in tr)}" for tr in only_a)
    lines += sorted(f"+ {' '.join(t.n3() for t in tr)}" for tr in only_b)
    return "\n".join(lines[:40])


def assert_isomorphic_datasets(first: Dataset, second: Dataset) -> None:
    """Fail with the differing triples unless both datasets have isomorphic named graphs."""
    ga, gb = _named_graphs(first), _named_graphs(second)
    assert set(ga) == set(gb), f"graphs only in one: {sorted(set(ga) ^ set(gb))}"
    for name in sorted(ga):
        assert isomorphic(ga[name], gb[name]), f"{name} differs:\n{_diff(ga[name], gb[name])}"


def test_idempotence_same_folder_twice_is_isomorphic(runner, seed_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = _dataset(store)
    assert len(_named_graphs(before)) == 5
    result = runner.invoke(app, ["ingest", str(SOURCES), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    assert_isomorphic_datasets(before, _dataset(store))


def test_idempotence_one_article_again_changes_nothing(runner, seed_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = _dataset(store)
    result = runner.invoke(app, ["ingest", str(SOURCES / "seed-003.txt"), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    assert_isomorphic_datasets(before, _dataset(store))


def test_idempotence_check_sees_a_changed_graph(seed_store: Path) -> None:
    before = _dataset(seed_store)
    after = _dataset(seed_store)
    g = next(iter(_named_graphs(after)))
    after.graph(g).remove((None, None, None))
    try:
        assert_isomorphic_datasets(before, after)
    except AssertionError as exc:
        assert str(g) in str(exc)
    else:
        raise AssertionError("an emptied graph went unnoticed")
