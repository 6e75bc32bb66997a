"""Ingest stage: files, folders and manifests -> Articles, or one SourceError per bad source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reformkg.errors import SourceError
from reformkg.ingest import (
    MAX_ARTICLE_CHARS,
    article_from_text,
    article_id_for,
    decode_bytes,
    ingest_path,
    read_article,
)
from reformkg.model import Article

SOURCES = Path(__file__).resolve().parent.parent / "sources"

BODY = "Councillor Priya Shah said the £3.5m Market Towns Fund would reach Kettering by June 2025.\n"


def _split(items: list) -> tuple[list[Article], list[SourceError]]:
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, SourceError)]


def test_ingest_founding_folder_reads_manifest_metadata() -> None:
    articles, errors = _split(list(ingest_path(SOURCES)))
    assert not errors
    assert len(articles) == 5
    by_source = {Path(a.source).name: a for a in articles}
    assert by_source["seed-002.txt"].publisher == "Norfolk County Council"
    assert by_source["seed-001.txt"].title.startswith("BREAKING NEWS: Jeremy Hunt")
    raw = (SOURCES / "seed-003.txt").read_text(encoding="utf-8")
    # masking keeps offsets: the cleaned text is as long as the file's own
    assert len(by_source["seed-003.txt"].text) == len(raw)


def test_ingest_article_id_is_stable_and_url_first() -> None:
    assert article_id_for(BODY) == article_id_for("  " + BODY + " ")
    assert article_id_for(BODY, "https://example.org/a") == article_id_for("other", "https://example.org/a")
    assert article_id_for(BODY) != article_id_for(BODY + "x")


@pytest.mark.parametrize(
    ("encoding", "note"), [("utf-8", ()), ("cp1252", ("not UTF-8: decoded as cp1252",))]
)
def test_ingest_decode_bytes_cp1252_and_utf8(encoding: str, note: tuple[str, ...]) -> None:
    text = "café – “quoted” £5m"
    assert decode_bytes(text.encode(encoding), "x") == (text, note)


def test_ingest_decode_bytes_latin1_fallback_for_cp1252_holes() -> None:
    # 0x81 is undefined in cp1252: only latin-1 decodes it
    data = "Zoë Ní Bhriain".encode("latin-1") + b"\x81 paid \xa35m"
    text, notes = decode_bytes(data, "x")
    assert notes == ("not UTF-8: decoded as latin-1",)
    assert text.startswith("Zoë Ní Bhriain") and text.endswith("paid £5m")


def test_ingest_decode_bytes_utf8_bom_dropped() -> None:
    assert decode_bytes(b"\xef\xbb\xbfHello", "x") == ("Hello", ())


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n....", b"PK\x03\x04 docx", b"abc\x00def", bytes(range(1, 9)) * 20])
def test_ingest_decode_bytes_refuses_binary(data: bytes) -> None:
    with pytest.raises(SourceError, match=r"^f\.txt: binary file \("):
        decode_bytes(data, "f.txt")


@given(st.binary(max_size=2000))
def test_ingest_decode_bytes_any_bytes_give_text_or_source_error(data: bytes) -> None:
    try:
        text, notes = decode_bytes(data, "f")
    except SourceError as exc:
        assert str(exc).startswith("f: binary file")
    else:
        assert isinstance(text, str) and len(notes) <= 1


def test_ingest_text_too_long_is_refused() -> None:
    with pytest.raises(SourceError, match=r"^big\.txt: article too long \(200,001 characters"):
        article_from_text("a" * (MAX_ARTICLE_CHARS + 1), "big.txt")


def test_ingest_missing_path_is_an_error_item(tmp_path: Path) -> None:
    items = list(ingest_path(tmp_path / "nope.txt"))
    assert [str(e) for e in items] == [f"{tmp_path / 'nope.txt'}: no such file or directory"]


def test_ingest_folder_of_thousands_of_files_streams_in_order(tmp_path: Path) -> None:
    for i in range(3000):
        sub = tmp_path / f"batch-{i // 1000}"
        sub.mkdir(exist_ok=True)
        (sub / f"a{i:05d}.txt").write_text(f"Item {i}. " + BODY, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(BODY)
    (tmp_path / "._a00001.txt").write_bytes(b"\x00\x05\x16\x07 resource fork")
    (tmp_path / "notes.csv").write_text("not,an,article\n")
    items = ingest_path(tmp_path)
    first = next(items)  # a generator: the first article comes before the folder is read through
    assert isinstance(first, Article) and first.text.startswith("Item 0. ")
    rest = list(items)
    articles, errors = _split([first, *rest])
    assert not errors
    assert [a.text.split(".")[0] for a in articles] == [f"Item {i}" for i in range(3000)]
    assert len({a.id for a in articles}) == 3000


def test_ingest_manifest_streams_records_and_resolves_paths(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "one.txt").write_text(BODY, encoding="utf-8")
    manifest = tmp_path / "m.jsonl"
    recs = [{"path": "docs/one.txt", "url": "https://example.org/one", "published": "2025-01-02"},
            {"text": BODY.replace("Priya", "Ravi"), "title": "Ravi"}, {"text": ""}]
    manifest.write_bytes(b"\n".join(json.dumps(r).encode() for r in recs) + b"\n\n"
                         + json.dumps({"text": "At the café, " + BODY}, ensure_ascii=False).encode("cp1252"))
    articles, errors = _split(list(ingest_path(manifest)))
    assert [a.url for a in articles] == ["https://example.org/one", None, None]
    assert articles[0].published == "2025-01-02" and articles[1].title == "Ravi"
    assert articles[2].text.startswith("At the café, Councillor Priya Shah")
    assert [str(e) for e in errors] == [f"{manifest}:3: record has neither 'text' nor 'path'"]


def test_ingest_html_read_through_trafilatura(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(f"<html><body><nav>Home | News</nav><article><p>{BODY}</p></article>"
                    "<footer>Copyright 2025</footer></body></html>", encoding="utf-8")
    article = read_article(page)
    assert "Market Towns Fund" in article.text and "Copyright" not in article.text
