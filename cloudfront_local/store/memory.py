"""State kept in the process, for runs without --state: the same contract as the SQLite store, cheaper
per call, and gone when the process ends, which is all such a run promises.

Documents are kept as JSON text, as SQLite keeps them, so no caller can change stored state by changing
a dict it was handed; every write is logged so that a failed transaction is undone to the letter.
"""
from __future__ import annotations

import bisect
import json
import threading

from .base import KeyTaken, Record

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_loads = json.loads


def _field(doc: dict, dotted: str):
    value = doc
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _matches(field, value: str) -> bool:
    """A string field equal to the value, or a list field holding it."""
    return field == value or (isinstance(field, list) and value in field)


class _Row:
    __slots__ = ("kind", "account", "id", "seq", "text", "keys")

    def __init__(self, kind, account, id_, seq, text, keys):
        self.kind, self.account, self.id, self.seq, self.text, self.keys = kind, account, id_, seq, text, keys

    def record(self) -> Record:
        return Record(self.kind, self.account, self.id, self.seq, _loads(self.text))


class _MemoryTransaction:
    def __init__(self, store: "MemoryStore"):
        self._s = store
        self._undo: list = []

    def get(self, kind, account, id):
        row = self._s.rows.get((kind, account, id))
        return row.record() if row else None

    def find(self, scope, key, value):
        row = self._s.keys.get((scope, key, value))
        return row.record() if row else None

    def holders(self, key, value, limit):
        # Every viewer request for a tenant's domain asks this: an index by value across scopes, built for a key
        # name the first time it is asked for and kept from then on (only such names cost the memory).
        index = self._s.holders.get(key)
        if index is None:
            index = self._s.holders[key] = {}
            for (_scope, name, held_value), row in self._s.keys.items():
                if name == key:
                    index.setdefault(held_value, []).append(row)
        return [row.record() for row in sorted(index.get(value) or (), key=lambda row: row.seq)[:limit]]

    def generation(self) -> int:
        return self._s.version

    def insert(self, kind, account, id, doc, keys=()):
        store = self._s
        store.version += 1
        if (kind, account, id) in store.rows:
            raise KeyTaken("id", id)
        keys = list(keys)
        store.seq += 1
        row = _Row(kind, account, id, store.seq, _dumps(doc), [])
        self._check_keys(row, keys)  # before anything changes: a taken key leaves no trace
        store.rows[(kind, account, id)] = row
        seqs, by_seq = store.order.setdefault((kind, account), ([], {}))
        seqs.append(row.seq)  # sequence numbers only grow, so appending keeps the list sorted
        by_seq[row.seq] = row
        self._undo.append((self._uninsert, row))
        self._hold(row, keys)
        return Record(kind, account, id, row.seq, doc)

    def _uninsert(self, row: _Row) -> None:
        store = self._s
        del store.rows[(row.kind, row.account, row.id)]
        seqs, by_seq = store.order[(row.kind, row.account)]
        del by_seq[row.seq]
        seqs.remove(row.seq)

    def _check_keys(self, row: _Row, keys: list) -> None:
        if len(set(keys)) != len(keys):
            duplicate = next(k for k in keys if keys.count(k) > 1)
            raise KeyTaken(duplicate[1], duplicate[2])
        for key in keys:
            holder = self._s.keys.get(key)
            if holder is not None and holder is not row:
                raise KeyTaken(key[1], key[2])

    def _hold(self, row: _Row, keys: list) -> None:
        self._check_keys(row, keys)
        self._undo.append((self._set_keys, row, row.keys))
        self._set_keys(row, keys)

    def _set_keys(self, row: _Row, keys: list) -> None:
        store = self._s
        for key in row.keys:
            if store.keys.get(key) is row:
                del store.keys[key]
                index = store.holders.get(key[1])
                if index is not None:
                    held = index[key[2]]
                    held.remove(row)
                    if not held:
                        del index[key[2]]
        for key in keys:
            store.keys[key] = row
            index = store.holders.get(key[1])
            if index is not None:
                index.setdefault(key[2], []).append(row)
        row.keys = keys

    def replace(self, record, doc, keys=None):
        self._s.version += 1
        row = self._s.rows[(record.kind, record.account, record.id)]
        if keys is not None:
            keys = list(keys)
            self._check_keys(row, keys)  # before anything changes
        self._undo.append((self._set_text, row, row.text))
        row.text = _dumps(doc)
        if keys is not None:
            self._hold(row, keys)
        return Record(record.kind, record.account, record.id, record.seq, doc)

    @staticmethod
    def _set_text(row: _Row, text: str) -> None:
        row.text = text

    def delete(self, record):
        self._s.version += 1
        row = self._s.rows[(record.kind, record.account, record.id)]
        self._undo.append((self._reinsert, row, row.keys))
        self._set_keys(row, [])
        self._uninsert(row)

    def _reinsert(self, row: _Row, keys: list) -> None:
        store = self._s
        store.rows[(row.kind, row.account, row.id)] = row
        seqs, by_seq = store.order[(row.kind, row.account)]
        bisect.insort(seqs, row.seq)
        by_seq[row.seq] = row
        self._set_keys(row, keys)

    def page(self, kind, account, after_seq, limit, where=None):
        seqs, by_seq = self._s.order.get((kind, account), ((), {}))
        found = []
        # A matching document's text holds each value as the encoder wrote it: rows without one are skipped
        # before they are decoded (a filtered listing over 10,000 distributions decodes only the matches).
        needles = [_dumps(value) for value in where.values()] if where else ()
        for index in range(bisect.bisect_right(seqs, after_seq), len(seqs)):
            row = by_seq[seqs[index]]
            if needles and not all(needle in row.text for needle in needles):
                continue
            record = row.record()
            if where and not all(_matches(_field(record.doc, f), v) for f, v in where.items()):
                continue
            found.append(record)
            if len(found) >= limit:
                break
        return found

    def count(self, kind, account):
        return len(self._s.order.get((kind, account), ((), {}))[0])

    def census(self):
        return sorted((account, kind, len(seqs)) for (kind, account), (seqs, _) in self._s.order.items() if seqs)

    def rollback(self) -> None:
        for undo, *args in reversed(self._undo):
            undo(*args)
        self._undo.clear()


class _Transaction:
    __slots__ = ("_store", "_tx")

    def __init__(self, store: "MemoryStore"):
        self._store = store

    def __enter__(self) -> _MemoryTransaction:
        self._store.lock.acquire()
        self._tx = _MemoryTransaction(self._store)
        return self._tx

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is not None:
                self._tx.rollback()
        finally:
            self._store.lock.release()


class MemoryStore:
    workers = 0

    def __init__(self):
        self.lock = threading.Lock()
        self.seq = 0
        self.version = 0  # every write moves it on (a rolled-back one too): what the edge's memo is keyed by
        self._empty()

    def _empty(self) -> None:
        self.rows: dict[tuple[str, str, str], _Row] = {}
        self.order: dict[tuple[str, str], tuple[list[int], dict[int, _Row]]] = {}
        self.keys: dict[tuple[str, str, str], _Row] = {}
        self.holders: dict[str, dict[str, list[_Row]]] = {}  # key name -> value -> every scope's holders

    def transaction(self, account: str | None = None, alone: bool = False) -> _Transaction:
        return _Transaction(self)  # one transaction at a time: nothing to queue

    def clear(self) -> None:
        with self.lock:
            self.version += 1
            self._empty()  # self.seq goes on: sequence numbers are never reused, even across a reset

    def close(self) -> None:
        pass
