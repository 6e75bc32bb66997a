"""Build the shipped UK gazetteer CSVs in ``graph/data/gazetteer/`` from open source datasets.

The inputs are files from public repositories, fetched by hand (see the data folder's README for
the commits used). Every code written out is read from these files; none is typed here.

Usage::

    python scripts/build_gazetteer.py \\
        --area-codes       geo-lookups/area_all_codes.csv \\
        --lieutenancy      geo-lookups/misc/lieutenancy_areas_england.csv \\
        --la-org-ids       geo-lookups/la_orgid_to_gss.csv \\
        --councils         uk_local_authority_names_and_codes/data/packages/uk_la_past_current/uk_local_authorities_current.csv \\
        --council-names    uk_local_authority_names_and_codes/data/packages/uk_la_past_current/lookup_name_to_registry.csv \\
        --dl-organisations organisation-dataset/collection/organisation.csv \\
        --govuk-current    uk-gov-mapper/data/orgs/uk/govuk_orgs_enriched.csv \\
        --govuk-2017       government-organisation-data/lists/govuk/list.tsv \\
        --out              graph/data/gazetteer

Sources:
    ``--area-codes``, ``--lieutenancy``, ``--la-org-ids``: drkane/geo-lookups (ONS data, OGL v3.0).
    ``--councils``, ``--council-names``: mysociety/uk_local_authority_names_and_codes (CC BY 4.0).
    ``--dl-organisations``: digital-land/organisation-dataset (OGL v3.0; its QIDs come from Wikidata, CC0).
    ``--govuk-current``: tobylivesey/uk-gov-mapper, a GOV.UK organisations API snapshot (OGL v3.0).
    ``--govuk-2017``: openregister/government-organisation-data, a 2017 GOV.UK list (OGL v3.0).

The few hand-compiled facts below (``_CURATED_*``) are names, acronyms and renames, never codes,
QIDs or slugs; every slug they point at is checked against the GOV.UK snapshots.
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reformkg.gazetteer import KIND_BY_GSS_PREFIX, REGION_COLUMNS, normalise_name

# Names that denote the council (organisation) rather than the area it governs.
_COUNCIL_WORDS = re.compile(r"cou?n?cil|corporation|authority|\b(?:c|cc|mc)a\b", re.IGNORECASE)

_COUNCIL_KIND = {"COMB": "combined authority", "SRA": "strategic authority"}

_CURATED_ORG_ALIASES: dict[str, tuple[str, ...]] = {
    "hm-treasury": ("Treasury", "Her Majesty's Treasury", "His Majesty's Treasury"),
    "nhs-england": ("NHSE",),
    "ofsted": ("Office for Standards in Education, Children's Services and Skills",),
    "department-of-health-and-social-care": ("Department of Health & Social Care",),
    "prime-ministers-office-10-downing-street": ("Number 10", "No 10", "Downing Street"),
    "department-for-levelling-up-housing-and-communities": ("DLUHC",),
    "department-of-health": ("DoH",),
}

# Renames not recorded in the GOV.UK snapshots' superseded lists: old slug -> new slug.
_CURATED_RENAMES = {
    "department-of-health": "department-of-health-and-social-care",
    "department-for-communities-and-local-government": "department-for-levelling-up-housing-and-communities",
}

# Bodies that policy articles name but that have no GOV.UK organisation page.
_CURATED_ORGS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Local Government Association", ("LGA",), "membership body"),
    ("County Councils Network", ("CCN",), "membership body"),
    ("District Councils' Network", ("DCN", "District Councils Network"), "membership body"),
    ("Association of Directors of Adult Social Services", ("ADASS",), "membership body"),
    ("Association of Directors of Children's Services", ("ADCS",), "membership body"),
    ("NHS Confederation", ("NHS Confed",), "membership body"),
    ("NHS Providers", (), "membership body"),
    ("Skills for Care", (), "workforce body"),
    ("House of Commons", ("Commons",), "legislature"),
    ("House of Lords", ("Lords",), "legislature"),
    ("UK Parliament", ("Parliament", "Westminster Parliament"), "legislature"),
    ("Scottish Parliament", ("Holyrood",), "legislature"),
    ("Senedd Cymru", ("Senedd", "Welsh Parliament", "Welsh Assembly"), "legislature"),
    ("Northern Ireland Assembly", ("Stormont",), "legislature"),
)

# (post, aliases, organisation slug): ministerial titles as news reports use them.
_CURATED_POSTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "Prime Minister",
        ("PM", "Prime Minister of the United Kingdom"),
        "prime-ministers-office-10-downing-street",
    ),
    ("Deputy Prime Minister", ("DPM",), "cabinet-office"),
    ("Chancellor of the Exchequer", ("Chancellor",), "hm-treasury"),
    ("Chief Secretary to the Treasury", ("Treasury Chief Secretary",), "hm-treasury"),
    ("Chancellor of the Duchy of Lancaster", (), "cabinet-office"),
    ("Minister for the Cabinet Office", ("Cabinet Office Minister",), "cabinet-office"),
    (
        "Secretary of State for Health and Social Care",
        ("Health Secretary", "Health and Social Care Secretary", "Secretary of State for Health"),
        "department-of-health-and-social-care",
    ),
    ("Minister of State for Health", ("Health Minister",), "department-of-health-and-social-care"),
    (
        "Minister for Care",
        ("Care Minister", "Minister of State for Care", "Minister for Social Care", "Social Care Minister"),
        "department-of-health-and-social-care",
    ),
    ("Minister for Public Health", ("Public Health Minister",), "department-of-health-and-social-care"),
    ("Minister for Mental Health", ("Mental Health Minister",), "department-of-health-and-social-care"),
    ("Secretary of State for Education", ("Education Secretary",), "department-for-education"),
    (
        "Minister for Children and Families",
        ("Children's Minister", "Children and Families Minister"),
        "department-for-education",
    ),
    ("Minister for Skills", ("Skills Minister",), "department-for-education"),
    ("Minister for School Standards", ("Schools Minister",), "department-for-education"),
    (
        "Secretary of State for Housing, Communities and Local Government",
        ("Housing Secretary", "Communities Secretary"),
        "ministry-of-housing-communities-local-government",
    ),
    (
        "Secretary of State for Levelling Up, Housing and Communities",
        ("Levelling Up Secretary",),
        "department-for-levelling-up-housing-and-communities",
    ),
    (
        "Minister for Local Government",
        ("Local Government Minister",),
        "ministry-of-housing-communities-local-government",
    ),
    (
        "Minister for Housing",
        ("Housing Minister", "Minister of State for Housing"),
        "ministry-of-housing-communities-local-government",
    ),
    (
        "Secretary of State for Work and Pensions",
        ("Work and Pensions Secretary",),
        "department-for-work-pensions",
    ),
    ("Minister for Pensions", ("Pensions Minister",), "department-for-work-pensions"),
    ("Minister for Disabled People", ("Disabilities Minister",), "department-for-work-pensions"),
    ("Secretary of State for the Home Department", ("Home Secretary",), "home-office"),
    (
        "Secretary of State for Foreign, Commonwealth and Development Affairs",
        ("Foreign Secretary",),
        "foreign-commonwealth-development-office",
    ),
    ("Secretary of State for Justice", ("Justice Secretary", "Lord Chancellor"), "ministry-of-justice"),
    ("Secretary of State for Defence", ("Defence Secretary",), "ministry-of-defence"),
    (
        "Secretary of State for Business and Trade",
        ("Business Secretary", "Trade Secretary"),
        "department-for-business-and-trade",
    ),
    ("Secretary of State for Transport", ("Transport Secretary",), "department-for-transport"),
    (
        "Secretary of State for Environment, Food and Rural Affairs",
        ("Environment Secretary",),
        "department-for-environment-food-rural-affairs",
    ),
    (
        "Secretary of State for Energy Security and Net Zero",
        ("Energy Secretary",),
        "department-for-energy-security-and-net-zero",
    ),
    (
        "Secretary of State for Science, Innovation and Technology",
        ("Science Secretary", "Technology Secretary"),
        "department-for-science-innovation-and-technology",
    ),
    (
        "Secretary of State for Culture, Media and Sport",
        ("Culture Secretary",),
        "department-for-culture-media-and-sport",
    ),
    ("Secretary of State for Northern Ireland", ("Northern Ireland Secretary",), "northern-ireland-office"),
    ("Attorney General", ("Attorney General for England and Wales",), "attorney-generals-office"),
    (
        "Leader of the House of Commons",
        ("Commons Leader",),
        "the-office-of-the-leader-of-the-house-of-commons",
    ),
    ("Leader of the House of Lords", ("Lords Leader",), "office-of-the-leader-of-the-house-of-lords"),
)


def _read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(handle, delimiter=delimiter)
        ]


def _write_csv(path: Path, fields: list[str], rows: Iterable[dict[str, str]]) -> int:
    rows = list(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _unique(names: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Names in order, dropping any whose normalised form was already seen or is excluded."""
    seen = {normalise_name(n) for n in exclude}
    out = []
    # Prefer a capitalised spelling over mySociety's lower-case duplicates of the same name.
    for name in sorted(names, key=lambda n: n == n.lower()):
        key = normalise_name(name)
        if name and key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _inverted_names(name: str) -> list[str]:
    """ONS's "Bristol, City of" also reads as "Bristol" and "City of Bristol"."""
    match = re.fullmatch(r"(.+), (City|County) of", name)
    return [match[1], f"{match[2]} of {match[1]}"] if match else []


