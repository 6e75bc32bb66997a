"""The shipped UK gazetteer: codes stated in the source files, coverage per kind, lookup and ONS import."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from reformkg.errors import SourceError
from reformkg.gazetteer import KIND_BY_GSS_PREFIX, import_ons_csv, load_gazetteer, normalise_name

DATA = Path(__file__).resolve().parent.parent / "graph" / "data" / "gazetteer"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(autouse=True)
def _no_user_gazetteer(tmp_path, monkeypatch):
    """Point the user-level file at an empty temp location so a developer's own imports never leak in."""
    monkeypatch.setenv("REFORMKG_GAZETTEER", str(tmp_path / "user" / "regions.csv"))


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        # Confirmed in both mySociety uk_local_authorities_current.csv and drkane area_all_codes.csv.
        ("E10000015", "Hertfordshire", "county"),
        ("E07000103", "Watford", "non-metropolitan district"),
        ("E12000006", "East of England", "region"),
        ("E92000001", "England", "nation"),
    ],
)
def test_gazetteer_known_codes(code, name, kind):
    regions = {r["gss_code"]: r for r in _rows("regions.csv")}
    assert regions[code]["name"] == name
    assert regions[code]["kind"] == kind


def test_gazetteer_hierarchy_and_former_codes():
    regions = {r["gss_code"]: r for r in _rows("regions.csv") if r["gss_code"]}
    assert regions["E07000103"]["parent_gss"] == "E10000015"
    assert regions["E10000015"]["parent_gss"] == "E12000006"
    assert regions["E12000006"]["parent_gss"] == "E92000001"
    # East Herts was recoded in 2023; the old code is kept as a former code of the same area.
    assert "E07000097" in regions["E07000242"]["former_codes"].split("|")
    assert regions["E07000026"]["status"] == "former"  # Allerdale, now part of Cumberland
    assert regions["E07000026"]["successor_gss"] == "E06000063"


def test_gazetteer_coverage_per_kind():
    current = Counter(r["kind"] for r in _rows("regions.csv") if r["status"] == "current")
    assert current["london borough"] == 33  # the 32 boroughs plus the City of London, coded E09
    assert current["scottish council area"] == 32
    assert current["welsh unitary authority"] == 22
    assert current["ni district"] == 11
    assert current["region"] == 9
    assert current["nation"] == 4
    assert current["county"] == 21
    assert current["combined authority"] >= 10
    assert current["unitary authority"] >= 60
    assert current["metropolitan district"] == 36


def test_gazetteer_codes_match_their_kind():
    prefixes_by_kind: dict[str, set[str]] = {}
    for prefix, kind in KIND_BY_GSS_PREFIX.items():
        prefixes_by_kind.setdefault(kind, set()).add(prefix)
    for row in _rows("regions.csv"):
        codes = [row["gss_code"], *filter(None, row["former_codes"].split("|"))]
        if row["kind"] == "ceremonial county":
            assert not row["gss_code"] and re.fullmatch(r"Q\d+", row["wikidata"])
            continue
        for code in codes:
            assert re.fullmatch(r"[EWSNK]\d{8}", code), code
            assert code[:3] in prefixes_by_kind[row["kind"]], (code, row["kind"])
    for row in _rows("councils.csv"):
        if row["gss_code"]:
            assert row["gss_code"][:3] in KIND_BY_GSS_PREFIX, row
        assert not row["wikidata"] or re.fullmatch(r"Q\d+", row["wikidata"])


def test_gazetteer_codes_are_unique():
    codes = [r["gss_code"] for r in _rows("regions.csv") if r["gss_code"]]
    assert len(codes) == len(set(codes))
    slugs = [r["govuk_slug"] for r in _rows("organisations.csv") if r["govuk_slug"]]
    assert len(slugs) == len(set(slugs))


def test_gazetteer_councils_and_organisations_have_sourced_ids():
    councils = {r["council_code"]: r for r in _rows("councils.csv")}
    assert councils["HRT"]["official_name"] == "Hertfordshire County Council"
    assert councils["HRT"]["gss_code"] == "E10000015"
    orgs = {r["govuk_slug"]: r for r in _rows("organisations.csv") if r["govuk_slug"]}
    assert orgs["department-of-health-and-social-care"]["name"] == "Department of Health and Social Care"
    # QIDs only where a source file states them, and each names its source.
    for row in _rows("organisations.csv"):
        assert bool(row["wikidata"]) == bool(row["wikidata_source"])
    posts = _rows("posts.csv")
    assert {p["organisation_slug"] for p in posts} <= set(orgs)


