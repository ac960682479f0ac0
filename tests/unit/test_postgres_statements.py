"""The PostgreSQL store's connections stay usable after a write fails inside a pipeline.

psycopg prepares a query on its fifth run. A write's statements go out together in a pipeline, and when one
of them fails (a serialization failure under contention, here a document PostgreSQL refuses), PostgreSQL
skips the rest, a prepare among them, while psycopg 3.3 records that prepare as done: every later run of the
query on that connection then failed with "prepared statement does not exist", and the API answered 500.
"""
import psycopg
import pytest

from cloudfront_local.store.postgres import PostgresStore


@pytest.fixture
def store(postgres):
    # One connection, so that every transaction below runs on the connection the failure happened on.
    store = PostgresStore(postgres.database(), max_connections=1)
    yield store
    store.close()


def _insert(store, n: int, doc: dict) -> None:
    with store.transaction("111") as tx:
        tx.insert("thing", "111", f"t{n}", doc, [("111", "name", f"n{n}")])


def test_failed_writes_at_every_run_count_leave_the_connection_usable(store):
    """A write that fails (JSONB holds no NUL character) beside ones that succeed, at each run count of the
    insert's and the replace's statements: every later statement runs."""
    for n in range(8):
        _insert(store, n, {"n": n})
        with pytest.raises(psycopg.errors.UntranslatableCharacter):
            _insert(store, 100 + n, {"n": "\x00"})
        with store.transaction("111") as tx:
            tx.replace(tx.get("thing", "111", f"t{n}"), {"n": -n}, [("111", "name", f"m{n}")])
        with pytest.raises(psycopg.errors.UntranslatableCharacter):
            with store.transaction("111") as tx:
                tx.replace(tx.get("thing", "111", f"t{n}"), {"n": "\x00"}, [("111", "name", f"x{n}")])
    with store.transaction("111") as tx:
        for n in range(8):
            tx.delete(tx.get("thing", "111", f"t{n}"))
    with store.transaction() as tx:
        assert tx.count("thing", "111") == 0
