"""Several `serve` processes on one PostgreSQL database: every guarantee of one server holds across them."""
import os
import random
import subprocess
import sys
import threading
import time

import botocore.exceptions
import pytest
import requests

from builders import multi_tenant_config
from concurrency import race
from conftest import make_client
from fuzzing import HttpTarget, fuzz, record_corpus
from serving import RunningServer
from test_readme_walkthrough import walkthrough


@pytest.fixture(scope="module")
def database(postgres):
    return postgres.database()


@pytest.fixture(scope="module")
def servers(database):
    settings = ("--state", database, "--deploy-delay", "1", "--connection-group-quota", "100000")
    with RunningServer(*settings) as first, RunningServer(*settings) as second:
        yield first, second


def _clients(servers, account, count=12):
    return [make_client(servers[i % 2].url, account) for i in range(count)]


def test_servers_started_together_migrate_once(postgres):
    database = postgres.database()
    command = [sys.executable, "-m", "cloudfront_local", "serve", "--port", "0", "--edge-port", "-1",
               "--state", database]
    processes = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        for process in processes:
            line = ""
            deadline = time.monotonic() + 30
            while "listening on" not in line and time.monotonic() < deadline:
                line = process.stderr.readline()
                assert line or process.poll() is None, "a server died while migrating"
            assert "listening on" in line
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_names_are_unique_across_servers(servers, account):
    outcomes = race([lambda c=c: c.create_connection_group(Name="one-name") for c in _clients(servers, account)])
    codes = [code for code, _ in outcomes]
    assert codes.count("ok") == 1 and set(codes) - {"ok"} == {"EntityAlreadyExists"}


def test_if_match_has_one_winner_across_servers(servers, account):
    clients = _clients(servers, account)
    created = clients[0].create_connection_group(Name="contested")
    group_id, etag = created["ConnectionGroup"]["Id"], created["ETag"]
    outcomes = race([lambda c=c: c.update_connection_group(Id=group_id, IfMatch=etag, Ipv6Enabled=False)
                      for c in clients])
    codes = [code for code, _ in outcomes]
    assert codes.count("ok") == 1 and set(codes) - {"ok"} == {"PreconditionFailed"}


def test_one_default_connection_group_across_servers(servers, account):
    distribution = make_client(servers[0].url, account).create_distribution(
        DistributionConfig=multi_tenant_config())["Distribution"]
    outcomes = race([lambda c=c, i=i: c.create_distribution_tenant(
        DistributionId=distribution["Id"], Name=f"first-{i}", Domains=[{"Domain": f"f{i}.example.com"}],
        Parameters=[{"Name": "tenantName", "Value": "x"}]) for i, c in enumerate(_clients(servers, account))])
    assert all(code == "ok" for code, _ in outcomes)
    groups = {result["DistributionTenant"]["ConnectionGroupId"] for _, result in outcomes}
    assert len(groups) == 1
    listed = make_client(servers[1].url, account).list_connection_groups()["ConnectionGroups"]
    assert [g["Id"] for g in listed if g["IsDefault"]] == list(groups)


def test_quota_holds_across_servers(postgres, account):
    database = postgres.database()
    with RunningServer("--state", database, "--connection-group-quota", "5") as first, \
            RunningServer("--state", database, "--connection-group-quota", "5") as second:
        clients = _clients((first, second), account)
        outcomes = race([lambda c=c, i=i: c.create_connection_group(Name=f"q{i}") for i, c in enumerate(clients)])
        codes = [code for code, _ in outcomes]
        assert codes.count("ok") == 5 and set(codes) - {"ok"} == {"EntityLimitExceeded"}


