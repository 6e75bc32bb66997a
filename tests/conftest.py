"""Shared fixtures (the only conftest): the founding corpus, a store built from it once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from reformkg.cli import app
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
SHARED_EVAL = ROOT.parent / "shared" / "eval"

settings.register_profile(
    "ci", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The founding corpus folder (five articles and their manifest)."""
    return SOURCES


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    """A Typer CLI runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once by running ``reformkg ingest sources/`` through the CLI."""
    store = tmp_path_factory.mktemp("seed") / "store"
    result = CliRunner().invoke(app, ["ingest", str(SOURCES), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    return store


# Hand-written articles for the view tests (explore, render, browser): relations, posts, IDs,
# amounts and dates the founding corpus may lack, plus hostile text in names, evidence and titles.
HOSTILE_NAME = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'
HOSTILE_ALIAS = "</script><script>window.__pwned=3</script> & \u2028javascript:window.__pwned=4"
HOSTILE_TITLE = '"><img src=x onerror=window.__pwned=5> Care & <b>Support</b>'
CRAFTED = [  # id, title, date, url, text, entities (id, type, name, aliases, roles, amount, ids), relations
    ("craft-a", "Minister unveils Care Futures Fund", "2024-03-01", "https://example.org/care-futures",
     ("Health Secretary Ann Example announced the Care Futures Fund on Monday. The £40m Care Futures Fund will "
      "be allocated to Northshire. Officials said the fund builds on the Better Homes Programme."),
     [("p1", "Person", "Ann Example", (), ("Health Secretary",), None, (("wikidata", "Q99999001"),)),
      ("f1", "Fund", "Care Futures Fund", (), (), 40_000_000.0, ()),
      ("r1", "Region", "Northshire", (), (), None, (("gss", "E10000099"),)),
      ("g1", "Programme", "Better Homes Programme", (), (), None, ())],
     [("p1", "announced", "f1", 0), ("f1", "allocated_to", "r1", 1), ("f1", "builds_on", "g1", 2)]),
    ("craft-b", "Council backs homes plan", "2023-06-15", None,
     "Northshire Council leads the Better Homes Programme. Its leader, Bo Sample, commented on the plan.",
     [("o1", "Organisation", "Northshire Council", (), (), None, ()),
      ("g1", "Programme", "Better Homes Programme", (), (), None, ()),
      ("p2", "Person", "Bo Sample", (), ("Leader of Northshire Council",), None, ())],
     [("o1", "leads", "g1", 0), ("p2", "commented_on", "g1", 1), ("p2", "member_of", "o1", 1)]),
    ("craft-c", HOSTILE_TITLE, None, "javascript:window.__pwned=6",
     (f"The group {HOSTILE_NAME} funds Northshire. Farland was not part of it. "
      f"Critics said {HOSTILE_NAME} covers Northshire & more </script>."),
     [("o2", "Organisation", HOSTILE_NAME, (HOSTILE_ALIAS,), (), None, ()),
      ("r1", "Region", "Northshire", (), (), None, (("gss", "E10000099"),)),
      ("r2", "Region", "Farland", (), (), None, ())],
     [("o2", "funds", "r1", 0), ("o2", "covers", "r1", 2)]),
]


@pytest.fixture(scope="session")
def crafted_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of three hand-written articles (``CRAFTED``), one with hostile text everywhere."""
    import re

    from reformkg.model import (
        Article,
        Entity,
        Evidence,
        Extraction,
        Identifier,
        Relation,
        ResolvedArticle,
        ResolvedEntity,
        Span,
    )
    from reformkg.rdfgraph import build_article_graph, graph_iri, to_ntriples
    from reformkg.resolve import mint_iri
    from reformkg.store import EmbeddedStore

    base = "https://w3id.org/reformkg/id/"
    path = tmp_path_factory.mktemp("crafted") / "store"
    with EmbeddedStore(path) as store:
        for aid, title, published, url, text, ents, rels in CRAFTED:
            sentences = list(re.finditer(r"\S.*?\.(?=\s|$)", text))
            resolved, entities = [], []
            for eid, type_, name, aliases, roles, amount, ids in ents:
                at = text.index(name)
                e = Entity(eid, type_, name, aliases, roles, amount, (Span(at, at + len(name), name),))
                entities.append(e)
                resolved.append(ResolvedEntity(e, mint_iri(base, type_, name), name,
                                               tuple(Identifier(s, v) for s, v in ids)))
            relations = []
            for s, pred, o, k in rels:
                m = sentences[k]
                start = m.start() + len(m.group()) - len(m.group().lstrip())
                relations.append(Relation(s, pred, o, Evidence(aid, text[start:m.end()], start, m.end())))
            article = Article(aid, text, f"{aid}.txt", title, url, published)
            g = build_article_graph(ResolvedArticle(Extraction(article, tuple(entities), tuple(relations)),
                                                    tuple(resolved)), base)
            store.replace_graph(str(graph_iri(base, aid)), to_ntriples(g))
    return path


class _Recorder:
    """What a ``url_listener`` saw: the first line of every request made to it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.requests: list[str] = []


@pytest.fixture
def url_listener():
    """A listener on 127.0.0.1 that records every request and answers 500: a URL nothing may fetch."""
    import socketserver
    import threading

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline(4096).decode("latin-1").strip()
            recorder.requests.append(line or "(connection)")
            self.wfile.write(b"HTTP/1.1 500 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder = _Recorder(f"http://127.0.0.1:{server.server_address[1]}/sparql")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def hand_extraction():
    """A maker of Extractions from text written in a test: each entity's mentions are found in the text.

    ``hand_extraction("a1", text, [("Person", "Jeremy Hunt", ["Mr Hunt"], None, ["Chancellor"])],
    published="2024-01-10")``; no spaCy model involved, so resolution and linking are tested alone.
    """
    import re as _re

    from reformkg.model import Article, Entity, Extraction, Span

    def make(article_id, text, entities, published=None):
        built = []
        for i, (type_, name, aliases, amount, roles) in enumerate(entities, 1):
            spans = [Span(m.start(), m.end(), m.group(0)) for n in (name, *aliases)
                     for m in _re.finditer(_re.escape(n), text)]
            built.append(Entity(f"e{i}", type_, name, tuple(aliases), tuple(roles), amount,
                                tuple(sorted(set(spans), key=lambda s: s.start))))
        return Extraction(Article(article_id, text, source=f"{article_id}.txt", published=published), tuple(built))

    return make



@pytest.fixture(scope="session")
def hand_index(hand_extraction):
    """A maker of entity indexes: ``hand_index(articles, base)`` resolves each ``hand_extraction``
    argument tuple in ``articles``, in order, into a fresh ``EntityIndex``."""
    from reformkg.resolve import EntityIndex, resolve_extraction

    def make(articles, base):
        index = EntityIndex()
        for art in articles:
            resolve_extraction(hand_extraction(*art), index, base)
        return index

    return make

CHROMIUM = Path("/usr/bin/chromium")
# the flags a closed network needs: no background fetches, no first-run or sync traffic
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download), for one test module.

    Module scope, not session: Playwright's sync API keeps an event loop running in this thread
    while it is open, and later in-process server tests start loops of their own.
    """
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/install-test-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
