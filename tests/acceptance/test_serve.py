"""`cloudfront-local serve` as a user runs it: flags, environment variables, state files, request logs."""
import os
import re
import subprocess
import sys
import time

import pytest
import requests

from conftest import make_client
from serving import RunningServer


def test_state_file_survives_restart_exactly(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with RunningServer("--state", state) as first:
        client = make_client(first.url, "333344445555")
        created = client.create_connection_group(Name="durable", Tags={"Items": [{"Key": "k", "Value": "v"}]})
        updated = client.update_connection_group(Id=created["ConnectionGroup"]["Id"], IfMatch=created["ETag"],
                                                 Ipv6Enabled=False)
        before = client.get_connection_group(Identifier="durable")
        listed_before = client.list_connection_groups()["ConnectionGroups"]
    with RunningServer("--state", state) as second:
        client = make_client(second.url, "333344445555")
        after = client.get_connection_group(Identifier="durable")
        assert after["ConnectionGroup"] == before["ConnectionGroup"]
        assert after["ETag"] == before["ETag"] == updated["ETag"]
        assert client.list_connection_groups()["ConnectionGroups"] == listed_before
        with pytest.raises(client.exceptions.EntityAlreadyExists):
            client.create_connection_group(Name="durable")


def test_without_state_every_run_starts_empty():
    for _ in range(2):
        with RunningServer() as running:
            client = make_client(running.url, "333344445556")
            assert client.list_connection_groups()["ConnectionGroups"] == []
            client.create_connection_group(Name="ephemeral")


def test_environment_variables_configure_the_server(tmp_path):
    state = str(tmp_path / "env.sqlite")
    env = {"CLOUDFRONT_LOCAL_STATE": state, "CLOUDFRONT_LOCAL_DEFAULT_ACCOUNT": "999988887777",
           "CLOUDFRONT_LOCAL_CONNECTION_GROUP_QUOTA": "1", "CLOUDFRONT_LOCAL_DEPLOY_DELAY": "30"}
    with RunningServer(env=env) as running:
        client = make_client(running.url)  # a non-numeric key: the default account
        group = client.create_connection_group(Name="from-env")["ConnectionGroup"]
        assert ":999988887777:" in group["Arn"]
        assert client.get_connection_group(Identifier="from-env")["ConnectionGroup"]["Status"] == "InProgress"
        with pytest.raises(client.exceptions.EntityLimitExceeded):
            client.create_connection_group(Name="second")
    assert os.path.getsize(state) > 0


def test_one_log_line_per_request(server, account):
    client = make_client(server.url, account)
    client.create_connection_group(Name="logged")
    with pytest.raises(client.exceptions.EntityNotFound):
        client.get_connection_group(Identifier="missing-for-log")
    deadline = time.monotonic() + 5
    pattern_create = re.compile(rf"CreateConnectionGroup {account} POST 201 \d+\.\dms")
    pattern_get = re.compile(rf"GetConnectionGroup {account} GET 404 \d+\.\dms")
    while time.monotonic() < deadline:
        text = "".join(server.lines)
        if pattern_create.search(text) and pattern_get.search(text):
            break
        time.sleep(0.05)
    text = "".join(server.lines)
    assert pattern_create.search(text) and pattern_get.search(text)


def test_bad_flags_exit_with_a_message():
    result = subprocess.run([sys.executable, "-m", "cloudfront_local", "serve", "--default-account", "abc"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "12 digits" in result.stderr


def test_console_script_is_installed():
    result = subprocess.run(["cloudfront-local", "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert result.stdout.startswith("cloudfront-local ")


def test_edge_port_any_free_one_or_none():
    with RunningServer() as running:  # tests/serving.py asks for --edge-port 0: any free port
        assert running.edge_url and running.edge_url != running.url
        unknown = requests.get(running.edge_url + "/", headers={"Host": "nobody.example.com"}, timeout=5)
        assert unknown.status_code == 403
    with RunningServer("--edge-port", "-1") as running:
        assert running.edge_url is None
        assert not any("edge listening" in line for line in running.lines)
    result = subprocess.run([sys.executable, "-m", "cloudfront_local", "serve", "--edge-port", "70000"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "edge port" in result.stderr
