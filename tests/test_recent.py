"""The most recent articles of an entity read through a date window are those of one ORDER BY over all."""

from __future__ import annotations

import pytest
from reformkg import neighbourhood
from reformkg.explore import build_network, card_from_network, entity_card
from reformkg.store import open_store


@pytest.mark.parametrize("window_values", [500, 0])  # the window's articles as VALUES, and as a subquery
@pytest.mark.parametrize("fixture", ["crafted_store", "seed_store"])
def test_recent_window_gives_the_rows_of_the_whole_ordering(request, fixture: str, window_values: int,
                                                           monkeypatch) -> None:
    # every entity is read through the window (as a hub would be), for lists of every length
    monkeypatch.setattr(neighbourhood, "RECENT_SCAN_FROM", 0)
    monkeypatch.setattr(neighbourhood, "_WINDOW_VALUES", window_values)
    with open_store(str(request.getfixturevalue(fixture)), read_only=True) as store:
        whole = build_network(store)
        for iri in whole:
            named = len(set(whole.nodes[iri]["articles"]))
            for n in (0, 1, 2, 3, 5, 50):
                expected = store.query(neighbourhood._RECENT.replace("{e}", f"<{iri}>").replace("{n}", str(n))).values()
                assert neighbourhood.recent_mentions(store, iri, n, max(named, 1)) == expected, (iri, n)
            assert entity_card(store, iri, 2, 3) == card_from_network(whole, iri, 2, 3), iri
