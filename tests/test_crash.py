"""Crash safety: a ``reformkg ingest`` killed with SIGKILL leaves a store that opens, holds whole
articles only, and a re-run completes the rest.

Articles are written in batches (1, 2, 4, 8, ... articles), each one atomic write, so every named
graph in the store after a kill must have exactly the triples that a clean, uninterrupted ingest of
the same folder gives it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from reformkg.store import EmbeddedStore

pytestmark = pytest.mark.slow

SOURCES = Path(__file__).resolve().parent.parent / "sources"
PEOPLE = ["Amira Haddad", "Tom Pryce", "Gwen Lloyd", "Callum Fraser", "Nadia Khan", "Owen Davies",
          "Ruth Okonjo", "Iain Mackay", "Sophie Turner", "Dev Patel", "Megan Hughes", "Liam Doyle"]
PLACES = ["Wrexham", "Stockport", "Cumbria", "Fife", "Plymouth", "Lincolnshire", "Swindon", "Dundee"]
FUNDS = ["Town Centre Recovery Fund", "Rural Bus Grant", "Coastal Resilience Fund", "Skills Bootcamp Fund"]


def _article(i: int) -> str:
    who, other = PEOPLE[i % len(PEOPLE)], PEOPLE[(i * 5 + 3) % len(PEOPLE)]
    place, fund = PLACES[i % len(PLACES)], FUNDS[i % len(FUNDS)]
    return (
        f"{place} to receive £{3 + i}m from the {fund}\n\n"
        f"{who}, leader of {place} Council, said on Monday that the £{3 + i}m {fund} allocation would "
        f"pay for new bus routes and repairs to the high street over the next {2 + i % 3} years.\n\n"
        f"The Department for Transport announced the {fund} in March. {other}, the MP for {place}, "
        f"welcomed the money but said the council had asked for £{10 + i}m.\n\n"
        f"{who} added that the council would publish its plan for the money by the end of the year.\n"
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five founding articles followed by 25 articles written from a template."""
    folder = tmp_path_factory.mktemp("crash") / "in"
    folder.mkdir()
    for p in sorted(SOURCES.glob("seed-*.txt")):
        shutil.copy(p, folder / p.name)
    for i in range(25):
        (folder / f"z{i:03d}.txt").write_text(_article(i), encoding="utf-8")
    return folder


def _ingest_cmd(folder: Path, store: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "reformkg", "ingest", str(folder), "--store", str(store), *extra]


def _graph_sizes(store: Path, *, without_links: bool = False) -> Counter[str]:
    """Give the triple count of each article graph (optionally leaving out the links part)."""
    s = ox.Store.read_only(str(store))
    return Counter(q.graph_name.value for q in s if isinstance(q.graph_name, ox.NamedNode)
                   and not (without_links and _link_part(q)))


def _link_part(q: ox.Quad) -> bool:
    # links are written in a second atomic rewrite once the batch is stored, so a kill may
    # leave an article whole but not yet linked: its link nodes and their evidence sentences
    subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
    return q.predicate.value.endswith("#linksTo") or "/link/" in subject or "/sentence/" in subject


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Counter[str], Counter[str]]:
    """The triple count of every article graph after a clean ingest: whole, and without its links."""
    store = tmp_path_factory.mktemp("ref") / "store"
    done = subprocess.run(_ingest_cmd(corpus, store, "--quiet"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    sizes = _graph_sizes(store)
    assert len(sizes) == 30
    return sizes, _graph_sizes(store, without_links=True)


def _kill_after(cmd: list[str], stored_lines: int, delay: float) -> int:
    """Run the command, SIGKILL its process group ``delay`` s after the Nth 'stored' line; give lines seen."""
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = 0
    assert proc.stderr is not None
    if stored_lines == 0:
        time.sleep(delay)
    else:
        for line in proc.stderr:
            seen += line.startswith("stored ")
            if seen >= stored_lines:
                time.sleep(delay)
                break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    return seen


# (stored lines to wait for, then seconds before the kill): during start-up, between two
# writes, and at delays that land inside extraction or a write. The first pass's batches end at
# lines 1, 3, 7, 15 and 30, so a kill after line 12 still lands before its last batch.
KILL_POINTS = [(0, 1.0), (1, 0.0), (3, 0.013), (8, 0.004), (12, 0.001)]


@pytest.mark.parametrize(("after", "delay"), KILL_POINTS)
def test_crash_sigkill_leaves_whole_articles_and_rerun_completes(
    corpus: Path, reference: tuple[Counter[str], Counter[str]], tmp_path: Path, after: int, delay: float
) -> None:
    reference_whole, reference_unlinked = reference
    store = tmp_path / "store"
    extra = ("-j", "2") if after == 8 else ()
    seen = _kill_after(_ingest_cmd(corpus, store, *extra), after, delay)
    assert seen == after
    with EmbeddedStore(store):  # opens read-write: no stale lock, no corruption
        pass
    sizes = _graph_sizes(store, without_links=True)
    assert after <= len(sizes) < 30
    for graph, n in sizes.items():
        assert n == reference_unlinked[graph], f"{graph}: {n} triples after the kill, {reference_unlinked[graph]} clean"

    rerun = subprocess.run(_ingest_cmd(corpus, store, "--quiet"), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert _graph_sizes(store) == reference_whole