_COUNCIL_NAME = re.compile(
    r"^(?:(?:London |Royal )?Borough of |City of |(?:Borough|District|County|City) Council of )?(.+?)"
    r"(?: (?:Metropolitan )?(?:City |County |Borough |District |Town )?Council)?$"
)


def _area_from_council(official: str) -> list[str]:
    """The place a council's name contains: "Hull City Council" -> "Hull"; [] if nothing was stripped."""
    match = _COUNCIL_NAME.match(official)
    return [match[1]] if match and match[1] != official else []


def _kind(code: str) -> str:
    return KIND_BY_GSS_PREFIX[code[:3]]


def recoded_areas(area_rows: list[dict[str, str]]) -> dict[str, str]:
    """Old GSS code -> current code, for areas that kept their name but were given a new code."""
    names = {r["areacode"]: r["areaname"] for r in area_rows}
    return {
        r["areacode"]: r["LADCD_ACTIVE"]
        for r in area_rows
        if r["areatype"] == "la"
        and r["LADCD_ACTIVE"] != r["areacode"]
        and names.get(r["LADCD_ACTIVE"]) == r["areaname"]
    }


def build_regions(
    area_rows: list[dict[str, str]],
    lieutenancy_rows: list[dict[str, str]],
    councils: list[dict[str, str]],
    council_names: dict[str, list[str]],
) -> list[dict[str, Any]]:
    """Rows of regions.csv: every area, its parent, aliases, former codes and status."""
    # mySociety still gives some recoded areas their old code (Barnsley E08000016); drkane has the new one.
    recoded = recoded_areas(area_rows)
    regions: dict[str, dict[str, Any]] = {}
    former: dict[str, set[str]] = defaultdict(set)
    names_by_code = {r["areacode"]: r["areaname"] for r in area_rows}

    for row in area_rows:
        code, name, areatype = row["areacode"], row["areaname"], row["areatype"]
        if areatype == "la" and row["LADCD_ACTIVE"] != code:
            active = row["LADCD_ACTIVE"]
            if names_by_code.get(active) == name:
                former[active].add(code)
                continue
            # drkane's hierarchy columns describe the successor, so a former area gets no parent here.
            parent, status, successor = "", "former", active
        else:
            parent, status, successor = "", "current", ""
            if areatype == "la":
                parent = row["UTLACD"] if row["UTLACD"] != code else (row["RGNCD"] or row["CTRYCD"])
            elif areatype in ("utla", "cauth"):
                parent = row["RGNCD"] or row["CTRYCD"]
            elif areatype == "rgn":
                parent = row["CTRYCD"]
            elif areatype == "ctry" or areatype in ("ew", "gb"):
                parent = "K02000001"
        regions[code] = {
            "gss_code": code,
            "name": name,
            "kind": _kind(code),
            "parent_gss": parent,
            "combined_authority_gss": row["CAUTHCD"] if areatype == "la" else "",
            "status": status,
            "successor_gss": successor,
            "aliases": list(_inverted_names(name)),
            "wikidata": "",
            "source": "drkane/geo-lookups area_all_codes.csv",
        }

    region_code_by_name = {
        normalise_name(r["areaname"]): r["areacode"] for r in area_rows if r["areatype"] == "rgn"
    }
    gss_by_council = {c["local-authority-code"]: c["gss-code"] for c in councils}
    for council in councils:
        code = recoded.get(council["gss-code"], council["gss-code"])
        if not code or code[:3] not in KIND_BY_GSS_PREFIX:
            continue
        for old in filter(None, [*council["former-gss-codes"].split(","), council["gss-code"]]):
            former[code].add(old)
        names = [council["nice-name"], *council_names.get(council["local-authority-code"], [])]
        area_names = [n for n in names if not _COUNCIL_WORDS.search(n)]
        area_names += _area_from_council(council["official-name"])
        if code in regions:
            regions[code]["aliases"] += area_names
            continue
        # Areas drkane does not list: newer combined authorities, Greater London, abolished counties.
        ended = bool(council["end-date"])
        successors = [gss_by_council.get(c, "") for c in council["replaced-by"].split(",") if c]
        regions[code] = {
            "gss_code": code,
            "name": council["nice-name"],
            "kind": _kind(code),
            "parent_gss": region_code_by_name.get(normalise_name(council["region"]), ""),
            "combined_authority_gss": "",
            "status": "former" if ended else "current",
            "successor_gss": "|".join(filter(None, successors)),
            "aliases": area_names,
            "wikidata": "",
            "source": "mysociety/uk_local_authority_names_and_codes uk_local_authorities_current.csv",
        }

    rows: list[dict[str, Any]] = []
    for code, region in regions.items():
        region["former_codes"] = "|".join(sorted(former.get(code, set()) - {code}))
        region["aliases"] = "|".join(_unique(region["aliases"], exclude=[region["name"]]))
        rows.append(region)

    # Ceremonial counties (lieutenancy areas) carry Wikidata QIDs but no GSS code in the source.
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in lieutenancy_rows:
        area, qid = row["LIEUTENANCY_AREA_1997"], row["LIEUTENANCY_AREA_1997_WIKIDATA"]
        if area and re.fullmatch(r"Q\d+", qid):
            members[(area, qid)].add(row["LADCD_ACTIVE"])
    for (area, qid), lads in sorted(members.items()):
        parents = {
            regions[c]["parent_gss"]
            if regions[c]["kind"] != "non-metropolitan district"
            else regions[regions[c]["parent_gss"]]["parent_gss"]
            for c in lads
            if c in regions
        }
        rows.append(
            {
                "gss_code": "",
                "name": area,
                "kind": "ceremonial county",
                "parent_gss": parents.pop() if len(parents) == 1 else "",
                "combined_authority_gss": "",
                "status": "current",
                "successor_gss": "",
                "aliases": "",
                "wikidata": qid,
                "former_codes": "",
                "source": "drkane/geo-lookups misc/lieutenancy_areas_england.csv",
            }
        )
    order = list(dict.fromkeys(KIND_BY_GSS_PREFIX.values())) + ["ceremonial county"]
    rows.sort(key=lambda r: (order.index(r["kind"]), r["status"] != "current", r["gss_code"], r["name"]))
    return rows


