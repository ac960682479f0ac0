"""The SQLite store: unique keys, paging order, atomic transactions and durability across reopen."""
import pytest

from cloudfront_local.store import GLOBAL, KeyTaken
from cloudfront_local.store.memory import MemoryStore
from cloudfront_local.store.sqlite import SqliteStore


@pytest.fixture(params=["process", "sqlite-memory", "sqlite-file", "postgresql"])
def store(request, tmp_path):
    if request.param == "postgresql":
        from cloudfront_local.store.postgres import PostgresStore

        store = PostgresStore(request.getfixturevalue("postgres").database())
    else:
        store = {"process": lambda: MemoryStore(), "sqlite-memory": lambda: SqliteStore(":memory:"),
                 "sqlite-file": lambda: SqliteStore(str(tmp_path / "state.sqlite"))}[request.param]()
    yield store
    store.close()


def test_insert_get_find(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "t1", {"Name": "one"}, [("111", "name", "one"), (GLOBAL, "host", "h1")])
    with store.transaction() as tx:
        assert tx.get("thing", "111", "t1").doc == {"Name": "one"}
        assert tx.get("thing", "222", "t1") is None
        assert tx.find("111", "name", "one").id == "t1"
        assert tx.find("222", "name", "one") is None
        assert tx.find(GLOBAL, "host", "h1").account == "111"


def test_unique_keys_are_enforced_and_freed_on_delete(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "t1", {}, [("111", "name", "one")])
    with pytest.raises(KeyTaken):
        with store.transaction() as tx:
            tx.insert("thing", "111", "t2", {}, [("111", "name", "one")])
    with store.transaction() as tx:
        assert tx.get("thing", "111", "t2") is None  # the failed insert was rolled back whole
        tx.insert("thing", "222", "t3", {}, [("222", "name", "one")])  # another account: free
        tx.delete(tx.get("thing", "111", "t1"))
    with store.transaction() as tx:
        tx.insert("thing", "111", "t4", {}, [("111", "name", "one")])


def test_failed_transaction_changes_nothing(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "t1", {"v": 1})
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.replace(tx.get("thing", "111", "t1"), {"v": 2})
            raise RuntimeError("boom")
    with store.transaction() as tx:
        assert tx.get("thing", "111", "t1").doc == {"v": 1}


def test_paging_is_in_insertion_order_and_filters(store):
    with store.transaction() as tx:
        for i in range(10):
            tx.insert("thing", "111", f"t{i}", {"parity": "even" if i % 2 == 0 else "odd"})
        tx.insert("other", "111", "o1", {})
    with store.transaction() as tx:
        first = tx.page("thing", "111", 0, 4)
        assert [r.id for r in first] == ["t0", "t1", "t2", "t3"]
        rest = tx.page("thing", "111", first[-1].seq, 100)
        assert [r.id for r in rest] == [f"t{i}" for i in range(4, 10)]
        assert [r.id for r in tx.page("thing", "111", 0, 100, {"parity": "odd"})] == ["t1", "t3", "t5", "t7", "t9"]
        assert tx.count("thing", "111") == 10
        assert tx.count("thing", "222") == 0


def test_census_counts_every_account_and_kind_holding_records(store):
    with store.transaction() as tx:
        for i in range(3):
            tx.insert("thing", "222", f"t{i}", {})
        tx.insert("other", "111", "o1", {})
        tx.insert("gone", "111", "g1", {})
        tx.insert("zone", GLOBAL, "z1", {})
    with store.transaction() as tx:
        tx.delete(tx.get("gone", "111", "g1"))
    with store.transaction() as tx:
        assert tx.census() == [(GLOBAL, "zone", 1), ("111", "other", 1), ("222", "thing", 3)]


def test_a_generation_changes_with_every_write_where_the_store_keeps_one(store):
    with store.transaction() as tx:
        if not hasattr(tx, "generation"):
            assert type(store).__name__ == "PostgresStore"  # shared with other servers: the edge reads each time
            return
        seen = [tx.generation()]
        record = tx.insert("thing", "111", "t1", {"v": 1})
    for change in (lambda tx: tx.replace(tx.get("thing", "111", "t1"), {"v": 2}),
                   lambda tx: tx.delete(tx.get("thing", "111", "t1")), lambda tx: None):
        with store.transaction() as tx:
            seen.append(tx.generation())
            change(tx)
    store.clear()
    with store.transaction() as tx:
        seen.append(tx.generation())
        assert tx.generation() == seen[-1]  # reading changes nothing
    # seen: before the insert, after it, after the replace, after the delete, after the reset
    assert len(set(seen[:4])) == 4, seen
    assert seen[4] != seen[3], seen  # a reset is a write
    assert record.id == "t1"


