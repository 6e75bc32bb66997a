"""A compact immutable set: a sorted tuple of interned items with ``frozenset``'s operators and methods.

The entity index holds tens of thousands of nodes, each with several small sets of names, words
and codes; as sorted tuples they take a quarter of a frozenset's memory.
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from collections.abc import Iterable
from itertools import chain


class TupleSet(tuple):
    """An immutable set held as a sorted tuple: a node's names, words and codes in a quarter of a
    frozenset's memory (an index holds tens of thousands of nodes). Operators, comparisons and the
    methods of ``frozenset`` work as on one; ``x in s`` is a binary search. Strings are interned."""

    __slots__ = ()

    def __new__(cls, items: Iterable = ()) -> TupleSet:  # noqa: PYI034 - ordered or not, by its items
        unique = {sys.intern(x) if type(x) is str else x for x in items}
        if not unique and _EMPTY is not None:
            return _EMPTY
        try:
            return tuple.__new__(TupleSet, sorted(unique))
        except TypeError:  # no order (codes): in the order of their reprs, searched one by one
            return tuple.__new__(_UnorderedSet, sorted(unique, key=repr))

    def __getnewargs__(self) -> tuple:
        return (tuple(self),)

    def __contains__(self, x: object) -> bool:
        try:
            i = bisect_left(self, x)
        except TypeError:
            return tuple.__contains__(self, x)
        return i < len(self) and self[i] == x

    def __hash__(self) -> int:
        return hash(frozenset(self))

    def __repr__(self) -> str:
        return f"TupleSet({list(self)!r})"

    def __eq__(self, o: object) -> bool:
        return len(self) == len(o) and self <= o if isinstance(o, _SETS) else NotImplemented

    def __ne__(self, o: object) -> bool:
        eq = self.__eq__(o)
        return eq if eq is NotImplemented else not eq

    def __le__(self, o: object) -> bool:
        return len(self) <= len(o) and all(x in o for x in self) if isinstance(o, _SETS) else NotImplemented

    def __ge__(self, o: object) -> bool:
        return len(self) >= len(o) and all(x in self for x in o) if isinstance(o, _SETS) else NotImplemented

    def __lt__(self, o: object) -> bool:
        return len(self) < len(o) and self <= o if isinstance(o, _SETS) else NotImplemented

    def __gt__(self, o: object) -> bool:
        return len(self) > len(o) and self >= o if isinstance(o, _SETS) else NotImplemented

    def __or__(self, o: object) -> TupleSet:
        if not isinstance(o, _SETS):
            return NotImplemented
        new = {x for x in o if x not in self}
        if not new:
            return self
        if type(self) is TupleSet:  # its items are interned and sorted: sort in the new ones only
            try:  # (a sort of a sorted run plus a few items is linear)
                return tuple.__new__(TupleSet, sorted((*self, *(sys.intern(x) if type(x) is str else x for x in new))))
            except TypeError:
                pass
        return TupleSet((*self, *new))

    def __and__(self, o: object) -> TupleSet:
        return TupleSet(x for x in self if x in o) if isinstance(o, _SETS) else NotImplemented

    def __sub__(self, o: object) -> TupleSet:
        return TupleSet(x for x in self if x not in o) if isinstance(o, _SETS) else NotImplemented

    def __xor__(self, o: object) -> TupleSet:
        return TupleSet(frozenset(self) ^ frozenset(o)) if isinstance(o, _SETS) else NotImplemented

    # a set on the left keeps its type, as ``set | frozenset`` gives a set
    def __ror__(self, o: object) -> set | frozenset:
        return o.union(self) if isinstance(o, (set, frozenset)) else NotImplemented

    def __rand__(self, o: object) -> set | frozenset:
        return o.intersection(self) if isinstance(o, (set, frozenset)) else NotImplemented

    def __rsub__(self, o: object) -> set | frozenset:
        return o.difference(self) if isinstance(o, (set, frozenset)) else NotImplemented

    def __rxor__(self, o: object) -> set | frozenset:
        return o.symmetric_difference(self) if isinstance(o, (set, frozenset)) else NotImplemented

    def union(self, *others: Iterable) -> TupleSet:
        return TupleSet(chain(self, *others))

    def intersection(self, *others: Iterable) -> TupleSet:
        return TupleSet(frozenset(self).intersection(*others))

    def difference(self, *others: Iterable) -> TupleSet:
        return TupleSet(frozenset(self).difference(*others))

    def symmetric_difference(self, other: Iterable) -> TupleSet:
        return TupleSet(frozenset(self).symmetric_difference(other))

    def issubset(self, other: Iterable) -> bool:
        return frozenset(self).issubset(other)

    def issuperset(self, other: Iterable) -> bool:
        return all(x in self for x in other)

    def isdisjoint(self, other: Iterable) -> bool:
        return not any(x in self for x in other)

    def copy(self) -> TupleSet:
        return self


class _UnorderedSet(TupleSet):
    __slots__ = ()

    def __contains__(self, x: object) -> bool:
        return tuple.__contains__(self, x)


_EMPTY: TupleSet | None = None
_EMPTY = TupleSet()
_SETS = (set, frozenset, TupleSet)