def build_councils(
    councils: list[dict[str, str]],
    council_names: dict[str, list[str]],
    org_ids: dict[str, str],
    dl_rows: list[dict[str, str]],
    recoded: dict[str, str],
) -> tuple[list[dict[str, str]], int]:
    """Rows of councils.csv, and how many Digital Land QIDs were dropped for a code mismatch."""
    qids: dict[str, tuple[str, str]] = {}
    for row in dl_rows:
        prefix, _, code = row["organisation"].partition(":")
        if prefix == "local-authority-eng" and row["wikidata"]:
            qids[code] = (row["wikidata"], row["statistical-geography"])
    rows, mismatches = [], 0
    for council in councils:
        code, gss = council["local-authority-code"], council["gss-code"]
        former = [c for c in council["former-gss-codes"].split(",") if c]
        if gss in recoded:
            gss, former = recoded[gss], [*former, gss]
        qid, dl_gss = qids.get(code, ("", ""))
        # Keep a QID only when Digital Land's GSS code agrees with mySociety's for the same council.
        if qid and dl_gss not in {gss, *former}:
            qid, mismatches = "", mismatches + 1
        official = council["official-name"]
        alt = [n for n in council_names.get(code, []) if _COUNCIL_WORDS.search(n)]
        rows.append(
            {
                "council_code": code,
                "official_name": official,
                "nice_name": council["nice-name"],
                "alt_names": "|".join(_unique(alt, exclude=[official])),
                "gss_code": gss,
                "former_gss_codes": "|".join(former),
                "kind": _COUNCIL_KIND.get(council["local-authority-type"], "local authority"),
                "la_type": council["local-authority-type-name"],
                "start_date": council["start-date"],
                "end_date": council["end-date"],
                "replaced_by": council["replaced-by"].replace(",", "|"),
                "org_id": org_ids.get(gss, "") or org_ids.get(council["gss-code"], ""),
                "wikidata": qid,
            }
        )
    return rows, mismatches


