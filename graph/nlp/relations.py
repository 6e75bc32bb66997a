"""Relations between the entities of one Doc, from sentence structure.

Input: a parsed Doc and its entity dicts. Output: relation dicts with evidence sentence offsets.
"""

from __future__ import annotations

from spacy.tokens import Doc


def find_relations(doc: Doc, entities: list[dict]) -> list[dict]:
    """Give the relations the Doc states between its entities, each with its evidence sentence."""
    return []
