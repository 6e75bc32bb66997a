"""Cues in the words around a mention that say what a programme is for or that a body is new.

Input: the text just before or after a mention, or a normalised name. Output: small judgements
that ``link.py`` uses as evidence and ``resolve`` stores on the nodes it builds, so a store read
back with ``load_entity_index`` and an index grown by ingest hold the same cues.

- A body an article introduces as newly set up ("will set up a new Rivers Recovery Board") is
  part of a reform, like a programme; a standing body (a council, a department) is not. Its node
  carries ``SET_UP`` among its context words.
- A programme known by what it is for ("the long-term strategy for rural bus services") is
  described, not named: its kind ("strategy") and purpose words ("rural", "bus") identify it.
- A body named like another but for its kind of body ("Rivers Recovery Board" and "Rivers
  Recovery Council") may be one body reported two ways.
"""

from __future__ import annotations

import re

from .names import GENERIC, STOP, content_words, is_amount, normalise_name

#: Context token of a body an article introduces as newly set up; no normalised word has a hyphen.
SET_UP = "set-up"

#: Kind words a programme's name or description ends with ("strategy", "review").
KINDS = {"review", "plan", "strategy", "fund", "programme", "scheme", "framework", "paper", "deal", "bill",
         "consultation", "pilot", "initiative", "project", "blueprint", "roadmap", "agenda", "prospectus"}

#: Last words of a body's name that say only what kind of body it is.
BODY_HEADS = {"board", "council", "committee", "panel", "taskforce", "commission", "forum", "group", "unit",
              "body", "network", "alliance", "assembly", "collaborative", "partnership"}

_NEW_BODY = re.compile(
    r"\b(?:new(?:ly)?(?:\s+(?:created|formed|established))?|set(?:ting|s)?\s+up|establish(?:es|ed|ing)?|"
    r"creat(?:e|es|ed|ing)|form(?:s|ed|ing)?|launch(?:es|ed|ing)?)\s+(?:(?:a|an|the|its|their)\s+)?(?:new\s+)?$",
    re.IGNORECASE)

_PURPOSE = re.compile(
    # the kind word may follow a quoted title: "'Safe Streets' strategy to ..."
    r"^[\s'’\"”)]*(?:(?:" + "|".join(sorted(KINDS)) + r")[\s'’\"”]+)?"
    r"(?:(?:aimed|designed|intended|meant)\s+(?:at|to)|which\s+aims\s+to|that\s+aims\s+to|for|to|on|into|of)\s+"
    r"(?P<what>[^.,;:!?()\n\[\]]{3,80})", re.IGNORECASE)
_PURPOSE_WORDS = 6
#: Verbs a purpose phrase opens with ("to improve rural bus services"): what is done, not to what.
_DOING = {"improve", "reform", "fix", "boost", "tackle", "support", "deliver", "cut", "reduce", "raise", "increase",
          "help", "create", "build", "end", "transform", "expand", "extend", "protect", "strengthen", "make",
          "give", "bring", "provide", "address", "overhaul", "modernise", "modernize", "grow", "develop"}
_PREPOSITIONS = {"for", "to", "on", "into", "of"}
_AIMED = {"aimed", "designed", "intended", "meant"}


def introduced_as_new(lead: str) -> bool:
    """Give whether the text just before a body's mention introduces it as new ("set up a", "a new")."""
    return bool(_NEW_BODY.search(lead[-48:]))


def purpose_after(tail: str) -> set[str]:
    """Give the content words of a purpose phrase that starts ``tail`` ("for rural bus services" -> rural, bus).

    The phrase stops at punctuation and after six words; a kind word may come first ("' strategy to ...").
    """
    m = _PURPOSE.match(tail)
    if not m:
        return set()
    return _purpose_words(m.group("what").split())


def described(form: str) -> tuple[str, set[str]] | None:
    """Give (kind, purpose words) of a normalised name that describes a programme by what it is for.

    "long term strategy for rural bus services" -> ("strategy", {rural, bus, services}); a name with a
    word of its own before the kind ("cycling strategy for towns") is a name, not a description.
    """
    words = form.split()
    for i, word in enumerate(words[:-2]):
        if word not in KINDS:
            continue
        rest = words[i + 1:]
        if rest[0] in _AIMED and len(rest) > 1 and rest[1] in {"at", "to"}:
            rest = rest[2:]  # "strategy aimed at ..."
        elif rest[0] in _PREPOSITIONS:
            rest = rest[1:]
        else:
            continue
        if any(w not in GENERIC and w not in STOP and not is_amount(w) and not w[0].isdigit() for w in words[:i]):
            return None
        purpose = _purpose_words(rest)
        return (word, purpose) if len(purpose) >= 2 else None
    return None


def _purpose_words(words: list[str]) -> set[str]:
    """Give the content words of the first six words of a purpose phrase, without an opening verb."""
    if words and (words[0].lower() in _DOING or words[0].lower().endswith("ing")):
        words = words[1:]  # "fixing", "improve": the same purpose is served many ways
    return content_words(" ".join(words[:_PURPOSE_WORDS]))


def kind_of(names: set[str]) -> str | None:
    """Give the one kind word that a programme's names end with ("X strategy" -> strategy), if any."""
    kinds = {f.split()[-1] for f in map(normalise_name, names) if f and f.split()[-1] in KINDS}
    return kinds.pop() if len(kinds) == 1 else None


def body_stem(form: str) -> str | None:
    """Give a body's normalised name without its kind-of-body word, when what is left still names it.

    "rivers recovery board" -> "rivers recovery"; "the board" or "city council" -> None.
    """
    words = form.split()
    if len(words) < 3 or words[-1] not in BODY_HEADS:
        return None
    rest = words[:-1]
    if not any(w not in GENERIC and w not in STOP and not is_amount(w) for w in rest):
        return None
    return " ".join(rest)
