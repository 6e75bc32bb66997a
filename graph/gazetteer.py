"""UK places, councils, public bodies and ministerial posts, looked up by name: CSV data -> ``GazetteerEntry``.

The shipped tables live in ``reformkg/data/gazetteer`` (sources and licences in its README). A user can
extend or refresh the places with ONS "names and codes" CSVs through :func:`import_ons_csv`; those rows
go to a user-level file that :func:`load_gazetteer` reads after the shipped ones.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from .errors import SourceError

__all__ = [
    "KIND_BY_GSS_PREFIX",
    "REGION_COLUMNS",
    "Gazetteer",
    "GazetteerEntry",
    "GazetteerPost",
    "import_ons_csv",
    "load_gazetteer",
    "normalise_name",
    "user_gazetteer_path",
]

_DATA = Path(__file__).resolve().parent / "data" / "gazetteer"

#: The kind of area each GSS code prefix names (ONS Register of Geographic Codes), in rank order.
KIND_BY_GSS_PREFIX: dict[str, str] = {
    "K02": "state",
    "K03": "nation group",
    "K04": "nation group",
    "E92": "nation",
    "W92": "nation",
    "S92": "nation",
    "N92": "nation",
    "E12": "region",
    "E61": "strategic authority",
    "E47": "combined authority",
    "E10": "county",
    "E06": "unitary authority",
    "E08": "metropolitan district",
    "E09": "london borough",
    "E07": "non-metropolitan district",
    "W06": "welsh unitary authority",
    "S12": "scottish council area",
    "N09": "ni district",
}

#: Columns of regions.csv and of the user-level file that :func:`import_ons_csv` writes.
REGION_COLUMNS = [
    "gss_code",
    "name",
    "kind",
    "parent_gss",
    "combined_authority_gss",
    "aliases",
    "wikidata",
    "former_codes",
    "status",
    "successor_gss",
    "source",
]
_KIND_RANK = {kind: rank for rank, kind in enumerate(dict.fromkeys(KIND_BY_GSS_PREFIX.values()))}
_COUNCIL_SUFFIX = re.compile(
    r"^(.+?) (?:(?:county|city|borough|district|metropolitan borough|london borough|unitary) )?council$"
)
_CODE_COLUMN = re.compile(r"^[A-Z]+\d{2}CD$")


@dataclass(frozen=True)
class GazetteerEntry:
    """A known place (``Region``) or body (``Organisation``) with its official identifiers."""

    name: str
    type: Literal["Region", "Organisation"]
    kind: str
    gss_code: str | None
    wikidata: str | None
    aliases: tuple[str, ...] = ()
    parent_gss: str | None = None
    former_codes: tuple[str, ...] = ()
    current: bool = True
    govuk_slug: str | None = None
    source: str = ""


@dataclass(frozen=True)
class GazetteerPost:
    """A ministerial post title, its variants and the GOV.UK organisation it belongs to."""

    title: str
    aliases: tuple[str, ...]
    organisation: str
    organisation_slug: str


def normalise_name(text: str) -> str:
    """Give the lookup key of a name: case, accents, punctuation, "&" and a leading "the" ignored."""
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['\u2019`]", "", text.replace("&", " and "))
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.removeprefix("the ")


def _name_variants(name: str) -> tuple[str, ...]:
    # ONS writes "Bristol, City of"; articles write "Bristol" or "City of Bristol".
    match = re.fullmatch(r"(.+), (City|County) of", name)
    return (match[1], f"{match[2]} of {match[1]}") if match else ()


class Gazetteer:
    """The loaded gazetteer: entries indexed by normalised name and by GSS code, plus ministerial posts."""

    def __init__(self, entries: list[GazetteerEntry], posts: list[GazetteerPost]) -> None:
        def rank(entry: GazetteerEntry) -> tuple[bool, int]:
            return (not entry.current, _KIND_RANK.get(entry.kind, len(_KIND_RANK)))

        self.entries: tuple[GazetteerEntry, ...] = tuple(sorted(entries, key=rank))
        self.posts: tuple[GazetteerPost, ...] = tuple(posts)
        self._by_name: dict[str, list[GazetteerEntry]] = defaultdict(list)
        self._by_code: dict[str, list[GazetteerEntry]] = defaultdict(list)
        for entry in self.entries:
            for key in dict.fromkeys(normalise_name(n) for n in (entry.name, *entry.aliases)):
                self._by_name[key].append(entry)
            for code in filter(None, (entry.gss_code, *entry.former_codes)):
                self._by_code[code].append(entry)
        self._posts: dict[str, list[GazetteerPost]] = defaultdict(list)
        for post in self.posts:
            for key in dict.fromkeys(normalise_name(n) for n in (post.title, *post.aliases)):
                self._posts[key].append(post)

    def lookup(self, name: str, kind: str | None = None) -> list[GazetteerEntry]:
        """Give the entries whose name or an alias equals ``name``, current ones and larger areas first.

        "Norfolk" finds the county (a Region); "Norfolk County Council" or "Norfolk Council" finds the
        council (an Organisation). ``kind`` filters on either ``type`` or ``kind``, ignoring case.
        """
        key = normalise_name(name)
        found = list(self._by_name.get(key, ()))
        if not found and (match := _COUNCIL_SUFFIX.match(key)):
            # "Watford Council" names no council exactly; take the councils governing the area "Watford".
            for area in self._by_name.get(match[1], ()):
                if area.type == "Region" and area.gss_code:
                    found += [e for e in self._by_code[area.gss_code] if e.type == "Organisation"]
            found = list(dict.fromkeys(found))
        if not found and key.startswith("city of "):
            found = [e for e in self._by_name.get(key[8:], ()) if e.type == "Region"]
        if kind is not None:
            wanted = kind.casefold()
            found = [e for e in found if wanted in (e.type.casefold(), e.kind.casefold())]
        return found

    def by_gss(self, code: str) -> list[GazetteerEntry]:
        """Give the area and the councils with this GSS code, current or former."""
        return list(self._by_code.get(code.strip().upper(), ()))

    def lookup_post(self, title: str) -> list[GazetteerPost]:
        """Give the ministerial posts whose title or a variant equals ``title``."""
        return list(self._posts.get(normalise_name(title), ()))


def user_gazetteer_path() -> Path:
    """Give the user-level regions file: ``$REFORMKG_GAZETTEER`` or ``~/.local/share/reformkg/gazetteer/regions.csv``."""
    configured = os.environ.get("REFORMKG_GAZETTEER")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".local" / "share" / "reformkg" / "gazetteer" / "regions.csv"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in (value or "").split("|") if part)


def _read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {k.strip(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle, delimiter=delimiter)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"{path}: cannot read gazetteer CSV ({exc})") from exc


def _region(row: dict[str, str]) -> GazetteerEntry:
    aliases = _split(row.get("aliases"))
    return GazetteerEntry(
        name=row["name"],
        type="Region",
        kind=row.get("kind") or "area",
        gss_code=row.get("gss_code") or None,
        wikidata=row.get("wikidata") or None,
        aliases=tuple(dict.fromkeys((*aliases, *_name_variants(row["name"])))),
        parent_gss=row.get("parent_gss") or None,
        former_codes=_split(row.get("former_codes")),
        current=row.get("status", "current") == "current",
        source=row.get("source", ""),
    )


def _merge_user_regions(shipped: list[GazetteerEntry], user: list[GazetteerEntry]) -> list[GazetteerEntry]:
    """User rows refresh the shipped area with the same code (keeping its aliases and QID) or add one."""
    index = {e.gss_code: i for i, e in enumerate(shipped) if e.gss_code}
    merged = list(shipped)
    for entry in user:
        i = index.get(entry.gss_code) if entry.gss_code else None
        if i is None:
            if entry.gss_code:
                index[entry.gss_code] = len(merged)
            merged.append(entry)
            continue
        old = merged[i]
        aliases = tuple(a for a in dict.fromkeys((*old.aliases, old.name, *entry.aliases)) if a != entry.name)
        merged[i] = replace(
            old, name=entry.name, aliases=aliases, parent_gss=entry.parent_gss or old.parent_gss
        )
    return merged


@lru_cache(maxsize=4)
def _load(data_dir: Path, user_file: Path | None, _stamp: tuple[int, int] | None) -> Gazetteer:
    regions = [_region(row) for row in _read_rows(data_dir / "regions.csv")]
    if user_file is not None:
        regions = _merge_user_regions(regions, [_region(row) for row in _read_rows(user_file)])
    entries = list(regions)
    for row in _read_rows(data_dir / "councils.csv"):
        entries.append(
            GazetteerEntry(
                name=row["official_name"],
                type="Organisation",
                kind=row["kind"],
                gss_code=row["gss_code"] or None,
                wikidata=row["wikidata"] or None,
                aliases=_split(row["alt_names"]),
                former_codes=_split(row["former_gss_codes"]),
                current=not row["end_date"],
                source="councils.csv",
            )
        )
    for row in _read_rows(data_dir / "organisations.csv"):
        entries.append(
            GazetteerEntry(
                name=row["name"],
                type="Organisation",
                kind=row["kind"],
                gss_code=None,
                wikidata=row["wikidata"] or None,
                aliases=_split(row["aliases"]),
                current=row["status"] not in ("superseded", "not-in-2026-snapshot"),
                govuk_slug=row["govuk_slug"] or None,
                source="organisations.csv",
            )
        )
    posts = [
        GazetteerPost(row["post"], _split(row["aliases"]), row["organisation"], row["organisation_slug"])
        for row in _read_rows(data_dir / "posts.csv")
    ]
    return Gazetteer(entries, posts)


def load_gazetteer() -> Gazetteer:
    """Give the shipped gazetteer merged with the user's imported ONS rows; cached until that file changes."""
    user_file = user_gazetteer_path()
    mtime = (user_file.stat().st_mtime_ns, user_file.stat().st_size) if user_file.is_file() else None
    return _load(_DATA, user_file if mtime is not None else None, mtime)