def test_sequence_numbers_are_never_reused(store):
    with store.transaction() as tx:
        last = tx.insert("thing", "111", "t1", {})
        tx.delete(last)
    with store.transaction() as tx:
        assert tx.insert("thing", "111", "t2", {}).seq > last.seq


def test_file_state_survives_reopen(tmp_path):
    path = str(tmp_path / "state.sqlite")
    store = SqliteStore(path)
    with store.transaction() as tx:
        tx.insert("thing", "111", "t1", {"Name": "kept", "When": "2026-11-24T10:00:00.123Z"}, [("111", "name", "kept")])
    store.close()
    reopened = SqliteStore(path)
    with reopened.transaction() as tx:
        assert tx.get("thing", "111", "t1").doc == {"Name": "kept", "When": "2026-11-24T10:00:00.123Z"}
        assert tx.find("111", "name", "kept").id == "t1"
    reopened.close()


def test_clear(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "t1", {}, [("111", "name", "x")])
    store.clear()
    with store.transaction() as tx:
        assert tx.get("thing", "111", "t1") is None
        tx.insert("thing", "111", "t2", {}, [("111", "name", "x")])


def test_replace_can_change_the_keys_a_record_holds(store):
    with store.transaction() as tx:
        first = tx.insert("tenant", "111", "t1", {}, [("111", "domain", "a.example"), ("111", "domain", "b.example")])
        tx.insert("tenant", "111", "t2", {}, [("111", "domain", "c.example")])
    with pytest.raises(KeyTaken):
        with store.transaction() as tx:
            tx.replace(first, {}, [("111", "domain", "c.example")])
    with store.transaction() as tx:
        tx.replace(first, {"moved": True}, [("111", "domain", "b.example"), ("111", "domain", "d.example")])
    with store.transaction() as tx:
        assert tx.find("111", "domain", "a.example") is None
        assert tx.find("111", "domain", "d.example").doc == {"moved": True}
        assert tx.find("111", "domain", "c.example").id == "t2"


def test_page_filters_on_nested_fields(store):
    with store.transaction() as tx:
        tx.insert("tenant", "111", "t1", {"Customizations": {"WebAcl": {"Arn": "arn:a"}}})
        tx.insert("tenant", "111", "t2", {"Customizations": {"Certificate": {"Arn": "arn:c"}}})
    with store.transaction() as tx:
        assert [r.id for r in tx.page("tenant", "111", 0, 10, {"Customizations.WebAcl.Arn": "arn:a"})] == ["t1"]


def _snapshot(store):
    with store.transaction() as tx:
        return ([(r.id, r.doc) for r in tx.page("thing", "111", 0, 100)], tx.count("thing", "111"),
                [tx.find("111", "name", n) and tx.find("111", "name", n).id for n in ("a", "b", "c", "d")])


def test_a_failed_transaction_undoes_every_kind_of_write(store):
    with store.transaction() as tx:
        a = tx.insert("thing", "111", "a", {"v": 1}, [("111", "name", "a")])
        tx.insert("thing", "111", "b", {"v": 2}, [("111", "name", "b")])
    before = _snapshot(store)
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.insert("thing", "111", "c", {"v": 3}, [("111", "name", "c")])
            tx.replace(a, {"v": 10}, [("111", "name", "d")])
            tx.delete(tx.get("thing", "111", "b"))
            raise RuntimeError("boom")
    assert _snapshot(store) == before
    with store.transaction() as tx:  # and the store still works normally afterwards
        tx.insert("thing", "111", "c", {"v": 3}, [("111", "name", "c")])
        assert tx.count("thing", "111") == 3


def test_documents_handed_out_are_copies(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "a", {"nested": {"v": 1}})
    with store.transaction() as tx:
        tx.get("thing", "111", "a").doc["nested"]["v"] = 99
        tx.page("thing", "111", 0, 10)[0].doc["nested"]["v"] = 98
    with store.transaction() as tx:
        assert tx.get("thing", "111", "a").doc == {"nested": {"v": 1}}