def _slugs(field: str) -> list[str]:
    return [item["id"].rsplit("/", 1)[1] for item in ast.literal_eval(field or "[]")]


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "")).strip("-")


def build_organisations(
    current: list[dict[str, str]], old: list[dict[str, str]], dl_rows: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Rows of organisations.csv: GOV.UK organisations (2026 and 2017 lists) plus a few others."""
    qid_by_name = {
        normalise_name(r["name"]): r["wikidata"]
        for r in dl_rows
        if r["organisation"].startswith("government-organisation:") and r["wikidata"]
    }
    dl_names = {
        _slugify(r["name"]): r["name"] for r in dl_rows if r["organisation"].startswith("government-")
    }
    superseded_by: dict[str, str] = {}
    for row in current:
        for slug in _slugs(row["superseded_organisations"]):
            superseded_by.setdefault(slug, row["details_slug"])
    current_slugs = {r["details_slug"] for r in current}

    def org(
        name: str, aliases: list[str], kind: str, slug: str, status: str, parents: str, source: str
    ) -> dict:
        qid = qid_by_name.get(normalise_name(name), "")
        return {
            "name": name,
            "aliases": "|".join(_unique(aliases + list(_CURATED_ORG_ALIASES.get(slug, ())), exclude=[name])),
            "kind": kind,
            "govuk_slug": slug,
            "status": status,
            "parent_slugs": parents,
            "superseded_by": superseded_by.get(slug, "") or _CURATED_RENAMES.get(slug, ""),
            "wikidata": qid,
            "wikidata_source": "digital-land/organisation-dataset" if qid else "",
            "source": source,
        }

    rows = []
    for row in current:
        rows.append(
            org(
                row["title"],
                [row["details_abbreviation"]],
                row["format"].lower(),
                row["details_slug"],
                row["details_govuk_status"],
                "|".join(_slugs(row["parent_organisations"])),
                "govuk-api 2026-02-02 (tobylivesey/uk-gov-mapper)",
            )
        )
    seen = set(current_slugs)
    for row in old:
        slug = row["govuk"]
        if slug in seen:
            continue
        seen.add(slug)
        renamed = slug in superseded_by or slug in _CURATED_RENAMES
        rows.append(
            org(
                row["name"],
                [row["abbreviation"]],
                row["government-organisation-type"].lower(),
                slug,
                "superseded" if renamed else "not-in-2026-snapshot",
                row["parent-govuks"].replace(";", "|"),
                "govuk list 2017-04-18 (openregister/government-organisation-data)",
            )
        )
    # Superseded slugs named in neither GOV.UK list but in Digital Land's (e.g. DLUHC, 2021-2024).
    for slug in sorted(set(superseded_by) - seen):
        if slug in dl_names:
            seen.add(slug)
            rows.append(
                org(
                    dl_names[slug],
                    [],
                    "ministerial department" if "department" in slug else "",
                    slug,
                    "superseded",
                    "",
                    "digital-land/organisation-dataset",
                )
            )
    known = {normalise_name(r["name"]) for r in rows}
    for name, aliases, kind in _CURATED_ORGS:
        if normalise_name(name) not in known:
            rows.append(org(name, list(aliases), kind, "", "current", "", "reformkg curated"))
    missing = (set(_CURATED_ORG_ALIASES) | set(_CURATED_RENAMES.values())) - seen
    if missing:
        raise SystemExit(f"curated slugs not in any GOV.UK list: {sorted(missing)}")
    return rows


def build_posts(organisations: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows of posts.csv, each tied to an organisation slug that the GOV.UK lists contain."""
    by_slug = {o["govuk_slug"]: o["name"] for o in organisations if o["govuk_slug"]}
    rows = []
    for post, aliases, slug in _CURATED_POSTS:
        if slug not in by_slug:
            raise SystemExit(f"post {post!r}: organisation slug {slug!r} not in the GOV.UK lists")
        rows.append(
            {
                "post": post,
                "aliases": "|".join(aliases),
                "organisation": by_slug[slug],
                "organisation_slug": slug,
                "source": "reformkg curated",
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Read the source files named on the command line and write the four gazetteer CSVs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag in (
        "area-codes",
        "lieutenancy",
        "la-org-ids",
        "councils",
        "council-names",
        "dl-organisations",
        "govuk-current",
        "govuk-2017",
    ):
        parser.add_argument(f"--{flag}", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "graph/data/gazetteer"
    )
    args = parser.parse_args(argv)

    councils = _read_csv(args.councils)
    council_names: dict[str, list[str]] = defaultdict(list)
    for row in _read_csv(args.council_names):
        council_names[row["local-authority-code"]].append(row["la-name"])
    dl_rows = _read_csv(args.dl_organisations)
    org_ids = {r["gss_code"]: r["org_id"] for r in _read_csv(args.la_org_ids) if r["gss_code"]}

    area_rows = _read_csv(args.area_codes)
    regions = build_regions(area_rows, _read_csv(args.lieutenancy), councils, council_names)
    council_rows, mismatches = build_councils(
        councils, council_names, org_ids, dl_rows, recoded_areas(area_rows)
    )
    organisations = build_organisations(
        _read_csv(args.govuk_current), _read_csv(args.govuk_2017, "\t"), dl_rows
    )
    posts = build_posts(organisations)

    args.out.mkdir(parents=True, exist_ok=True)
    counts = {
        "regions.csv": _write_csv(args.out / "regions.csv", REGION_COLUMNS, regions),
        "councils.csv": _write_csv(args.out / "councils.csv", list(council_rows[0]), council_rows),
        "organisations.csv": _write_csv(
            args.out / "organisations.csv", list(organisations[0]), organisations
        ),
        "posts.csv": _write_csv(args.out / "posts.csv", list(posts[0]), posts),
    }
    for name, count in counts.items():
        print(f"{name}: {count} rows", file=sys.stderr)
    print(f"Digital Land QIDs dropped for a GSS mismatch: {mismatches}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
