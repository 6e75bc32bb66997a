"""Give a realistic benchmark corpus: N news-style articles about UK public-policy reform.

Articles are written from paragraph templates filled with people, posts, bodies, places,
funds, programmes, amounts and dates. Places, councils, bodies and posts are real UK names from
the gazetteer (``graph/data/gazetteer/*.csv``); people are invented from first-name and surname
lists. Pools are sized to N so that entities recur across articles, as in a real corpus, and
resolution has work to do. Output is a JSONL manifest, written one line at a time.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

GAZETTEER = Path(__file__).resolve().parent.parent / "graph" / "data" / "gazetteer"

FIRST = ("Aisha Alan Alison Amir Andrew Angela Anita Ben Bethan Bronwen Callum Catherine Chloe Chris Claire "
         "Daniel David Deborah Declan Eilidh Emma Fatima Fiona Gareth Grace Hamish Hannah Harjit Helen Ian "
         "Imran Isla James Jane Jasmine Joanne John Jonathan Kate Kemi Kieran Kwame Laura Lee Liam Lucy "
         "Mairead Marcus Mark Martin Megan Michael Mohammed Nadia Naomi Neil Nia Niamh Oliver Owen Patrick "
         "Paul Priya Rachel Rajesh Rebecca Rhys Richard Rosa Ruth Sadiq Samira Sarah Seamus Shabana Simon "
         "Siobhan Sophie Stephen Stuart Sunita Tariq Thomas Tom Una Victoria Wei Wendy Yusuf Zara").split()
SURNAME = ("Adebayo Ahmed Ali Anderson Armstrong Bailey Baker Banerjee Begum Bell Bennett Booth Bradley Brown "
           "Burns Campbell Carter Chen Clarke Collins Cooper Cox Davies Dawson Doherty Douglas Edwards Ellis "
           "Evans Fleming Fraser Gallagher Gill Graham Grant Green Griffiths Hall Harris Hughes Hussain Jackson "
           "James Jenkins Johnson Jones Kaur Kelly Khan Kowalski Lewis Lloyd MacDonald Mackenzie Malik Marshall "
           "Mason McCarthy McLaughlin Mensah Mitchell Moore Morgan Murphy Murray Nowak O'Brien O'Neill Okafor "
           "Owen Parker Patel Phillips Powell Price Quinn Rahman Rees Reid Roberts Robertson Ross Shah Singh "
           "Smith Stewart Sullivan Taylor Thomas Thompson Turner Walker Walsh Ward Watson White Williams "
           "Wilson Wright Young").split()
THEMES = ("Towns, Levelling Up, High Street Renewal, Bus Service Improvement, Family Hubs, Skills Bootcamp, "
          "Net Zero Homes, Brownfield Land Release, Adult Social Care Workforce, Mental Health Support, "
          "Youth Investment, Flood Resilience, Coastal Communities, Active Travel, Digital Inclusion, "
          "Early Years, Community Ownership, Warm Homes, Rural Connectivity, Cultural Development, "
          "Homelessness Prevention, Local Transport, School Rebuilding, Housing Infrastructure").split(", ")
PLAN_KINDS = ("Programme", "Strategy", "Plan", "Review", "Framework", "Deal", "Partnership")
PORTFOLIOS = ("adult social care", "children's services", "transport", "housing", "finance", "regeneration",
              "public health", "education and skills", "the environment", "economic development")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _rows(name: str) -> list[dict[str, str]]:
    path = GAZETTEER / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Pools:
    """The names an article is written from: places, councils, bodies, posts, people, funds, programmes."""

    places: tuple[str, ...]
    councils: tuple[str, ...]
    bodies: tuple[str, ...]
    posts: tuple[str, ...]
    people: tuple[tuple[str, str], ...]  # (name, description such as "leader of X Council")
    funds: tuple[tuple[str, int], ...]  # (name, amount in pounds)
    programmes: tuple[str, ...]


def build_pools(n_articles: int, rng: random.Random) -> Pools:
    """Give name pools sized to the corpus, so that entities recur across articles."""
    places = tuple(sorted({r["name"] for r in _rows("regions.csv") if r.get("kind") in {
        "non-metropolitan district", "unitary authority", "ceremonial county", "metropolitan district",
        "london borough", "scottish council area", "county", "welsh unitary authority"}}))
    councils = tuple(sorted({r["official_name"] for r in _rows("councils.csv") if not r.get("end_date")}))
    bodies = tuple(sorted({r["name"] for r in _rows("organisations.csv") if r.get("status") in {"live", "current"}
                           and r.get("kind") in {"ministerial department", "non-ministerial department",
                                                 "executive agency", "executive non-departmental public body"}}))
    posts = tuple(r["post"] for r in _rows("posts.csv"))
    if not (places and councils and bodies and posts):
        raise SystemExit(f"gazetteer files missing under {GAZETTEER}: cannot build a realistic corpus")
    people = []
    for _ in range(max(60, min(20_000, n_articles // 3))):
        name = f"{rng.choice(FIRST)} {rng.choice(SURNAME)}"
        kind = rng.random()
        if kind < 0.3:
            role = f"leader of {rng.choice(councils)}"
        elif kind < 0.5:
            role = f"the MP for {rng.choice(places)}"
        elif kind < 0.65:
            role = f"cabinet member for {rng.choice(PORTFOLIOS)} at {rng.choice(councils)}"
        elif kind < 0.8:
            role = f"chief executive of {rng.choice(bodies)}"
        else:
            role = f"the {rng.choice(posts)}"
        people.append((name, role))
    funds = []
    for _ in range(max(30, min(5_000, n_articles // 8))):
        local = rng.random() < 0.6
        name = f"{rng.choice(places)} {rng.choice(THEMES)} Fund" if local else f"{rng.choice(THEMES)} Fund"
        funds.append((name, rng.choice([1, 2, 5, 10, 25]) * rng.randint(1, 40) * 100_000))
    programmes = tuple(f"{rng.choice(THEMES)} {rng.choice(PLAN_KINDS)}"
                       for _ in range(max(20, min(3_000, n_articles // 10))))
    return Pools(places, councils, bodies, posts, tuple(people), tuple(funds), programmes)


def money(amount: int, rng: random.Random) -> str:
    """Give an amount the way news text writes it: £12m, £1.2bn, £4.5 million or £2,400,000."""
    style = rng.random()
    if amount >= 1_000_000_000 and style < 0.7:
        return f"£{amount / 1e9:g}bn"
    if style < 0.5:
        return f"£{amount / 1e6:g}m"
    if style < 0.8:
        return f"£{amount / 1e6:g} million"
    return f"£{amount:,}"


def _date(rng: random.Random) -> date:
    return date(2021, 1, 1) + timedelta(days=rng.randrange(5 * 365))


def write_article(i: int, pools: Pools, rng: random.Random) -> dict[str, str]:
    """Give one article as a manifest record: text, title, url, published date, publisher."""
    place, council = rng.choice(pools.places), rng.choice(pools.councils)
    body, programme = rng.choice(pools.bodies), rng.choice(pools.programmes)
    (fund, amount), (other_fund, other_amount) = rng.choice(pools.funds), rng.choice(pools.funds)
    (lead, lead_role), (critic, critic_role), (third, third_role) = rng.sample(pools.people, 3)
    # what the programme builds on: another programme for two articles in three, not drawn from ``rng`` so
    # that the rest of the article is as before (programme-lineage had no rows to find)
    earlier = pools.programmes[i * 7919 % len(pools.programmes)]
    lineage = f"the {earlier}" if i % 3 and earlier != programme else "earlier reforms"
    day = _date(rng)
    when = f"on {rng.choice(WEEKDAYS)} {day.day} {day:%B %Y}"
    share = money(max(100_000, amount // rng.randint(3, 12) // 100_000 * 100_000), rng)
    paragraphs = [
        f"{body} announced {when} that {place} will receive {share} from the {money(amount, rng)} {fund}, "
        f"part of the government's {programme}.",
        f"{lead}, {lead_role}, said the money would be spent on {rng.choice(THEMES).lower()} projects over the "
        f"next {rng.randint(2, 5)} years. \"This is a welcome step for {place}, but it will not undo a decade "
        f"of pressure on local services,\" {lead.split()[-1]} said.",
        f"{council} will lead the work with partners across {rng.choice(pools.places)}. The council expects "
        f"the first projects to begin by {_date(rng):%B %Y}.",
        f"{critic}, {critic_role}, welcomed the {fund} but warned that the {money(other_amount, rng)} "
        f"{other_fund} had been cut. \"Communities in {rng.choice(pools.places)} were promised more,\" "
        f"{critic.split()[-1]} said.",
        f"The {programme} builds on {lineage} and covers {rng.choice(PORTFOLIOS)} and "
        f"{rng.choice(PORTFOLIOS)}. {third}, {third_role}, is expected to set out the next phase later this year.",
        f"A spokesperson for {rng.choice(pools.bodies)} said the department would publish guidance for "
        f"bidders, and that {money(rng.randint(2, 60) * 250_000, rng)} had been set aside for councils "
        f"that apply before the deadline.",
        f"Figures published by {rng.choice(pools.councils)} show demand for {rng.choice(PORTFOLIOS)} in the "
        f"area has risen by {rng.randint(5, 40)} per cent since {rng.randint(2015, 2022)}.",
    ]
    body_paras = paragraphs[:2] + rng.sample(paragraphs[2:], rng.randint(2, len(paragraphs) - 2))
    title = f"{place} gets {share} from {fund}"
    return {"text": title + "\n\n" + "\n\n".join(body_paras) + "\n", "title": title,
            "url": f"https://bench.reformkg.invalid/article/{i}", "published": day.isoformat(),
            "publisher": rng.choice(pools.councils)}


def generate(n_articles: int, start: int = 0, seed: int = 2026, pool_size: int | None = None) -> Iterator[dict[str, str]]:
    """Yield manifest records for articles ``start`` to ``start + n_articles - 1`` (deterministic)."""
    pools = build_pools(pool_size or n_articles, random.Random(seed))
    for i in range(start, start + n_articles):
        yield write_article(i, pools, random.Random(seed * 1_000_003 + i))


def write_manifest(path: Path, n_articles: int, start: int = 0, pool_size: int | None = None) -> int:
    """Write the manifest of ``n_articles`` articles; give the total characters of article text."""
    chars = 0
    with path.open("w", encoding="utf-8") as fh:
        for rec in generate(n_articles, start, pool_size=pool_size):
            chars += len(rec["text"])
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return chars
