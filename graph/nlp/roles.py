"""Roles of people: posts from titles before a name and from appositions.

Input: a parsed Doc and its entity dicts. Output: each Person entity's ``roles`` filled in.
"""

from __future__ import annotations

from spacy.tokens import Doc


def find_roles(doc: Doc, entities: list[dict]) -> None:
    """Give each Person entity the posts the article states for them (filled in place)."""
    return None
