"""The one storage interface the service layer sees. SQL lives only in its implementations."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterable, Protocol


@dataclass
class Record:
    kind: str      # resource family, e.g. "connection-group"
    account: str
    id: str
    seq: int       # insertion order; never reused, so paging by it neither repeats nor skips survivors
    doc: dict      # the resource as the service keeps it (JSON-compatible)


class KeyTaken(Exception):
    """A unique key (a name within an account, a routing endpoint everywhere) is held by another record."""

    def __init__(self, key: str, value: str):
        super().__init__(f"{key}={value!r} is taken")
        self.key = key
        self.value = value


class TransientConflict(Exception):
    """The transaction lost a race the store could not serialize (PostgreSQL's serialization failures);
    running the same work again is safe and expected."""


GLOBAL = ""  # the scope of keys unique across all accounts

Keys = Iterable[tuple[str, str, str]]  # (scope, key, value)


class Transaction(Protocol):
    def get(self, kind: str, account: str, id: str) -> Record | None: ...

    def find(self, scope: str, key: str, value: str) -> Record | None:
        """The record holding unique `key`=`value` in `scope` (an account, or GLOBAL). Key names are
        namespaces chosen by the service ("connection-group:name", "domain"), shared across kinds."""

    def holders(self, key: str, value: str, limit: int) -> list[Record]:
        """Up to `limit` records holding `key`=`value` in any scope: the edge looks a viewer's Host up in
        every account, since viewers carry no account."""

    def insert(self, kind: str, account: str, id: str, doc: dict, keys: Keys = ()) -> Record:
        """Add a record holding the unique `keys`, (scope, key, value) triples; raises KeyTaken if one
        is held by another record, and then changes nothing (the transaction stays usable)."""

    def replace(self, record: Record, doc: dict, keys: Keys | None = None) -> Record:
        """Store a new document; with `keys`, the record's unique keys become exactly those. On KeyTaken
        nothing changes."""

    def delete(self, record: Record) -> None: ...

    def page(self, kind: str, account: str, after_seq: int, limit: int,
             where: dict[str, str] | None = None) -> list[Record]:
        """Up to `limit` records with seq > after_seq in seq order; `where` matches doc fields holding
        those strings (a string field equal to it, or a list field with it as an element), a dotted name
        reaching into nested objects ("Customizations.WebAcl.Arn")."""

    def count(self, kind: str, account: str) -> int: ...

    # Optional: `generation()`, a value every write changes, where the store can tell cheaply (in-process and
    # SQLite; not PostgreSQL, which other servers write). The edge keeps what it read of the configuration
    # until the value changes.

    def census(self) -> list[tuple[str, str, int]]:
        """(account, kind, count) for every account and kind holding records: what the dashboard lists."""


class Store(Protocol):
    # How many requests the server may run at once, each in a thread: 0 for a store that serialises every
    # transaction anyway (memory, SQLite), whose requests run on the event loop with no thread hop.
    workers: int

    def transaction(self, account: str | None = None, alone: bool = False
                    ) -> contextlib.AbstractContextManager[Transaction]:
        """All-or-nothing; serialised against every other transaction on the same state, and durable
        (when the store is) once the block exits. `account`: the transaction writes in that account, and
        a store that runs transactions concurrently queues it behind the account's other writers rather
        than letting them conflict. `alone`: no other writer runs beside it (for a transaction that has
        lost races before). A store that serialises everything ignores both."""

    def clear(self) -> None: ...

    def close(self) -> None: ...