def test_gazetteer_data_stays_small():
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 2_000_000
    assert (DATA / "README.md").is_file()


def test_gazetteer_lookup_area_versus_council():
    gazetteer = load_gazetteer()
    norfolk = gazetteer.lookup("Norfolk")
    assert norfolk[0].type == "Region" and norfolk[0].kind == "county" and norfolk[0].gss_code == "E10000020"
    council = gazetteer.lookup("Norfolk County Council")
    assert [(e.type, e.gss_code) for e in council] == [("Organisation", "E10000020")]
    assert gazetteer.lookup("norfolk council") == council
    assert [e.name for e in gazetteer.lookup("Watford Council")] == ["Watford Borough Council"]


@pytest.mark.parametrize(
    ("mention", "code"),
    [
        ("Bristol", "E06000023"),
        ("City of Bristol", "E06000023"),
        ("Herefordshire", "E06000019"),
        ("HERTFORDSHIRE", "E10000015"),
        ("the East of England", "E12000006"),
        ("St. Albans", "E07000240"),
        ("Hull", "E06000010"),
    ],
)
def test_gazetteer_lookup_region_variants(mention, code):
    assert load_gazetteer().lookup(mention, kind="Region")[0].gss_code == code


def test_gazetteer_lookup_organisations_and_kind_filter():
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("DHSC")[0].govuk_slug == "department-of-health-and-social-care"
    assert gazetteer.lookup("the Treasury")[0].name == "HM Treasury"
    assert gazetteer.lookup("Local Government Association")[0].kind == "membership body"
    improvement = gazetteer.lookup("NHS Improvement")
    assert improvement and not improvement[0].current
    west_midlands = gazetteer.lookup("West Midlands", kind="combined authority")
    assert [e.gss_code for e in west_midlands if e.type == "Region"] == ["E47000007"]
    assert gazetteer.lookup("Nowhere-on-Sea") == []
    assert [e.type for e in gazetteer.by_gss("E07000097")] == ["Region", "Organisation"]
    assert (
        gazetteer.lookup_post("Health Secretary")[0].organisation_slug
        == "department-of-health-and-social-care"
    )


def test_gazetteer_normalise_name_is_idempotent():
    for name in ["The King's Lynn & West Norfolk", "  Bristol, City of ", "Ynys Môn"]:
        once = normalise_name(name)
        assert normalise_name(once) == once
    assert normalise_name("King's Lynn & West Norfolk") == "kings lynn and west norfolk"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_gazetteer_import_ons_csv(tmp_path):
    source = _write(
        tmp_path / "LAD_names_and_codes.csv",
        "LAD23CD,LAD23NM,LAD23NMW,ObjectId\n"
        "E07000103,Watford,,1\n"
        "W06000015,Cardiff,Caerdydd,2\n"
        "E07099999,Testshire Vale,,3\n",
    )
    assert import_ons_csv(source) == 3
    assert import_ons_csv(source) == 0  # nothing changed the second time
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("Testshire Vale")[0].gss_code == "E07099999"
    assert gazetteer.lookup("Testshire Vale")[0].kind == "non-metropolitan district"
    # A refreshed row keeps the shipped area's hierarchy and aliases.
    watford = gazetteer.lookup("Watford", kind="Region")
    assert [e.gss_code for e in watford] == ["E07000103"] and watford[0].parent_gss == "E10000015"
    assert gazetteer.lookup("Caerdydd")[0].gss_code == "W06000015"


def test_gazetteer_import_lookup_file_sets_parents(tmp_path):
    source = _write(
        tmp_path / "LAD23_RGN23.csv",
        "LAD23CD,LAD23NM,RGN23CD,RGN23NM\nE07099998,Newtown,E12000006,East of England\n",
    )
    assert import_ons_csv(source) == 2  # the district is new; the region row refreshes the source tag
    (entry,) = load_gazetteer().lookup("Newtown")
    assert entry.parent_gss == "E12000006"


def test_gazetteer_import_rejects_unreadable_files(tmp_path):
    with pytest.raises(SourceError, match="no ONS code/name columns"):
        import_ons_csv(_write(tmp_path / "other.csv", "id,label\n1,x\n"))
    with pytest.raises(SourceError, match="cannot read"):
        import_ons_csv(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81LAD23CD")
    with pytest.raises(SourceError):
        import_ons_csv(binary)
