"""PostgreSQL behind the store interface: one state for many servers.

Every transaction is SERIALIZABLE, so the read-check-write sequences of the service (If-Match, quotas,
unique names, the default connection group) are atomic across servers; unique constraints back the keys.
A transaction PostgreSQL cannot serialize raises TransientConflict, and the caller runs it again.
Per-(kind, account) counts are updated in the same transaction as every insert and delete: that keeps
quotas O(1), and it makes concurrent inserts of one kind in one account conflict, so their sequence
numbers commit in order and paging by sequence never skips a late commit.

Writers of one account queue instead of conflicting: a write transaction takes its account's advisory lock
(session-level, before BEGIN, so that its snapshot is taken once the writer before it has committed; a lock
taken inside the transaction would come after the snapshot and the conflict would remain). Reads take no
lock. What can still conflict is writers of different accounts meeting on a shared index page, rarely; a
transaction that has lost a few times runs `alone`, with every other writer held off by a global lock that
ordinary writers hold shared, and a writer with no concurrent writer cannot lose a serialization race.
"""
from __future__ import annotations

import zlib

import psycopg
from psycopg import errors
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from .base import KeyTaken, Record, TransientConflict

SCHEMA_VERSION = 1
MIGRATION_LOCK = 0x436C46  # an arbitrary advisory-lock number: servers starting together migrate one at a time
# The (class, object) pairs of the writers' advisory locks: a class of their own (two-int locks never meet the
# bigint MIGRATION_LOCK), object 0 the global lock, an account's CRC-32 its own (two accounts sharing one only
# queue behind each other).
WRITER_LOCKS = 0x436C47
# Request threads per server; the pool holds two more connections for the event loop's own reads (which
# host a viewer's request is for), so that busy request threads never hold it up.
WORKERS = 8
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cloudfront_local_schema (version INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS resources (
        seq     BIGSERIAL PRIMARY KEY,
        kind    TEXT NOT NULL,
        account TEXT NOT NULL,
        id      TEXT NOT NULL,
        doc     JSONB NOT NULL,
        UNIQUE (kind, account, id)
    )""",
    "CREATE INDEX IF NOT EXISTS resources_by_order ON resources (kind, account, seq)",
    """CREATE TABLE IF NOT EXISTS unique_keys (
        scope TEXT NOT NULL,
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        seq   BIGINT NOT NULL REFERENCES resources (seq) ON DELETE CASCADE,
        PRIMARY KEY (scope, key, value)
    )""",
    "CREATE INDEX IF NOT EXISTS unique_keys_by_owner ON unique_keys (seq)",
    # holders(): a value across every scope, as the edge looks up a viewer's Host (created on every start,
    # so stores made before it gain it).
    "CREATE INDEX IF NOT EXISTS unique_keys_by_value ON unique_keys (key, value)",
    """CREATE TABLE IF NOT EXISTS counts (
        kind    TEXT NOT NULL,
        account TEXT NOT NULL,
        n       BIGINT NOT NULL,
        PRIMARY KEY (kind, account)
    )""",
)
_RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected)


class _PostgresTransaction:
    def __init__(self, connection: psycopg.Connection):
        self._db = connection

    @staticmethod
    def _record(row) -> Record:
        seq, kind, account, id_, doc = row
        return Record(kind, account, id_, seq, doc)

    def get(self, kind, account, id):
        row = self._db.execute("SELECT seq, kind, account, id, doc FROM resources"
                               " WHERE kind = %s AND account = %s AND id = %s", (kind, account, id)).fetchone()
        return self._record(row) if row else None

    def find(self, scope, key, value):
        row = self._db.execute(
            "SELECT r.seq, r.kind, r.account, r.id, r.doc FROM unique_keys k JOIN resources r ON r.seq = k.seq"
            " WHERE k.scope = %s AND k.key = %s AND k.value = %s", (scope, key, value)).fetchone()
        return self._record(row) if row else None

    def holders(self, key, value, limit):
        rows = self._db.execute(
            "SELECT r.seq, r.kind, r.account, r.id, r.doc FROM unique_keys k JOIN resources r ON r.seq = k.seq"
            " WHERE k.key = %s AND k.value = %s ORDER BY r.seq LIMIT %s", (key, value, limit)).fetchall()
        return [self._record(row) for row in rows]

    def insert(self, kind, account, id, doc, keys=()):
        try:
            with self._db.transaction():  # a savepoint: a taken key must not doom the whole transaction
                self._count(kind, account, 1)
                seq = self._db.execute("INSERT INTO resources (kind, account, id, doc) VALUES (%s, %s, %s, %s)"
                                       " RETURNING seq", (kind, account, id, Jsonb(doc))).fetchone()[0]
                self._hold(seq, list(keys))
        except errors.UniqueViolation as violation:
            raise self._taken(violation, list(keys), id) from None
        return Record(kind, account, id, seq, doc)

    def _count(self, kind: str, account: str, change: int) -> None:
        self._db.execute("INSERT INTO counts (kind, account, n) VALUES (%s, %s, %s)"
                         " ON CONFLICT (kind, account) DO UPDATE SET n = counts.n + EXCLUDED.n",
                         (kind, account, change))

    def _hold(self, seq: int, keys: list) -> None:
        if keys:
            with self._db.cursor() as cursor:
                cursor.executemany("INSERT INTO unique_keys (scope, key, value, seq) VALUES (%s, %s, %s, %s)",
                                   [(scope, key, value, seq) for scope, key, value in keys])

    def _taken(self, violation, keys: list, id_: str) -> KeyTaken:
        """Which key the violation was about (PostgreSQL names the constraint, not the value)."""
        for scope, key, value in keys:
            holder = self._db.execute("SELECT 1 FROM unique_keys WHERE scope = %s AND key = %s AND value = %s",
                                      (scope, key, value)).fetchone()
            if holder is not None:
                return KeyTaken(key, value)
        seen = set()
        for _, key, value in keys:
            if (key, value) in seen:
                return KeyTaken(key, value)
            seen.add((key, value))
        return KeyTaken("id", id_)

    def replace(self, record, doc, keys=None):
        try:
            with self._db.transaction():
                self._db.execute("UPDATE resources SET doc = %s WHERE seq = %s", (Jsonb(doc), record.seq))
                if keys is not None:
                    self._db.execute("DELETE FROM unique_keys WHERE seq = %s", (record.seq,))
                    self._hold(record.seq, list(keys))
        except errors.UniqueViolation as violation:
            raise self._taken(violation, list(keys or ()), record.id) from None
        return Record(record.kind, record.account, record.id, record.seq, doc)

    def delete(self, record):
        self._db.execute("DELETE FROM resources WHERE seq = %s", (record.seq,))  # keys go by ON DELETE CASCADE
        self._count(record.kind, record.account, -1)

    def page(self, kind, account, after_seq, limit, where=None):
        sql = "SELECT seq, kind, account, id, doc FROM resources WHERE kind = %s AND account = %s AND seq > %s"
        args: list = [kind, account, after_seq]
        for field, value in (where or {}).items():
            # jsonb containment: a string field equal to the value, or a list field holding it.
            sql += " AND doc #> %s @> to_jsonb(%s::text)"
            args += [field.split("."), value]
        sql += " ORDER BY seq LIMIT %s"
        args.append(limit)
        return [self._record(row) for row in self._db.execute(sql, args)]

    def count(self, kind, account):
        row = self._db.execute("SELECT n FROM counts WHERE kind = %s AND account = %s", (kind, account)).fetchone()
        return row[0] if row else 0

    def census(self):
        return [tuple(row) for row in self._db.execute(
            "SELECT account, kind, n FROM counts WHERE n > 0 ORDER BY account, kind")]


class _Transaction:
    __slots__ = ("_store", "_db", "_lock")

    def __init__(self, store: "PostgresStore", account: str | None, alone: bool):
        self._store = store
        self._lock = _lock_statement(account, alone)

    def __enter__(self) -> _PostgresTransaction:
        connection = self._db = self._store.pool.getconn()
        try:
            if self._lock is not None:
                connection.execute(self._lock)  # autocommit: held from now until unlocked, outside the snapshot
            # Begun by hand rather than by connection.transaction(): the writes' blocks are still savepoints
            # (psycopg sees the open transaction), and the end can carry the unlock in the same round trip.
            connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        except BaseException as error:
            self._release()
            if isinstance(error, _RETRYABLE):
                raise TransientConflict() from None
            raise
        return _PostgresTransaction(connection)

    def __exit__(self, kind, error, trace) -> bool:
        unlock = "; SELECT pg_advisory_unlock_all()" if self._lock is not None else ""
        try:
            self._db.execute(("ROLLBACK" if kind is not None else "COMMIT") + unlock)
            unlock = ""
        except _RETRYABLE:  # COMMIT found the conflict; the transaction is over, the unlock not yet run
            self._release(unlock)
            raise TransientConflict() from None
        except BaseException:
            self._release(unlock)
            raise
        self._store.pool.putconn(self._db)
        if kind is not None and issubclass(kind, _RETRYABLE):
            raise TransientConflict() from error
        return False

    def _release(self, unlock: str = "; SELECT pg_advisory_unlock_all()") -> None:
        """Give the connection back with no transaction open and no lock held; one that cannot be brought
        there is closed (the pool replaces it, and PostgreSQL drops a closed session's locks)."""
        try:
            if self._db.pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self._db.execute("ROLLBACK")
            if self._lock is not None and unlock:
                self._db.execute("SELECT pg_advisory_unlock_all()")
        except Exception:
            self._db.close()
        self._store.pool.putconn(self._db)


def _lock_statement(account: str | None, alone: bool) -> str | None:
    if account is None and not alone:
        return None
    own = f"pg_advisory_lock({WRITER_LOCKS}, {_account_lock(account)})" if account is not None else ""
    everyone = f"pg_advisory_lock{'' if alone else '_shared'}({WRITER_LOCKS}, 0)"
    # Always the account's lock first, then the global one: one order, so the locks cannot deadlock.
    return "SELECT " + ", ".join(part for part in (own, everyone) if part)


def _account_lock(account: str) -> int:
    number = zlib.crc32(account.encode())
    return (number - (1 << 32) if number >= 1 << 31 else number) or 1  # an int4; 0 is the global lock's


class PostgresStore:
    workers = WORKERS  # the server runs this many requests at once, each in a thread of its own

    def __init__(self, url: str, max_connections: int = WORKERS + 2):
        self.url = url
        try:
            self._migrate()  # first, on a plain connection: an unreachable database fails here, at once
        except psycopg.Error as error:
            raise RuntimeError(f"cannot use the PostgreSQL database: {error}".strip()) from None
        self.pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True,
                                   kwargs={"autocommit": True}, configure=self._configure, timeout=30)

    @staticmethod
    def _configure(connection: psycopg.Connection) -> None:
        # Autocommit, so that the store's own transaction() block is the transaction, serializable.
        connection.isolation_level = psycopg.IsolationLevel.SERIALIZABLE

    def _migrate(self) -> None:
        # Outside any serializable transaction, under a session lock: each server waits for the one before
        # it, then sees its work (a snapshot taken before the lock would not).
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                for statement in SCHEMA:
                    connection.execute(statement)
                row = connection.execute("SELECT max(version) FROM cloudfront_local_schema").fetchone()
                if row[0] is not None and row[0] > SCHEMA_VERSION:
                    raise RuntimeError(f"the database was written by a newer cloudfront-local (schema {row[0]})")
                if row[0] is None:
                    connection.execute("INSERT INTO cloudfront_local_schema (version) VALUES (%s)",
                                       (SCHEMA_VERSION,))
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def transaction(self, account: str | None = None, alone: bool = False) -> _Transaction:
        return _Transaction(self, account, alone)

    def clear(self) -> None:
        with self.pool.connection() as connection:
            connection.execute("TRUNCATE resources, unique_keys, counts")

    def close(self) -> None:
        self.pool.close()
