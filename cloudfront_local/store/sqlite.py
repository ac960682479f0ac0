"""SQLite behind the store interface: the default, embedded state (in memory, or a durable file)."""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading

from .base import KeyTaken, Record

SCHEMA_VERSION = 1
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS resources (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        kind    TEXT NOT NULL,
        account TEXT NOT NULL,
        id      TEXT NOT NULL,
        doc     TEXT NOT NULL,
        UNIQUE (kind, account, id)
    )""",
    "CREATE INDEX IF NOT EXISTS resources_by_order ON resources (kind, account, seq)",
    """CREATE TABLE IF NOT EXISTS unique_keys (
        scope TEXT NOT NULL,
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        seq   INTEGER NOT NULL REFERENCES resources (seq) ON DELETE CASCADE,
        PRIMARY KEY (scope, key, value)
    )""",
    "CREATE INDEX IF NOT EXISTS unique_keys_by_owner ON unique_keys (seq)",
    # holders(): a value across every scope, as the edge looks up a viewer's Host (created on every start,
    # so stores made before it gain it).
    "CREATE INDEX IF NOT EXISTS unique_keys_by_value ON unique_keys (key, value)",
    # Quotas ask for a count on every create: running counts answer in O(1) at any size.
    """CREATE TABLE IF NOT EXISTS counts (
        kind    TEXT NOT NULL,
        account TEXT NOT NULL,
        n       INTEGER NOT NULL,
        PRIMARY KEY (kind, account)
    )""",
    """CREATE TRIGGER IF NOT EXISTS count_insert AFTER INSERT ON resources BEGIN
        INSERT INTO counts (kind, account, n) VALUES (new.kind, new.account, 1)
        ON CONFLICT (kind, account) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TRIGGER IF NOT EXISTS count_delete AFTER DELETE ON resources BEGIN
        UPDATE counts SET n = n - 1 WHERE kind = old.kind AND account = old.account;
    END""",
)

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_loads = json.loads


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection, shared: bool):
        self._db = connection
        self._shared = shared  # a file another process may write too
        self.writes = 0        # this connection's writes; PRAGMA data_version counts other connections'

    def generation(self):
        """A value every committed write changes: the edge keeps what it read until it does."""
        if self._shared:
            return self.writes, self._db.execute("PRAGMA data_version").fetchone()[0]
        return self.writes

    @staticmethod
    def _record(row) -> Record:
        seq, kind, account, id_, doc = row
        return Record(kind, account, id_, seq, _loads(doc))

    def get(self, kind, account, id):
        row = self._db.execute(
            "SELECT seq, kind, account, id, doc FROM resources WHERE kind = ? AND account = ? AND id = ?",
            (kind, account, id),
        ).fetchone()
        return self._record(row) if row else None

    def find(self, scope, key, value):
        row = self._db.execute(
            "SELECT r.seq, r.kind, r.account, r.id, r.doc FROM unique_keys k JOIN resources r ON r.seq = k.seq"
            " WHERE k.scope = ? AND k.key = ? AND k.value = ?",
            (scope, key, value),
        ).fetchone()
        return self._record(row) if row else None

    def holders(self, key, value, limit):
        rows = self._db.execute(
            "SELECT r.seq, r.kind, r.account, r.id, r.doc FROM unique_keys k JOIN resources r ON r.seq = k.seq"
            " WHERE k.key = ? AND k.value = ? ORDER BY r.seq LIMIT ?", (key, value, limit)).fetchall()
        return [self._record(row) for row in rows]

    def insert(self, kind, account, id, doc, keys=()):
        self.writes += 1
        with self._savepoint():
            cursor = self._db.execute(
                "INSERT INTO resources (kind, account, id, doc) VALUES (?, ?, ?, ?)", (kind, account, id, _dumps(doc))
            )
            self._hold(cursor.lastrowid, keys)
        return Record(kind, account, id, cursor.lastrowid, doc)

    @contextlib.contextmanager
    def _savepoint(self):
        """A write that may fail on a taken key leaves nothing behind when it does."""
        self._db.execute("SAVEPOINT write")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK TO write")
            self._db.execute("RELEASE write")
            raise
        self._db.execute("RELEASE write")

    def _hold(self, seq: int, keys) -> None:
        rows = [(scope, key, value, seq) for scope, key, value in keys]
        if not rows:
            return
        try:  # one statement for all the keys: the common case costs one round trip
            self._db.execute("INSERT INTO unique_keys (scope, key, value, seq) VALUES "
                             + ", ".join(["(?, ?, ?, ?)"] * len(rows)), [v for row in rows for v in row])
        except sqlite3.IntegrityError:
            for scope, key, value, _ in rows:  # which one: look, since SQLite does not say
                holder = self._db.execute("SELECT seq FROM unique_keys WHERE scope = ? AND key = ? AND value = ?",
                                          (scope, key, value)).fetchone()
                if holder is not None and holder[0] != seq:
                    raise KeyTaken(key, value) from None
            # the same key twice within one record
            seen = set()
            for _, key, value, _ in rows:
                if (key, value) in seen:
                    raise KeyTaken(key, value) from None
                seen.add((key, value))
            raise

    def replace(self, record, doc, keys=None):
        self.writes += 1
        if keys is None:
            self._db.execute("UPDATE resources SET doc = ? WHERE seq = ?", (_dumps(doc), record.seq))
        else:
            with self._savepoint():
                self._db.execute("UPDATE resources SET doc = ? WHERE seq = ?", (_dumps(doc), record.seq))
                self._db.execute("DELETE FROM unique_keys WHERE seq = ?", (record.seq,))
                self._hold(record.seq, keys)
        return Record(record.kind, record.account, record.id, record.seq, doc)

    def delete(self, record):
        self.writes += 1
        self._db.execute("DELETE FROM unique_keys WHERE seq = ?", (record.seq,))
        self._db.execute("DELETE FROM resources WHERE seq = ?", (record.seq,))

    def page(self, kind, account, after_seq, limit, where=None):
        sql = "SELECT seq, kind, account, id, doc FROM resources WHERE kind = ? AND account = ? AND seq > ?"
        args: list = [kind, account, after_seq]
        for field, value in (where or {}).items():
            # json_each yields a string field itself, or each element of a list field.
            sql += " AND EXISTS (SELECT 1 FROM json_each(doc, ?) WHERE json_each.value = ?)"
            args += ["$." + field, value]
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        return [self._record(row) for row in self._db.execute(sql, args)]

    def count(self, kind, account):
        row = self._db.execute("SELECT n FROM counts WHERE kind = ? AND account = ?", (kind, account)).fetchone()
        return row[0] if row else 0

    def census(self):
        return [tuple(row) for row in self._db.execute(
            "SELECT account, kind, n FROM counts WHERE n > 0 ORDER BY account, kind")]


class _Transaction:
    """`with store.transaction() as tx:` (a class rather than a generator: it runs on every request)."""

    __slots__ = ("_store",)

    def __init__(self, store: "SqliteStore"):
        self._store = store

    def __enter__(self) -> _SqliteTransaction:
        store = self._store
        store._lock.acquire()
        try:
            # IMMEDIATE takes the write lock up front: read-check-write sequences (If-Match, unique
            # names) are atomic even against another process sharing the file.
            store._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            store._lock.release()
            raise
        return store._tx

    def __exit__(self, kind, error, trace) -> None:
        store = self._store
        try:
            store._db.execute("ROLLBACK" if kind is not None else "COMMIT")
        finally:
            store._lock.release()


class SqliteStore:
    """One connection, one writer at a time. A file store commits with WAL and synchronous=FULL, so a
    transaction that has returned is on disk before its response is sent."""

    workers = 0

    def __init__(self, path: str = ":memory:"):
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        if path == ":memory:":
            self._db.execute("PRAGMA journal_mode = MEMORY")
            self._db.execute("PRAGMA synchronous = OFF")
        else:
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._migrate()
        self._tx = _SqliteTransaction(self._db, path != ":memory:")

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} was written by a newer cloudfront-local (schema {version})")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def transaction(self, account: str | None = None, alone: bool = False) -> "_Transaction":
        return _Transaction(self)  # one transaction at a time: nothing to queue

    def clear(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM unique_keys")
            self._db.execute("DELETE FROM resources")
            self._db.execute("DELETE FROM counts")
            self._db.execute("COMMIT")
            self._tx.writes += 1

    def close(self) -> None:
        with self._lock:
            self._db.close()
