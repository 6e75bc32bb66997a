"""Sources -> Articles: plain text, HTML, folders and JSONL manifests, with boilerplate removed.

Input: paths to ``.txt``/``.html`` files, folders of them, or ``.jsonl`` manifests.
Output: ``Article`` objects (or a ``SourceError`` per failed source, so a batch goes on).

Plain text is cleaned by *masking*: boilerplate lines are replaced by spaces of the same
length, so offsets into ``Article.text`` are offsets into the file's own text.
"""

from __future__ import annotations

import hashlib
import json
import os
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
_META_KEYS = ("title", "url", "published", "publisher")
# A news page, scripts and all, is well under 10 MB; a bigger file is a dump, not an article.
MAX_SOURCE_BYTES = 10_000_000
# About 35,000 words: longer than any news feature, and spaCy's parser memory grows with length.
MAX_ARTICLE_CHARS = 200_000
# Leading bytes of common binary formats that are sometimes saved with a text suffix.
_MAGIC = {b"%PDF": "PDF", b"PK\x03\x04": "zip/Office", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG",
          b"GIF8": "GIF", b"\x1f\x8b": "gzip", b"\xd0\xcf\x11\xe0": "MS Office"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def article_id_for(text: str, url: str | None = None) -> str:
    """Give the stable id of an article: from its URL when known, else from its text."""
    key = url.strip() if url else text.strip()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def decode_bytes(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """Give the text of a file's bytes and notes on how it was decoded.

    UTF-8 first; cp1252 (a superset of latin-1's printable range) as the fallback, then
    latin-1 for the five bytes cp1252 leaves undefined. Text that decodes but is mostly
    control characters is binary data with a text suffix.
    """
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise SourceError(f"{name}: binary file ({kind}), not an article")
    if b"\x00" in data[:4096]:
        raise SourceError(f"{name}: binary file (NUL bytes), not an article")
    try:
        text, notes = data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        try:
            text, notes = data.decode("cp1252"), ("not UTF-8: decoded as cp1252",)
        except UnicodeDecodeError:
            text, notes = data.decode("latin-1"), ("not UTF-8: decoded as latin-1",)
    head = text[:4096]
    if head and len(_CONTROL.findall(head)) > 0.05 * len(head):
        raise SourceError(f"{name}: binary file (control characters), not an article")
    return text, notes


def _read(path: Path) -> tuple[str, tuple[str, ...]]:
    try:
        info = path.stat()
        if not path.is_file():
            # a FIFO or device would block or never end
            raise SourceError(f"{path}: not a regular file")
        if info.st_size > MAX_SOURCE_BYTES:
            raise SourceError(f"{path}: file too large ({info.st_size / 1e6:.1f} MB, limit "
                              f"{MAX_SOURCE_BYTES / 1e6:.0f} MB): split it into articles")
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
    if len(raw) > MAX_ARTICLE_CHARS:
        raise SourceError(f"{source or 'text'}: article too long ({len(raw):,} characters, limit "
                          f"{MAX_ARTICLE_CHARS:,}): split it")
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


def _manifest_lines(path: Path) -> Iterator[tuple[int, str | SourceError]]:
    # streamed line by line: a manifest with the text of 100,000 articles is gigabytes
    try:
        with path.open("rb") as fh:
            for lineno, data in enumerate(fh, 1):
                if not data.strip():
                    continue
                try:
                    yield lineno, decode_bytes(data.rstrip(b"\r\n"), f"{path}:{lineno}")[0]
                except SourceError as exc:
                    yield lineno, exc
    except OSError as exc:
        yield 0, SourceError(f"{path}: cannot read ({exc.strerror or exc})")


def _manifest_records(path: Path) -> Iterator[Article | SourceError]:
    for lineno, line in _manifest_lines(path):
        if isinstance(line, SourceError):
            yield line
            continue
        where = f"{path}:{lineno}"
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            yield SourceError(f"{where}: malformed manifest line ({exc})")
            continue
        meta = {k: (str(rec[k]) if rec.get(k) else None) for k in _META_KEYS}
        try:
            if rec.get("text"):
                yield article_from_text(str(rec["text"]), where, **meta)  # type: ignore[arg-type]
            elif rec.get("path") or rec.get("file"):
                target = path.parent / str(rec.get("path") or rec.get("file"))
                if not target.exists():
                    raise SourceError(f"{where}: {target} does not exist")
                yield read_article(target, **meta)
            else:
                raise SourceError(f"{where}: record has neither 'text' nor 'path'")
        except SourceError as exc:
            yield exc


def ingest_path(path: Path | str) -> Iterator[Article | SourceError]:
    """Yield each Article found at a path (file, folder or manifest), or the error for a bad source.

    A folder with a ``manifest.jsonl`` is read through it (so its files get their metadata);
    otherwise every text, HTML or manifest file under it is read, in sorted order. Hidden
    files and folders (``.git``, ``._x.txt`` resource forks) are skipped, and symbolic links
    to folders are not followed (no loops).
    """
    path = Path(path)
    if path.is_dir():
        manifest = path / MANIFEST_NAME
        if manifest.is_file():
            yield from _manifest_records(manifest)
            return
        yield from _folder_sources(path)
        return
    if not path.exists():
        yield SourceError(f"{path}: no such file or directory")
        return
    if path.suffix.lower() in MANIFEST_SUFFIXES:
        if not path.is_file():
            yield SourceError(f"{path}: not a regular file")
            return
        yield from _manifest_records(path)
        return
    try:
        yield read_article(path, **_sibling_manifest_meta(path))
    except SourceError as exc:
        yield exc


def _sibling_manifest_meta(path: Path) -> dict[str, str | None]:
    # a file given alone keeps the metadata its folder's manifest holds for it, so that
    # ingesting it again gives the same graph as ingesting the folder
    manifest = path.parent / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    for _, line in _manifest_lines(manifest):
        try:
            rec = json.loads(line) if isinstance(line, str) else None
        except ValueError:
            continue
        target = rec.get("path") or rec.get("file") if isinstance(rec, dict) else None
        if target and (path.parent / str(target)).resolve() == path.resolve():
            return {k: (str(rec[k]) if rec.get(k) else None) for k in _META_KEYS}
    return {}


def _folder_sources(folder: Path) -> Iterator[Article | SourceError]:
    wanted = TEXT_SUFFIXES | HTML_SUFFIXES | MANIFEST_SUFFIXES
    unreadable: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unreadable.append, followlinks=False):
        while unreadable:
            exc = unreadable.pop(0)
            yield SourceError(f"{exc.filename}: cannot read folder ({exc.strerror or exc})")
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in wanted:
                yield from ingest_path(Path(root) / name)
    for exc in unreadable:
        yield SourceError(f"{exc.filename}: cannot read folder ({exc.strerror or exc})")