def _ons_columns(fields: list[str]) -> list[tuple[str, str, str | None]]:
    """Give (code, name, Welsh name) column triples, child geography first as in ONS lookup files."""
    triples = []
    for column in fields:
        if _CODE_COLUMN.match(column):
            stem = column[:-2]
            names = [f for f in fields if f.startswith(stem) and f.endswith("NM")]
            if names:
                welsh = f"{stem}NMW" if f"{stem}NMW" in fields else None
                triples.append((column, names[0], welsh))
    return triples


def import_ons_csv(path: Path) -> int:
    """Merge an ONS Open Geography Portal "names and codes" (or lookup) CSV into the user gazetteer.

    Code and name columns are found by pattern (``LAD23CD``/``LAD23NM``, optional ``LAD23NMW``). In a
    lookup file with several geographies, each code's parent is the next geography's code in that row.
    Returns how many rows were added or changed.
    """
    rows = _read_rows(Path(path))
    fields = list(rows[0]) if rows else []
    columns = _ons_columns(fields)
    if not columns:
        raise SourceError(
            f"{path}: no ONS code/name columns like LAD23CD,LAD23NM (is it a names-and-codes CSV?)"
        )
    incoming: dict[str, dict[str, str]] = {}
    for row in rows:
        for i, (code_col, name_col, welsh_col) in enumerate(columns):
            code, name = row.get(code_col, ""), row.get(name_col, "")
            if not code or not name:
                continue
            parent = row.get(columns[i + 1][0], "") if i + 1 < len(columns) else ""
            welsh = row.get(welsh_col, "") if welsh_col else ""
            incoming[code] = {
                "gss_code": code,
                "name": name,
                "kind": KIND_BY_GSS_PREFIX.get(code[:3], code_col[:-4].lower()),
                "parent_gss": parent,
                "aliases": welsh if welsh and welsh != name else "",
                "status": "current",
                "source": f"ONS {Path(path).name}",
            }
    target = user_gazetteer_path()
    existing = {r["gss_code"]: r for r in _read_rows(target)} if target.is_file() else {}
    changed = 0
    for code, new in incoming.items():
        old = existing.get(code)
        if old is not None:
            new = {**old, **{k: v for k, v in new.items() if v or k not in old}}
        if new != old:
            existing[code] = new
            changed += 1
    if changed:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(
                    handle, fieldnames=REGION_COLUMNS, extrasaction="ignore", lineterminator="\n"
                )
                writer.writeheader()
                writer.writerows(existing[c] for c in sorted(existing))
        except OSError as exc:
            raise SourceError(f"{target}: cannot write the user gazetteer ({exc})") from exc
    return changed
