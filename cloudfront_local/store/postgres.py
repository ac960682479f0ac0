"""PostgreSQL behind the store interface: one state for many servers.

Every transaction is SERIALIZABLE, so the read-check-write sequences of the service (If-Match, quotas,
unique names, the default connection group) are atomic across servers; unique constraints back the keys.
A transaction PostgreSQL cannot serialize raises TransientConflict, and the caller runs it again.
Per-(kind, account) counts are updated in the same transaction as every insert and delete: that keeps
quotas O(1), and it makes concurrent inserts of one kind in one account conflict, so their sequence
numbers commit in order and paging by sequence never skips a late commit.

Writers of one account queue instead of conflicting: a write transaction begins by locking its account's
lock table (LOCK TABLE, in the same round trip as BEGIN). LOCK TABLE is the one lock a serializable
transaction can take before its snapshot, so the snapshot is taken once the writer before it has committed
and the two cannot conflict; a lock taken by a query (pg_advisory_xact_lock, SELECT ... FOR UPDATE) would
come after the snapshot, and the conflict would remain. Being the transaction's own, the lock goes with it
at commit, rollback or a killed server. Accounts share LOCK_TABLES tables by hash (two accounts on one only
queue behind each other). Reads take no lock. What can still conflict is writers of different accounts
meeting on an index page, rarely; a transaction that has lost a few times runs `alone`, holding off every
other writer (ordinary writers hold the global lock table in a mode an alone writer's excludes), and a
writer with no concurrent writer cannot lose a serialization race.
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
LOCK_TABLES = 32  # the tables accounts' writers lock, by hash (see above); writers_lock is every writer's
# Request threads per server: the database waits of four overlap. On a 2-core machine eight seemed to cost more
# CPU per request in handing Python's GIL between them (two of four runs of benchmarks/scaleout.py's creates;
# the rest within the noise), and never did better. The pool holds two more connections, for the event loop's own reads (which host a
# viewer's request is for), so that busy request threads never hold it up.
WORKERS = 4
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
    # Tables that hold nothing, only locked (see above); created on every start, so stores made before
    # them gain them.
    "CREATE TABLE IF NOT EXISTS writers_lock ()",
    "; ".join(f"CREATE TABLE IF NOT EXISTS account_lock_{n} ()" for n in range(LOCK_TABLES)),
)
# One statement for an insert, its count and its keys, so that a write costs one round trip.
_INSERT = """WITH counted AS (
        INSERT INTO counts (kind, account, n) VALUES (%(kind)s, %(account)s, 1)
        ON CONFLICT (kind, account) DO UPDATE SET n = counts.n + 1),
    added AS (INSERT INTO resources (kind, account, id, doc) VALUES (%(kind)s, %(account)s, %(id)s, %(doc)s)
              RETURNING seq),
    held AS (INSERT INTO unique_keys (scope, key, value, seq)
             SELECT held.scope, held.key, held.value, added.seq
             FROM added, unnest(%(scopes)s::text[], %(keys)s::text[], %(values)s::text[]) AS held (scope, key, value))
    SELECT seq FROM added"""
_KEYS = """INSERT INTO unique_keys (scope, key, value, seq)
    SELECT held.scope, held.key, held.value, %(seq)s
    FROM unnest(%(scopes)s::text[], %(keys)s::text[], %(values)s::text[]) AS held (scope, key, value)"""
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
        keys = list(keys)
        args = {"kind": kind, "account": account, "id": id, "doc": Jsonb(doc), **_columns(keys)}
        try:
            seq = self._write([(_INSERT, args)]).fetchone()[0]
        except errors.UniqueViolation as violation:
            raise self._taken(violation, keys, id) from None
        return Record(kind, account, id, seq, doc)

    def _write(self, statements: list) -> psycopg.Cursor:
        """A write's statements sent together, in one round trip, inside a savepoint: a taken key must not
        doom the whole transaction (the pipeline skips what follows a failed statement, the savepoint undoes
        what preceded it). The last statement's cursor.

        No statement of a pipeline is prepared: psycopg prepares a query on its fifth run, and when an earlier
        statement of the pipeline fails, PostgreSQL skips the prepare while psycopg (3.3) records it as done;
        every later run of that query on the connection then fails with "prepared statement does not exist"
        (with two servers writing one account, 38 calls of 576 answered 500 so in one CI run)."""
        db = self._db
        failure = None
        with db.pipeline() as pipeline:
            try:
                db.execute("SAVEPOINT write", prepare=False)
                cursors = [db.execute(sql, args, prepare=False) for sql, args in statements]
                db.execute("RELEASE write", prepare=False)
            except psycopg.Error as raised:  # a failure's result came back while the rest was being sent
                failure = raised
            try:
                pipeline.sync()
            except psycopg.Error as raised:
                failure = failure or raised  # the first failure; the statements after it only report skipping
        if failure is not None:
            if isinstance(failure, errors.UniqueViolation):
                db.execute("ROLLBACK TO write; RELEASE write")
            raise failure
        return cursors[-1]

    def _count(self, kind: str, account: str, change: int) -> None:
        self._db.execute("INSERT INTO counts (kind, account, n) VALUES (%s, %s, %s)"
                         " ON CONFLICT (kind, account) DO UPDATE SET n = counts.n + EXCLUDED.n",
                         (kind, account, change), prepare=False)

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
        keys = list(keys) if keys is not None else None
        statements = [("UPDATE resources SET doc = %s WHERE seq = %s", (Jsonb(doc), record.seq))]
        if keys is not None:
            statements += [("DELETE FROM unique_keys WHERE seq = %s", (record.seq,)),
                           (_KEYS, {"seq": record.seq, **_columns(keys)})]
        try:
            self._write(statements)
        except errors.UniqueViolation as violation:
            raise self._taken(violation, keys or [], record.id) from None
        return Record(record.kind, record.account, record.id, record.seq, doc)

    def delete(self, record):
        with self._db.pipeline():  # both statements in one round trip
            self._db.execute("DELETE FROM resources WHERE seq = %s", (record.seq,),  # keys go by ON DELETE CASCADE
                             prepare=False)
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

    def truncate(self) -> None:
        """Every record gone (PostgresStore.clear, in a transaction of its own)."""
        self._db.execute("TRUNCATE resources, unique_keys, counts")

    def census(self):
        return [tuple(row) for row in self._db.execute(
            "SELECT account, kind, n FROM counts WHERE n > 0 ORDER BY account, kind")]


def _columns(keys: list) -> dict:
    return {"scopes": [k[0] for k in keys], "keys": [k[1] for k in keys], "values": [k[2] for k in keys]}


class _Transaction:
    __slots__ = ("_store", "_db", "_begin")

    def __init__(self, store: "PostgresStore", account: str | None, alone: bool):
        self._store = store
        self._begin = _begin(account, alone)

    def __enter__(self) -> _PostgresTransaction:
        connection = self._db = self._store.pool.getconn()
        try:
            # By hand rather than by connection.transaction(), so that the locks go in the same round trip;
            # the writes' blocks are still savepoints (psycopg sees the open transaction).
            connection.execute(self._begin)
        except BaseException as error:
            self._release()
            if isinstance(error, _RETRYABLE):
                raise TransientConflict() from None
            raise
        return _PostgresTransaction(connection)

    def __exit__(self, kind, error, trace) -> bool:
        try:
            self._db.execute("ROLLBACK" if kind is not None else "COMMIT")
        except _RETRYABLE:  # COMMIT found the conflict; the transaction is over
            self._release()
            raise TransientConflict() from None
        except BaseException:
            self._release()
            raise
        self._store.pool.putconn(self._db)
        if kind is not None and issubclass(kind, _RETRYABLE):
            raise TransientConflict() from error
        return False

    def _release(self) -> None:
        """Give the connection back with no transaction open; one that cannot be brought there is closed
        (the pool replaces it)."""
        try:
            if self._db.pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self._db.execute("ROLLBACK")
        except Exception:
            self._db.close()
        self._store.pool.putconn(self._db)


_BEGIN = "BEGIN ISOLATION LEVEL SERIALIZABLE"


def _begin(account: str | None, alone: bool) -> str:
    if account is None and not alone:
        return _BEGIN
    # The account's table first, then everyone's: one order, so that writers' locks cannot deadlock.
    own = f"; LOCK TABLE account_lock_{zlib.crc32(account.encode()) % LOCK_TABLES} IN EXCLUSIVE MODE" \
        if account is not None else ""
    return f"{_BEGIN}{own}; LOCK TABLE writers_lock IN {'EXCLUSIVE' if alone else 'ROW SHARE'} MODE"


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
        # Autocommit: the store begins its transactions itself (_Transaction), serializable.
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
        """Alone, so that no writer is cut in half; a deadlock with a reader (TRUNCATE's lock waits for the
        tables it reads) raises TransientConflict, as any transaction's lost race does."""
        with self.transaction(alone=True) as tx:
            tx.truncate()

    def close(self) -> None:
        self.pool.close()
