"""Sources -> Articles: plain text, HTML, folders and JSONL manifests, with boilerplate removed.

Input: paths to ``.txt``/``.html`` files, folders of them, or ``.jsonl`` manifests.
Output: ``Article`` objects (or a ``SourceError`` per failed source, so a batch goes on).

Plain text is cleaned by *masking*: boilerplate lines are replaced by spaces of the same
length, so offsets into ``Article.text`` are offsets into the file's own text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from .errors import SourceError
from .model import Article
from .textclean import clean_plain_text, find_date_in_text

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
MANIFEST_SUFFIXES = {".jsonl", ".ndjson"}
MANIFEST_NAME = "manifest.jsonl"


def article_id_for(text: str, url: str | None = None) -> str:
    """Give the stable id of an article: from its URL when known, else from its text."""
    key = url.strip() if url else text.strip()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def decode_bytes(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """Give the text of a file's bytes and notes on how it was decoded.

    UTF-8 first; cp1252 (a superset of latin-1's printable range) as the fallback.
    """
    if b"\x00" in data[:4096]:
        raise SourceError(f"{name}: binary file (NUL bytes), not an article")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ("decoded as cp1252",)
    except UnicodeDecodeError:
        return data.decode("latin-1"), ("decoded as latin-1",)


def _read(path: Path) -> tuple[str, tuple[str, ...]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return decode_bytes(data, str(path))


def article_from_text(
    raw: str,
    source: str = "",
    *,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    publisher: str | None = None,
    notes: tuple[str, ...] = (),
) -> Article:
    """Give an Article from plain text: boilerplate masked, date found in the text if not given."""
    text = clean_plain_text(raw)
    if not text.strip():
        raise SourceError(f"{source or 'text'}: no article text (empty after removing boilerplate)")
    return Article(
        id=article_id_for(raw, url),
        text=text,
        source=source,
        title=title or None,
        url=url or None,
        published=published or find_date_in_text(raw),
        publisher=publisher or None,
        notes=notes,
    )


def article_from_html(html: str, source: str = "", *, url: str | None = None, **meta: str | None) -> Article:
    """Give an Article from an HTML page: main text and metadata by trafilatura, comments dropped."""
    import trafilatura  # heavy import, only for HTML

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, favor_precision=True
    )
    body = getattr(doc, "text", None) if doc is not None else None
    if not body:
        raise SourceError(f"{source or 'html'}: no article body found (is it an index page?)")
    published = meta.get("published") or getattr(doc, "date", None)
    if not published:
        from htmldate import find_date

        published = find_date(html, extensive_search=False)
    return article_from_text(
        body,
        source,
        title=meta.get("title") or getattr(doc, "title", None),
        url=url or getattr(doc, "url", None),
        published=published,
        publisher=meta.get("publisher") or getattr(doc, "sitename", None),
        notes=tuple(meta.get("notes") or ()),
    )


def read_article(path: Path, **meta: str | None) -> Article:
    """Give the Article in one ``.txt`` or ``.html`` file, with metadata given by a manifest."""
    text, notes = _read(path)
    if path.suffix.lower() in HTML_SUFFIXES or re.match(r"\s*<(!doctype html|html)", text[:200], re.I):
        return article_from_html(text, str(path), notes=notes, **meta)  # type: ignore[arg-type]
    return article_from_text(text, str(path), notes=notes, **meta)  # type: ignore[arg-type]


def _manifest_records(path: Path) -> Iterator[Article | SourceError]:
    text, _ = _read(path)
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            yield SourceError(f"{where}: malformed manifest line ({exc})")
            continue
        meta = {k: (str(rec[k]) if rec.get(k) else None) for k in ("title", "url", "published", "publisher")}
        try:
            if rec.get("text"):
                yield article_from_text(str(rec["text"]), where, **meta)  # type: ignore[arg-type]
            elif rec.get("path") or rec.get("file"):
                target = path.parent / str(rec.get("path") or rec.get("file"))
                if not target.is_file():
                    raise SourceError(f"{where}: {target} does not exist")
                yield read_article(target, **meta)
            else:
                raise SourceError(f"{where}: record has neither 'text' nor 'path'")
        except SourceError as exc:
            yield exc


def ingest_path(path: Path | str) -> Iterator[Article | SourceError]:
    """Yield each Article found at a path (file, folder or manifest), or the error for a bad source.

    A folder with a ``manifest.jsonl`` is read through it (so its files get their metadata);
    otherwise every text, HTML or manifest file under it is read, in sorted order.
    """
    path = Path(path)
    if path.is_dir():
        manifest = path / MANIFEST_NAME
        if manifest.is_file():
            yield from _manifest_records(manifest)
            return
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | MANIFEST_SUFFIXES:
                yield from ingest_path(child)
        return
    if not path.exists():
        yield SourceError(f"{path}: no such file or directory")
        return
    if path.suffix.lower() in MANIFEST_SUFFIXES:
        yield from _manifest_records(path)
        return
    try:
        yield read_article(path)
    except SourceError as exc:
        yield exc