def test_one_record_cannot_hold_a_key_twice_or_take_anothers(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "a", {}, [("111", "name", "a")])
    with pytest.raises(KeyTaken):
        with store.transaction() as tx:
            tx.insert("thing", "111", "b", {}, [("111", "name", "x"), ("111", "name", "x")])
    with store.transaction() as tx:
        assert tx.get("thing", "111", "b") is None


def test_a_write_refused_for_a_taken_key_leaves_nothing_behind(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "a", {"v": 1}, [("111", "name", "a")])
        b = tx.insert("thing", "111", "b", {"v": 2}, [("111", "name", "b")])
    with store.transaction() as tx:  # the caller catches KeyTaken and carries on in the same transaction
        with pytest.raises(KeyTaken):
            tx.insert("thing", "111", "c", {"v": 3}, [("111", "name", "a")])
        with pytest.raises(KeyTaken):
            tx.replace(b, {"v": 20}, [("111", "name", "a")])
        assert tx.get("thing", "111", "c") is None
        assert tx.count("thing", "111") == 2
        assert tx.get("thing", "111", "b").doc == {"v": 2}
        assert tx.find("111", "name", "b").id == "b"
    with store.transaction() as tx:
        assert tx.count("thing", "111") == 2
        assert tx.find("111", "name", "b").id == "b"
        assert tx.get("thing", "111", "b").doc == {"v": 2}


def test_where_matches_a_string_field_or_an_element_of_a_list_field(store):
    with store.transaction() as tx:
        tx.insert("dist", "111", "d1", {"uses": ["cache:a", "oac:b"], "one": "cache:a"})
        tx.insert("dist", "111", "d2", {"uses": ["cache:c"], "one": None})
        tx.insert("dist", "111", "d3", {"uses": [], "nested": {"uses": ["cache:a"]}})
        tx.insert("dist", "222", "d4", {"uses": ["cache:a"]})
    with store.transaction() as tx:
        assert [r.id for r in tx.page("dist", "111", 0, 10, {"uses": "cache:a"})] == ["d1"]
        assert [r.id for r in tx.page("dist", "111", 0, 10, {"uses": "oac:b"})] == ["d1"]
        assert [r.id for r in tx.page("dist", "111", 0, 10, {"uses": "cache"})] == []
        assert [r.id for r in tx.page("dist", "111", 0, 10, {"one": "cache:a"})] == ["d1"]
        assert [r.id for r in tx.page("dist", "111", 0, 10, {"nested.uses": "cache:a"})] == ["d3"]
        assert [r.id for r in tx.page("dist", "111", 0, 10, {"missing": "cache:a"})] == []


def test_holders_of_a_key_in_every_scope(store):
    with store.transaction() as tx:
        tx.insert("thing", "111", "a", {"n": 1}, [("111", "domain", "x.example.com")])
        tx.insert("thing", "222", "b", {"n": 2}, [("222", "domain", "x.example.com")])
        tx.insert("thing", "222", "c", {"n": 3}, [("222", "domain", "y.example.com")])
    with store.transaction() as tx:
        assert [(r.account, r.id, r.doc) for r in tx.holders("domain", "x.example.com", 10)] == [
            ("111", "a", {"n": 1}), ("222", "b", {"n": 2})]
        assert [r.id for r in tx.holders("domain", "x.example.com", 1)] == ["a"]
        assert tx.holders("domain", "z.example.com", 10) == []
    # Moved, rolled back, deleted: the lookup follows the keys as they end up.
    with store.transaction() as tx:
        tx.replace(tx.get("thing", "111", "a"), {"n": 1}, [("111", "domain", "w.example.com")])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.delete(tx.get("thing", "222", "b"))
        raise RuntimeError("rolled back")
    with store.transaction() as tx:
        assert [r.id for r in tx.holders("domain", "x.example.com", 10)] == ["b"]
        assert [r.id for r in tx.holders("domain", "w.example.com", 10)] == ["a"]
        tx.delete(tx.get("thing", "222", "b"))
    with store.transaction() as tx:
        assert tx.holders("domain", "x.example.com", 10) == []
