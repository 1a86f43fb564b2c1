"""Copies of hot rows (sessions, tokens, users, outgoing hooks) that spare the post path its lookups.

Correct by construction: the store records every row its sessions change (the unit of work's
updates, deletes and, for summarised tables, inserts; ORM UPDATE and DELETE statements) for the
tables some cache depends on. After the commit it drops the dependent entries in this process at
once and announces the rows on the bus (`hubbub_invalidate`), so every other worker and node drops
them too. A read that raced a write never stores what it read: an entry is stored only if no
invalidation came between the start of its read and its `put` (the generation check).

Processes that share no bus (the embedded default, and the command line run beside it) cannot hear
each other: on SQLite the store asks the database whether another connection committed since it last
looked (PRAGMA data_version, at the start of every session) and forgets everything if so; on the
other databases without Redis the caches stay off."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from hub import events

# A (table, primary key) a cache entry was read from; a key of None stands for every row of the table.
Row = tuple[str, str | None]

K = TypeVar("K")
V = TypeVar("V")


class RowCache(Generic[K, V]):
    """Values by key, each remembering the rows it was made of. Bounded: when full it starts afresh
    (the hot keys come back at once; a cache of a few thousand entries does not need an LRU).
    `summarised` tables are those an entry sums up (every live hook of a team, or none): a new or
    changed row there may belong to an entry it was not part of, so any change to one drops them all."""

    def __init__(
        self, tables: Iterable[str], max_entries: int = 10_000, summarised: Iterable[str] = ()
    ) -> None:
        self.tables = frozenset(tables)
        self.summarised = frozenset(summarised)
        self.max_entries = max_entries
        self._values: dict[K, V] = {}
        self._keys_by_row: dict[Row, set[K]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        # Off where another process could change the rows unannounced (hub.store.Store.add_cache).
        self.enabled = True
        # Set by the store: looks for other processes' commits before an entry is trusted.
        self.before_read: Callable[[], None] = lambda: None

    @property
    def generation(self) -> int:
        """Taken before reading the rows of a value, handed to `put`."""
        return self._generation

    def get(self, key: K) -> V | None:
        return self._values.get(key) if self.enabled else None

    def read(self, key: K, load: Callable[[], tuple[V, Iterable[Row] | None]]) -> V:
        """The cached value, or what `load` reads: the value and the rows it was made of (None keeps it
        out of the cache, e.g. a value read inside a transaction that changed something)."""
        self.before_read()
        cached = self.get(key)
        if cached is not None:
            return cached
        generation = self._generation
        value, rows = load()
        if rows is not None:
            self.put(key, value, rows, generation)
        return value

    def put(self, key: K, value: V, rows: Iterable[Row], generation: int) -> None:
        with self._lock:
            if not self.enabled or generation != self._generation:
                return  # a write came between the read and now: what was read may be stale
            if len(self._values) >= self.max_entries:
                self._values.clear()
                self._keys_by_row.clear()
            self._values[key] = value
            for row in rows:
                self._keys_by_row.setdefault(row, set()).add(key)

    def forget(self, rows: Iterable[Row]) -> None:
        with self._lock:
            self._generation += 1
            for table, primary_key in rows:
                if table not in self.tables:
                    continue
                # A changed row of a summarised table may now belong to an entry it was not in.
                if primary_key is None or table in self.summarised:
                    self._values.clear()
                    self._keys_by_row.clear()
                    return
                for key in self._keys_by_row.pop((table, primary_key), ()):
                    self._values.pop(key, None)


def invalidation(rows: Iterable[Row]) -> events.Event:
    """The announcement that rows changed, for the other processes' caches."""
    ordered = sorted(rows, key=lambda row: (row[0], row[1] or ""))
    return events.Event(events.INVALIDATE_CACHES, {"rows": [list(row) for row in ordered]}, audience=())


def rows_of(event: events.Event) -> list[Row]:
    return [(str(table), None if key is None else str(key)) for table, key in event.data["rows"]]
