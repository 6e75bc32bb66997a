#!/usr/bin/env python3
"""Check a store for duplicate nodes: two people, funds or programmes that are one real thing.

Usage: python scripts/check_duplicates.py STORE

Three checks, printed with the nodes involved; exit 1 if any finds something:
1. SPARQL: two nodes of one type that share a name (prefLabel or altLabel, case and titles ignored),
   leaving out generic names such as "the plan" or "the funding" that many things are called.
2. Near names: two nodes of one type with specific names at least 90% alike (difflib on sorted words,
   the comparison the evaluation uses), with the same numbers in them.
3. People: a node named by a surname alone beside exactly one full-name node with that surname.
"""

from __future__ import annotations

import re
import sys
from difflib import SequenceMatcher
from itertools import combinations

from reformkg.link import load_entity_index
from reformkg.resolve.names import is_specific, normalise_name, surname_of
from reformkg.store import open_store

SHARED_NAME = """PREFIX rkg: <https://w3id.org/reformkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?type ?name (GROUP_CONCAT(DISTINCT STR(?e); separator=" ") AS ?nodes) WHERE {
  VALUES ?type { rkg:Person rkg:Fund rkg:Programme }
  ?e a ?type . { ?e skos:prefLabel ?n } UNION { ?e skos:altLabel ?n }
  BIND(LCASE(REPLACE(STR(?n), "^(the|mr|mrs|ms|dr|sir|dame|cllr|councillor|lord|lady) ", "", "i")) AS ?name)
} GROUP BY ?type ?name HAVING (COUNT(DISTINCT ?e) > 1)"""


def _similar(a: str, b: str) -> bool:
    if set(re.findall(r"\d+", a)) != set(re.findall(r"\d+", b)):
        return False
    return SequenceMatcher(None, " ".join(sorted(a.split())), " ".join(sorted(b.split()))).ratio() >= 0.90


def main(location: str) -> int:
    st = open_store(location, read_only=True)
    try:
        rows = st.query(SHARED_NAME).values()
        index = load_entity_index(st)
    finally:
        st.close()
    problems = []
    for row in rows:
        kind = row["type"].rsplit("#", 1)[-1]
        if kind != "Person" and not is_specific(normalise_name(row["name"])):
            continue  # "the funding", "the plan": many different things are called that
        problems.append(f"shared name  {kind:9s} {row['name']!r}: {row['nodes']}")
    for kind in ("Person", "Fund", "Programme"):
        nodes = list(index.of_type(kind))
        for a, b in combinations(nodes, 2):
            pairs = [(x, y) for x in a.name_keys() for y in b.name_keys() if _similar(x, y)]
            if pairs and not (a.amounts and b.amounts and a.amounts.isdisjoint(b.amounts)):
                problems.append(f"near names   {kind:9s} {a.label!r} ~ {b.label!r}: {a.iri} {b.iri}")
    people = list(index.of_type("Person"))
    for p in people:
        if all(" " not in f for f in p.forms):
            full = [q for q in people if q is not p and any(surname_of(f) == next(iter(p.forms)) for f in q.forms
                                                          if " " in f)]
            if len(full) == 1:
                problems.append(f"surname only Person    {p.label!r} ~ {full[0].label!r}: {p.iri} {full[0].iri}")
    counts = {k: sum(1 for _ in index.of_type(k)) for k in ("Person", "Fund", "Programme")}
    print(f"nodes: {counts}; possible duplicates: {len(problems)}")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
