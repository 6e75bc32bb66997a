"""Concurrent use of one embedded store: two ingests, and queries while an ingest runs.

The store admits one writer process: a second ingest stops at once with exit 6 and a message
saying the store is in use (never a silent lost write); readers open beside the writer and see
a consistent snapshot made of whole articles.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

pytestmark = pytest.mark.slow

SOURCES = Path(__file__).resolve().parent.parent / "sources"
TEMPLATE = (
    "{who}, leader of {place} Council, said the £{n}m Towns Fund award would repair the market hall "
    "and reopen the library.\n\nThe Ministry of Housing announced the award on Friday, and {who} said "
    "work would start in {place} in the spring.\n"
)
NAMES = ["Hannah Price", "Kofi Mensah", "Eilidh Ross", "Marek Nowak", "Bethan Rees", "Joe Walsh"]
PLACES = ["Barnsley", "Carlisle", "Hastings", "Grimsby", "Merthyr Tydfil", "Perth", "Ipswich"]


def _write_corpus(folder: Path, start: int, count: int) -> Path:
    folder.mkdir(parents=True)
    for i in range(start, start + count):
        text = TEMPLATE.format(who=NAMES[i % len(NAMES)], place=PLACES[i % len(PLACES)], n=i + 2)
        (folder / f"a{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "reformkg", *args]


def _graph_sizes(store: Path, *, without_links: bool = False) -> Counter[str]:
    # a snapshot taken while the writer compacts can lose a file under the reader ("No such
    # file"): the store is whole, the snapshot is not, so take another (as EmbeddedStore does)
    for attempt in range(5):
        try:
            s = ox.Store.read_only(str(store))
            return Counter(q.graph_name.value for q in s if isinstance(q.graph_name, ox.NamedNode)
                           and not (without_links and _link_part(q)))
        except (OSError, RuntimeError) as exc:
            if "No such file" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _link_part(q: ox.Quad) -> bool:
    # links are a second atomic rewrite of each article once the batch is stored: a reader in
    # between sees the article whole but not yet linked
    subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
    return q.predicate.value.endswith("#linksTo") or "/link/" in subject or "/sentence/" in subject


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(_cmd(*args), stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_stored(proc: subprocess.Popen) -> None:
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("stored "):
            return
    raise AssertionError("the ingest stored nothing")


def test_concurrency_second_ingest_refused_clearly_then_succeeds(tmp_path: Path) -> None:
    first = _write_corpus(tmp_path / "first", 0, 20)
    second = _write_corpus(tmp_path / "second", 100, 5)
    store = tmp_path / "store"
    a = _start(["ingest", str(first), "--store", str(store)])
    try:
        _wait_stored(a)
        # pause the first writer mid-run so that the overlap does not depend on timing
        os.killpg(a.pid, signal.SIGSTOP)
        b = subprocess.run(_cmd("ingest", str(second), "--store", str(store)), capture_output=True,
                           text=True, timeout=120)
    finally:
        os.killpg(a.pid, signal.SIGCONT)
        out, errs = a.communicate(timeout=300)
    assert a.returncode == 0, errs
    assert b.returncode == 6
    assert b.stderr.strip().splitlines()[-1] == (
        f"error: {store}: store is in use by another writer (wait for it to finish, or use another --store)"
    )
    assert len(_graph_sizes(store)) == 20  # the refused run wrote nothing, and lost nothing of the first
    again = subprocess.run(_cmd("ingest", str(second), "--store", str(store), "--quiet"), capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert len(_graph_sizes(store)) == 25


def test_concurrency_queries_during_ingest_see_whole_articles(tmp_path: Path) -> None:
    corpus = _write_corpus(tmp_path / "in", 0, 60)
    ref_store = tmp_path / "ref"
    done = subprocess.run(_cmd("ingest", str(corpus), "--store", str(ref_store), "--quiet"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    reference = _graph_sizes(ref_store, without_links=True)

    store = tmp_path / "store"
    proc = _start(["ingest", str(corpus), "--store", str(store)])
    snapshots: list[Counter[str]] = []
    try:
        _wait_stored(proc)
        os.killpg(proc.pid, signal.SIGSTOP)  # keep the writer mid-run while the CLI starts up
        cli = subprocess.run(_cmd("stats", "--store", str(store), "--format", "json"), capture_output=True,
                             text=True, timeout=120)
        snapshots.append(_graph_sizes(store, without_links=True))
        os.killpg(proc.pid, signal.SIGCONT)
        while proc.poll() is None and len(snapshots) < 200:
            snapshots.append(_graph_sizes(store, without_links=True))  # while the writer runs
            if proc.poll() is None:  # and with it stopped wherever it is: on a loaded machine the
                os.killpg(proc.pid, signal.SIGSTOP)  # writer can finish before the reader runs again
                try:
                    snapshots.append(_graph_sizes(store, without_links=True))
                finally:
                    os.killpg(proc.pid, signal.SIGCONT)
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGCONT)
            proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert cli.returncode == 0, cli.stderr
    assert 1 <= json.loads(cli.stdout)["articles"] < 60
    assert len(snapshots) >= 3
    counts = [len(s) for s in snapshots]
    assert counts == sorted(counts)  # a later reader never sees fewer articles
    for snap in snapshots:
        for graph, n in snap.items():
            assert n == reference[graph], f"a reader saw {graph} with {n} of {reference[graph]} triples"
    assert _graph_sizes(store) == _graph_sizes(ref_store)


def test_concurrency_store_held_by_a_reader_still_takes_an_ingest(tmp_path: Path) -> None:
    # a long-lived reader (``serve``, a notebook) opens read-only: it must not block writers
    corpus = _write_corpus(tmp_path / "in", 0, 3)
    store = tmp_path / "store"
    subprocess.run(_cmd("ingest", str(SOURCES), "--store", str(store), "--quiet"), check=True, timeout=300)
    reader = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pyoxigraph as ox; s = ox.Store.read_only(sys.argv[1]); print('open', flush=True); "
        "time.sleep(60)"), str(store)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        done = subprocess.run(_cmd("ingest", str(corpus), "--store", str(store), "--quiet"),
                              capture_output=True, text=True, timeout=300)
    finally:
        os.killpg(reader.pid, signal.SIGKILL)
        reader.wait()
    assert done.returncode == 0, done.stderr
    assert len(_graph_sizes(store)) == 8
