"""Real concurrency against live servers: one winner for every race, on one server and across two sharing a
state file."""
import sqlite3

import pytest

from concurrency import race
from conftest import make_client
from serving import RunningServer


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    state = str(tmp_path_factory.mktemp("race") / "state.sqlite")
    with RunningServer("--state", state) as first, RunningServer("--state", state) as second:
        yield first, second


def _codes(calls) -> list:
    """The error code of each racing call, None for a success."""
    return [None if code == "ok" else code for code, _ in race(calls)]


def _clients(server, pair, account, where):
    """Twelve clients of one account, on one server or spread over the two that share a state file."""
    urls = [server.url] if where == "one server" else [pair[0].url, pair[1].url]
    return [make_client(urls[i % len(urls)], account) for i in range(12)]


@pytest.mark.parametrize("where", ["one server", "two servers"])
def test_concurrent_updates_with_one_etag_have_one_winner(server, pair, account, where):
    clients = _clients(server, pair, account, where)
    created = clients[0].create_connection_group(Name="contested", Enabled=True)
    group_id, etag = created["ConnectionGroup"]["Id"], created["ETag"]
    outcomes = _codes([lambda c=c: c.update_connection_group(Id=group_id, IfMatch=etag, Enabled=False)
                      for c in clients])
    assert outcomes.count(None) == 1
    assert set(outcomes) - {None} == {"PreconditionFailed"}


@pytest.mark.parametrize("where", ["one server", "two servers"])
def test_concurrent_deletes_with_one_etag_have_one_winner(server, pair, account, where):
    clients = _clients(server, pair, account, where)
    created = clients[0].create_connection_group(Name="doomed", Enabled=False)
    group_id, etag = created["ConnectionGroup"]["Id"], created["ETag"]
    outcomes = _codes([lambda c=c: c.delete_connection_group(Id=group_id, IfMatch=etag) for c in clients])
    assert outcomes.count(None) == 1
    assert set(outcomes) - {None} <= {"EntityNotFound", "PreconditionFailed"}


@pytest.mark.parametrize("where", ["one server", "two servers"])
def test_concurrent_creates_of_one_name_have_one_winner(server, pair, account, where):
    clients = _clients(server, pair, account, where)
    outcomes = _codes([lambda c=c: c.create_connection_group(Name="only-one") for c in clients])
    assert outcomes.count(None) == 1
    assert set(outcomes) - {None} == {"EntityAlreadyExists"}
    assert len(clients[0].list_connection_groups()["ConnectionGroups"]) == 1


def test_the_shared_state_file_stays_intact(pair):
    make_client(pair[0].url, "123123123123").create_connection_group(Name="integrity")
    path = pair[0].process.args[pair[0].process.args.index("--state") + 1]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
