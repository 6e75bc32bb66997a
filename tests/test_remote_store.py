"""A real Oxigraph server as the store: the same commands give the same results as the embedded store.

The server is the ``oxigraph`` binary from PyPI, started on a free 127.0.0.1 port with
``--union-default-graph`` (queries see the union of the article graphs, as the embedded store does).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from reformkg.cli import app
from reformkg.errors import StoreError
from reformkg.query import list_saved_queries
from reformkg.remote import RemoteStore, endpoints
from reformkg.render import build_network
from reformkg.store import EmbeddedStore, open_store

pytestmark = [pytest.mark.server, pytest.mark.slow]

SOURCES = Path(__file__).resolve().parent.parent / "sources"
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def oxigraph_server(location: Path) -> Iterator[str]:
    """Give the base URL of an Oxigraph server on a free loopback port, stopped on exit."""
    if OXIGRAPH is None:
        pytest.fail("the oxigraph server binary is missing: pip install oxigraph")
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            pytest.fail(f"oxigraph server did not start: {proc.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a fresh Oxigraph server for this module's comparisons."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="module")
def remote(server_url: str, runner) -> str:
    """The server after ``reformkg ingest sources/`` through ``REFORMKG_STORE``."""
    result = runner.invoke(app, ["ingest", str(SOURCES), "--quiet"], env={"REFORMKG_STORE": server_url})
    assert result.exit_code == 0, result.output
    return server_url


def _json(runner, *args: str) -> object:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return _canonical(json.loads(result.stdout))


def _canonical(value: object) -> object:
    # SPARQL without ORDER BY fixes no row order: compare lists as sorted lists
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _named_graphs(data: bytes) -> dict[str, Graph]:
    ds = Dataset()
    ds.parse(data=data, format="nquads")
    out = {}
    for g in ds.graphs():
        if len(g) and str(g.identifier).startswith("http"):
            copy = Graph()
            for t in g:
                copy.add(t)
            out[str(g.identifier)] = copy
    return out


def test_remote_store_ingest_gives_the_embedded_dataset(remote: str, seed_store: Path) -> None:
    with RemoteStore(remote) as r, EmbeddedStore(seed_store, read_only=True) as e:
        assert r.graphs() == e.graphs()
        got, want = _named_graphs(r.dump_nquads()), _named_graphs(e.dump_nquads())
    assert set(got) == set(want) and len(want) == 5
    for name in want:
        assert isomorphic(got[name], want[name]), name


def test_remote_store_one_update_request_per_batch(server_url: str, tmp_path: Path, monkeypatch) -> None:
    sent: list[str] = []
    real = RemoteStore.update

    def counting(self: RemoteStore, sparql: str) -> None:
        sent.append(sparql)
        real(self, sparql)

    monkeypatch.setattr(RemoteStore, "update", counting)
    from reformkg.config import Settings
    from reformkg.pipeline import ingest_sources

    report = ingest_sources([SOURCES / "seed-002.txt", SOURCES / "seed-004.txt"], Settings(store=server_url))
    assert len(report.stored) == 2 and not report.failures
    assert len(sent) == 2  # the first batch is one article; the second article is written as the run ends
    assert all(s.startswith("DROP SILENT GRAPH <") and "INSERT DATA" in s for s in sent)


@pytest.mark.parametrize("command", [["stats"], ["query", "--list"], ["conflicts"]])
def test_remote_store_commands_match_embedded(runner, remote: str, seed_store: Path, command: list[str]) -> None:
    assert _json(runner, *command, "--store", remote) == _json(runner, *command, "--store", str(seed_store))


def test_remote_store_saved_queries_match_embedded(runner, remote: str, seed_store: Path) -> None:
    for q in list_saved_queries():
        got = _json(runner, "query", q.name, "--store", remote)
        want = _json(runner, "query", q.name, "--store", str(seed_store))
        assert got == want, q.name
        assert want["results"]["bindings"], f"{q.name} returned no rows on the founding corpus"


def _names(seed_store: Path) -> list[str]:
    with EmbeddedStore(seed_store, read_only=True) as e:
        res = e.query("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rkg: "
                      "<https://w3id.org/reformkg/ontology#> SELECT DISTINCT ?l WHERE { "
                      "VALUES ?t { rkg:Person rkg:Fund rkg:Region } ?e a ?t ; skos:prefLabel ?l } ORDER BY ?l")
    return [r["l"] for r in res.values()]


def test_remote_store_show_path_timeline_link_match_embedded(runner, remote: str, seed_store: Path) -> None:
    names = _names(seed_store)
    assert len(names) >= 3
    for name in names[:4]:
        assert _json(runner, "show", name, "--store", remote) == _json(runner, "show", name, "--store", str(seed_store))
    for cmd in (["path", names[0], names[-1]], ["timeline"]):
        assert _json(runner, *cmd, "--store", remote) == _json(runner, *cmd, "--store", str(seed_store))
    article = str(SOURCES / "seed-001.txt")
    assert _json(runner, "link", article, "--store", remote) == _json(runner, "link", article, "--store", str(seed_store))


def test_remote_store_render_network_matches_embedded(remote: str, seed_store: Path) -> None:
    with open_store(remote) as r, EmbeddedStore(seed_store, read_only=True) as e:
        got, want = build_network(r), build_network(e)
    assert sorted(got.nodes(data=True)) == sorted(want.nodes(data=True))
    assert sorted(map(repr, got.edges(data=True))) == sorted(map(repr, want.edges(data=True)))


def test_remote_store_unreachable_server_is_a_store_error(runner) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    result = runner.invoke(app, ["stats", "--store", url])
    assert result.exit_code == StoreError.exit_code
    assert result.stderr.startswith(f"error: {url}/query: SPARQL server unreachable")


def test_remote_store_dump_falls_back_to_sparql(remote: str, seed_store: Path) -> None:
    # servers without a whole-dataset GET on the graph store protocol get a SPARQL dump instead
    with RemoteStore(remote + "/query") as r:
        r.store_url = remote + "/no-such-endpoint"
        got = _named_graphs(r.dump_nquads())
    with EmbeddedStore(seed_store, read_only=True) as e:
        want = _named_graphs(e.dump_nquads())
    assert set(got) == set(want) and all(isomorphic(got[n], want[n]) for n in want)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://h:7878", ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
    ("http://h/ds/query/", ("http://h/ds/query", "http://h/ds/update", "http://h/ds/store")),
    ("https://h:8890/sparql", ("https://h:8890/sparql", "https://h:8890/sparql", "https://h:8890/store")),
    ("http://h:7200/repositories/kg", ("http://h:7200/repositories/kg", "http://h:7200/repositories/kg/statements",
                                       "http://h:7200/repositories/kg/rdf-graphs/service")),
])
def test_remote_store_endpoint_layouts(url: str, expected: tuple[str, str, str]) -> None:
    assert endpoints(url) == expected


def test_remote_store_two_ingests_at_once_lose_nothing(tmp_path: Path) -> None:
    # the server serialises the two writers' transactions: both runs succeed, every article is whole
    halves = [tmp_path / "a", tmp_path / "b"]
    for i, half in enumerate(halves):
        half.mkdir()
        for j in range(6):
            (half / f"t{j}.txt").write_text(
                f"Councillor Rhian {'Evans' if i else 'Jones'} said the £{j + 2 + 10 * i}m Valleys Bus Fund "
                f"would add routes in Caerphilly and Blaenau Gwent from {2026 + j}.\n", encoding="utf-8")
    with oxigraph_server(tmp_path / "oxigraph") as url:
        procs = [subprocess.Popen([sys.executable, "-m", "reformkg", "ingest", str(h), "--store", url, "--quiet"],
                                  stderr=subprocess.PIPE, text=True) for h in halves]
        for p in procs:
            _, errs = p.communicate(timeout=300)
            assert p.returncode == 0, errs
        with RemoteStore(url) as r:
            res = r.query("SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/reformkg/ontology#Article> ; "
                          "<https://w3id.org/reformkg/ontology#text> ?t . FILTER(CONTAINS(?t, 'Valleys Bus Fund')) }")
            graphs = r.graphs()
    assert int(res.values()[0]["n"]) == 12 and len(graphs) == 12


def test_remote_store_a_batch_is_one_request_with_the_embedded_result(server_url: str, tmp_path: Path,
                                                                        monkeypatch) -> None:
    from reformkg.store import GraphWrite

    def triple(i: int) -> str:
        return f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .\n'

    writes = [GraphWrite(f"http://example.org/batch/{i}", triple(i)) for i in range(5)]
    writes += [GraphWrite("http://example.org/batch/0", triple(50)),  # replaces the first
               GraphWrite("http://example.org/batch/1", triple(60), replace=False)]  # adds to the second
    sent: list[str] = []
    real = RemoteStore.update
    monkeypatch.setattr(RemoteStore, "update", lambda self, sparql: (sent.append(sparql), real(self, sparql)))
    query = "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'http://example.org/batch/')) }"
    results = []
    for store in (RemoteStore(server_url), EmbeddedStore(tmp_path / "embedded")):
        with store:
            store.write_graphs(writes)
            results.append({(r["g"], r["o"]) for r in store.query(query).values()})
    assert len(sent) == 1
    assert results[0] == results[1] and len(results[0]) == 6
