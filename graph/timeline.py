"""Store -> the dated happenings of the graph, or of one entity: announcements, funds, programmes, posts.

Input: a ``Store`` and optionally an entity name. Output: ``TimelineEvent`` dataclasses, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .naming import ArticleRef, article_ref, find_entity
from .neighbourhood import _mention_sentences, build_network
from .store import Store


@dataclass(frozen=True)
class TimelineEvent:
    """A dated happening: an announcement, a fund or programme reported, or a post held."""

    date: str | None
    kind: Literal["announcement", "fund", "programme", "post"]
    entity: str
    entity_name: str
    text: str
    evidence: str | None
    article: ArticleRef
    others: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """Give the event as a JSON object (``reformkg timeline --format json`` lists these)."""
        return {"date": self.date, "kind": self.kind, "entity": self.entity, "entity_name": self.entity_name,
                "text": self.text, "evidence": self.evidence, "article": self.article.to_json(),
                "others": list(self.others)}


_KIND_ORDER = {"announcement": 0, "fund": 1, "programme": 2, "post": 3}


def timeline(store: Store, name: str | None = None) -> list[TimelineEvent]:
    """Give announcements, reported funds and programmes, and posts held, oldest first (undated last).

    Dates are the dates of the articles that report them (a post's ``asOf``); with ``name`` only
    the events of that entity are given.
    """
    iri = find_entity(store, name) if name else None
    g = build_network(store, None if iri is None else {iri})
    wanted = set(g) if iri is None else {iri}
    events: list[TimelineEvent] = []
    for s, o, d in g.edges(data=True):
        if d["predicate"] == "announced" and (s in wanted or o in wanted):
            art = article_ref(g, d["article"])
            events.append(TimelineEvent(art.date, "announcement", s, g.nodes[s]["label"],
                                        f"{g.nodes[s]['label']} announced {g.nodes[o]['label']}", d["evidence"],
                                        art, (o,)))
    reported = [(n, a) for n in wanted for a in g.nodes[n]["articles"] if g.nodes[n]["type"] in ("Fund", "Programme")]
    sentences = _mention_sentences(store, {n for n, _ in reported}, {a for _, a in reported})
    for n, a in reported:
        d, art = g.nodes[n], article_ref(g, a)
        amount = f" (£{d['amount_gbp']:,.0f})" if d["amount_gbp"] is not None else ""
        events.append(TimelineEvent(art.date, d["type"].lower(), n, d["label"],  # type: ignore[arg-type]
                                    f"{d['type']} reported: {d['label']}{amount}", sentences.get((n, a)), art))
    for n in wanted:
        for post in g.nodes[n]["posts"]:
            art = article_ref(g, post["article"])
            events.append(TimelineEvent(post["as_of"] or art.date, "post", n, g.nodes[n]["label"],
                                        f"{g.nodes[n]['label']}: {post['role']}", None, art))
    events.sort(key=lambda e: (e.date is None, e.date or "", _KIND_ORDER[e.kind], e.entity_name, e.text))
    return events