def test_paging_across_servers_while_both_create(servers, account):
    writer_a, writer_b = make_client(servers[0].url, account), make_client(servers[1].url, account)
    for i in range(20):
        writer_a.create_connection_group(Name=f"early-{i}")
    stop = threading.Event()
    made: list[str] = []

    failures = []

    def write(client, prefix):
        i = 0
        while not stop.is_set():
            try:
                client.create_connection_group(Name=f"{prefix}-{i}")
            except botocore.exceptions.ClientError as error:
                failures.append(error)
                return
            made.append(f"{prefix}-{i}")
            i += 1

    threads = [threading.Thread(target=write, args=(writer_a, "a")), threading.Thread(target=write, args=(writer_b, "b"))]
    for thread in threads:
        thread.start()
    reader = make_client(servers[1].url, account)
    seen, marker = [], None
    try:
        while True:
            page = reader.list_connection_groups(MaxItems=3, **({"Marker": marker} if marker else {}))
            seen += [g["Name"] for g in page["ConnectionGroups"]]
            marker = page.get("NextMarker")
            if not marker:
                break
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures
    assert made, "the writers wrote nothing while the reader paged"
    assert len(seen) == len(set(seen))
    assert {f"early-{i}" for i in range(20)} <= set(seen)
    # Whatever was acknowledged before the walk ended and is not in it was made after the last page.
    everything = {g["Name"] for page in reader.get_paginator("list_connection_groups").paginate()
                  for g in page["ConnectionGroups"]}
    assert set(made) <= everything


def test_status_timing_is_the_same_on_every_server(servers, account):
    created = make_client(servers[0].url, account).create_connection_group(Name="timed")
    group_id = created["ConnectionGroup"]["Id"]
    statuses = {make_client(s.url, account).get_connection_group(Identifier=group_id)["ConnectionGroup"]["Status"]
                for s in servers}
    assert statuses == {"InProgress"}
    time.sleep(1.1)
    statuses = {make_client(s.url, account).get_connection_group(Identifier=group_id)["ConnectionGroup"]["Status"]
                for s in servers}
    assert statuses == {"Deployed"}


def test_the_walkthrough_runs_on_postgresql(servers, account, tmp_path):
    environment = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
                   "AWS_ENDPOINT_URL_CLOUDFRONT": servers[1].url, "AWS_ACCESS_KEY_ID": account,
                   "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    result = subprocess.run([sys.executable, "-c", walkthrough("python")], env=environment, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_readme_scale_out_section_runs_as_written(postgres, tmp_path):
    import re
    import signal
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"<!-- scale-out: sh -->\n```sh\n(.*?)\n```", readme, re.S).group(1)
    environment = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
                   "DATABASE_URL": postgres.database(), "AWS_ACCESS_KEY_ID": "135791357913",
                   "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    process = subprocess.Popen(["bash", "-c", block + "\nkill %1 %2\nwait"], env=environment, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, err
    assert out.count('"Name": "shared-group"') == 2


@pytest.mark.parametrize("path", ["/2020-05-31/connection-group/cg_%00x", "/2020-05-31/distribution/E1%01",
                                  "/2020-05-31/distribution-tenant?domain=a%00.example.com"])
def test_text_postgresql_cannot_hold_is_a_400_not_a_500(servers, path):
    # PostgreSQL's text refuses NUL; no such character may reach the store from any part of a request.
    response = requests.get(servers[0].url + path, headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x/y"})
    assert response.status_code == 400, response.text
    assert b"<Code>InvalidArgument</Code>" in response.content


def test_mutants_on_postgresql_never_get_a_5xx(servers, account):
    corpus = record_corpus(account, "secret", endpoint_url=servers[0].url)
    fuzz(HttpTarget(servers[1].url), corpus, random.Random(int(os.environ.get("CLOUDFRONT_LOCAL_FUZZ_SEED", "9"))),
         300, on_answer=lambda request, response, regions: _assert_below_500(request, response))
    assert not [line for server in servers for line in server.lines if "internal error" in line]


def _assert_below_500(request, response):
    assert response.status < 500 or response.status == 501, (request.method, request.path, request.query,
                                                              request.body[:300], response.body[:300])
