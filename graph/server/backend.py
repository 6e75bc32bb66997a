"""A store location -> fresh read-only stores and guarded query runs (timeout, row cap, concurrency).

A read-only Oxigraph store sees a snapshot taken when it is opened, so the holder reopens it when
the files of the store directory change (a concurrent ``reformkg ingest`` appends to them): a
stat of the directory costs about 0.06 ms, an open about 15-30 ms. pyoxigraph cannot cancel a
running query; the timeout stops waiting for it, and the running query keeps its slot until it
ends, so at most ``max_concurrent`` runaway queries ever use the CPU.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import anyio
import anyio.to_thread

from ..errors import StoreError
from ..store import QueryResult, Store, open_store

T = TypeVar("T")


@dataclass(frozen=True)
class ServeOptions:
    """Limits and switches of ``reformkg serve``; each has a ``help`` for the CLI."""

    timeout: float = 10.0  # seconds a query may run before the client gets 503
    max_rows: int = 10_000  # SELECT rows / CONSTRUCT triples returned at most
    max_request_bytes: int = 64 * 1024  # largest query text or POST body accepted
    max_concurrent: int = 4  # queries running at once, abandoned ones included
    allow_service: bool = False  # let SERVICE clauses make HTTP requests to other endpoints


def _signature(location: str) -> tuple[tuple[str, int, int], ...] | None:
    if location.startswith(("http://", "https://")) or not os.path.isdir(location):
        return None
    found = []
    for entry in os.scandir(location):
        st = entry.stat()
        found.append((entry.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


class StoreHolder:
    """The store at a location, opened read-only and reopened whenever its files change."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.generation = 0  # bumped on every (re)open; caches key on it
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._signature: object = None

    def current(self) -> Store:
        """Give a store that sees every write finished before this call."""
        signature = _signature(self.location)
        with self._lock:
            if self._store is None or (signature is not None and signature != self._signature):
                fresh = self._open()
                if fresh is not None:
                    # the old store is left to the garbage collector: a query may still be using it
                    self._store, self._signature = fresh, signature
                    self.generation += 1
            assert self._store is not None
            return self._store

    def _open(self, attempts: int = 3) -> Store | None:
        """Give a newly opened store, or None to keep the current one while a writer is busy.

        Measured: opening read-only while another handle compacts the store can fail with
        RocksDB "Corruption: ... No such file" (a file the manifest names was just merged away);
        a moment later the open succeeds.
        """
        for attempt in range(attempts):
            try:
                return open_store(self.location, read_only=True)
            except (RuntimeError, StoreError) as exc:
                failure = exc
                time.sleep(0.02 * (attempt + 1))
        if self._store is not None:
            return None
        if isinstance(failure, StoreError):
            raise failure
        raise StoreError(f"{self.location}: cannot open the store while it is being written ({failure})") from failure


def cap_result(result: QueryResult, max_rows: int) -> tuple[QueryResult, bool]:
    """Give the result cut to ``max_rows`` rows or triples, and whether anything was cut."""
    if result.kind == "select" and len(result.rows) > max_rows:
        return replace(result, rows=result.rows[:max_rows]), True
    if result.kind == "graph" and len(result.triples) > max_rows:
        return replace(result, triples=result.triples[:max_rows]), True
    return result, False


class QueryRunner:
    """Runs work against the current store in a worker thread, within the options' limits."""

    def __init__(self, holder: StoreHolder, options: ServeOptions) -> None:
        self.holder = holder
        self.options = options
        self._slots = threading.BoundedSemaphore(options.max_concurrent)

    async def call(self, work: Callable[[Store], T]) -> T:
        """Give ``work(store)``, or raise StoreError when the server is busy or the time is up."""
        if not self._slots.acquire(blocking=False):
            raise StoreError(f"server busy: {self.options.max_concurrent} queries are still running "
                             "(try again shortly)")

        def _run() -> T:
            try:
                return work(self.holder.current())
            finally:
                self._slots.release()

        try:
            with anyio.fail_after(self.options.timeout):
                return await anyio.to_thread.run_sync(_run, abandon_on_cancel=True)
        except TimeoutError:
            raise StoreError(f"query did not finish in {self.options.timeout:g} s "
                             "(add a LIMIT, or restart with a larger --timeout)") from None

    async def query(self, sparql: str) -> tuple[QueryResult, bool]:
        """Give a query's result, capped at ``max_rows``, and whether it was cut."""
        result = await self.call(lambda store: store.query(sparql))
        return cap_result(result, self.options.max_rows)
