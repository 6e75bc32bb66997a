"""Where sources disagree: one fund, two amounts; one post, two holders on a date; one programme, two launch dates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reformkg.cli import app
from reformkg.config import Settings
from reformkg.conflicts import _launch_date, find_conflicts
from reformkg.resolve import EntityIndex, resolve_extraction
from reformkg.store import open_store
from reformkg.writer import store_resolved

ARTICLES = [
    ("c1", ("The Winter Hardship Fund is worth £433m this winter. Chancellor Ann Smithers confirmed it. "
            "The Family Hubs programme was launched in March 2022 in 75 areas."),
     [("Fund", "Winter Hardship Fund", ["£433m"], 433e6, []),
      ("Person", "Ann Smithers", [], None, ["Chancellor"]),
      ("Programme", "Family Hubs programme", [], None, [])], "2024-01-10"),
    ("c2", ("Councils said the Winter Hardship Fund would be worth £500m. Chancellor Bo Tanner agreed. "
            "Family Hubs was launched in June 2021, a year earlier than planned."),
     [("Fund", "Winter Hardship Fund", ["£500m"], 500e6, []),
      ("Person", "Bo Tanner", [], None, ["Chancellor"]),
      ("Programme", "Family Hubs", [], None, [])], "2024-01-10"),
    ("c3", "Leader of Kent County Council Roger Gough spoke. The £15m flood fund was launched in 2020.",
     [("Person", "Roger Gough", [], None, ["Leader"]), ("Fund", "£15m flood fund", [], 15e6, [])], "2024-01-10"),
    ("c4", "Leader Ann Other spoke for the Greens. The £15m flood fund opened in 2020.",
     [("Person", "Ann Other", [], None, ["Leader"]), ("Fund", "£15m flood fund", [], 15e6, [])], "2024-01-10"),
]


@pytest.fixture(scope="module")
def conflict_store(tmp_path_factory: pytest.TempPathFactory, hand_extraction) -> Path:
    """A store of four hand-written articles that disagree with each other on three counts."""
    location = tmp_path_factory.mktemp("conflicts") / "store"
    settings = Settings(store=str(location))
    st = open_store(str(location))
    index = EntityIndex()
    try:
        for art in ARTICLES:
            store_resolved(st, resolve_extraction(hand_extraction(*art), index, settings.base_iri), settings.base_iri)
    finally:
        st.close()
    return location


def _found(location: Path) -> dict[str, list]:
    st = open_store(str(location), read_only=True)
    try:
        found = find_conflicts(st)
    finally:
        st.close()
    by_kind: dict[str, list] = {}
    for c in found:
        by_kind.setdefault(c.kind, []).append(c)
    return by_kind


def test_conflicts_one_fund_two_amounts_with_both_sentences(conflict_store: Path) -> None:
    (fund,) = _found(conflict_store)["fund-amount"]
    assert fund.label == "Winter Hardship Fund"
    assert [s.value for s in fund.sides] == ["£433,000,000", "£500,000,000"]
    assert fund.sides[0].evidence == "The Winter Hardship Fund is worth £433m this winter."
    assert fund.sides[1].evidence == "Councils said the Winter Hardship Fund would be worth £500m."
    assert {s.article.rsplit("/", 1)[-1] for s in fund.sides} == {"c1", "c2"}


def test_conflicts_one_post_two_holders_on_one_date(conflict_store: Path) -> None:
    (post,) = _found(conflict_store)["post-holder"]  # "Leader" alone is no one post: no conflict there
    assert {s.value for s in post.sides} == {"Ann Smithers", "Bo Tanner"}
    assert "Chancellor" in post.label and "2024-01-10" in post.label
    assert {s.evidence for s in post.sides} == {"Chancellor Ann Smithers confirmed it.",
                                                "Chancellor Bo Tanner agreed."}


def test_conflicts_one_programme_two_launch_dates(conflict_store: Path) -> None:
    (launch,) = _found(conflict_store)["launch-date"]  # the flood fund's two "2020"s agree
    assert {s.value for s in launch.sides} == {"2022-03", "2021-06"}
    assert any(s.evidence.startswith("Family Hubs was launched in June 2021") for s in launch.sides)


def test_conflicts_launch_date_reading() -> None:
    assert _launch_date("It was launched on 3 May 2023 by ministers.", None) == "2023-05-03"
    assert _launch_date("The plan was unveiled today.", "2024-02-02") == "2024-02-02"
    assert _launch_date("The plan was discussed in 2021.", None) is None


def test_conflicts_cli_json(runner, conflict_store: Path) -> None:
    result = runner.invoke(app, ["conflicts", "--store", str(conflict_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    kinds = sorted(c["kind"] for c in json.loads(result.stdout))
    assert kinds == ["fund-amount", "launch-date", "post-holder"]
    assert all(len(c["sides"]) == 2 and all(s["evidence"] for s in c["sides"]) for c in json.loads(result.stdout))


def test_conflicts_none_in_the_founding_corpus_funds(runner, seed_store: Path) -> None:
    result = runner.invoke(app, ["conflicts", "--store", str(seed_store), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert [c for c in json.loads(result.stdout) if c["kind"] == "fund-amount"] == []
