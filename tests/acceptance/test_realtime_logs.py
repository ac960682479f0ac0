"""Real-time logs: a cache behavior naming a real-time log configuration sends a record per sampled viewer
request to the configuration's Kinesis data stream, read back with boto3 from moto's Kinesis (--kinesis-endpoint);
without an endpoint, to a file per stream in --log-dir. Fields in CloudFront's order, tab-separated, one
record per line."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from builders import CACHING_OPTIMIZED, direct_config
from conftest import make_client
from moto_servers import MotoServer
from serving import RunningServer

# The configuration lists them out of order; CloudFront sends them in its own (Developer Guide, "Real-time
# log configuration fields": timestamp, c-ip, ..., sc-status, ..., cs-method, ..., cs-uri-stem, ...).
CONFIGURED = ["cs-uri-stem", "sc-status", "timestamp", "cs-user-agent", "x-edge-result-type", "cs-method",
              "c-ip", "cache-behavior-path-pattern", "cs-uri-query", "x-edge-request-id"]
SENT = ["timestamp", "c-ip", "sc-status", "cs-method", "cs-uri-stem", "x-edge-request-id", "cs-user-agent",
        "cs-uri-query", "x-edge-result-type", "cache-behavior-path-pattern"]


@pytest.fixture
def site(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_bytes(b"<h1>hello</h1>")
    return tmp_path


def _setup(client, account: str, stream_arn: str, rate: int = 100) -> dict:
    config = client.create_realtime_log_config(
        Name=f"rt-{uuid.uuid4().hex[:8]}", SamplingRate=rate, Fields=CONFIGURED,
        EndPoints=[{"StreamType": "Kinesis", "KinesisStreamConfig": {
            "RoleARN": f"arn:aws:iam::{account}:role/cf-realtime", "StreamARN": stream_arn}}])["RealtimeLogConfig"]
    return client.create_distribution(DistributionConfig=direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "bucket", "DomainName": "site.s3.amazonaws.com",
                                           "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        DefaultCacheBehavior={"TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
                              "CachePolicyId": CACHING_OPTIMIZED, "RealtimeLogConfigArn": config["ARN"]}))[
        "Distribution"]


def _view(server, domain: str, path: str) -> requests.Response:
    return requests.get(server.url + path, headers={"Host": domain, "User-Agent": "probe 1.0"}, timeout=15)


def _records(kinesis, stream: str) -> list[bytes]:
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


@pytest.fixture(scope="module")
def moto():
    running = MotoServer()
    yield running
    running.stop()


def test_records_reach_the_kinesis_stream(moto, site):
    kinesis = moto.client("kinesis")
    stream = f"cf-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    with RunningServer("--s3-dir", str(site), "--kinesis-endpoint", moto.url, "--log-flush-seconds", "0.5") as server:
        client = make_client(server.url)
        made = _setup(client, "123456789012", arn)
        answers = [_view(server, made["DomainName"], "/index.html?v=1"), _view(server, made["DomainName"], "/nope")]
        deadline = time.monotonic() + 20
        records = []
        while len(records) < 2 and time.monotonic() < deadline:
            records = _records(kinesis, stream)
            time.sleep(0.3)
    assert len(records) == 2
    rows = [data.decode() for data in records]
    assert all(row.endswith("\n") and row.count("\n") == 1 for row in rows)
    parsed = [dict(zip(SENT, row.rstrip("\n").split("\t"), strict=True)) for row in rows]
    by_id = {row["x-edge-request-id"]: row for row in parsed}
    first = by_id[answers[0].headers["X-Amz-Cf-Id"]]
    assert (first["cs-method"], first["cs-uri-stem"], first["sc-status"], first["cs-uri-query"]) == \
        ("GET", "/index.html", "200", "v=1")
    assert first["c-ip"] == "127.0.0.1" and first["cs-user-agent"] == "probe%201.0"
    assert first["x-edge-result-type"] == "Miss" and first["cache-behavior-path-pattern"] == "*"
    assert abs(float(first["timestamp"]) - time.time()) < 60 and "." in first["timestamp"]
    second = by_id[answers[1].headers["X-Amz-Cf-Id"]]
    assert second["sc-status"] == str(answers[1].status_code) and second["cs-uri-query"] == "-"


def test_records_in_a_file_per_stream_without_an_endpoint(site, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/local-stream"
    with RunningServer("--s3-dir", str(site), "--log-dir", str(logs), "--log-flush-seconds", "3600") as server:
        client = make_client(server.url)
        made = _setup(client, "123456789012", arn)
        for _ in range(3):
            assert _view(server, made["DomainName"], "/index.html").status_code == 200
    # Written at the clean stop, the flush an hour away.
    lines = (logs / "kinesis-123456789012-eu-west-1-local-stream.log").read_text().splitlines()
    assert len(lines) == 3
    assert all(line.split("\t")[SENT.index("cs-uri-stem")] == "/index.html" for line in lines)


def test_sampling_rate_sends_a_share(site, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    arn = "arn:aws:kinesis:us-east-1:123456789012:stream/sampled"
    with RunningServer("--s3-dir", str(site), "--log-dir", str(logs)) as server:
        made = _setup(make_client(server.url), "123456789012", arn, rate=10)
        session = requests.Session()
        for _ in range(300):
            session.get(server.url + "/index.html", headers={"Host": made["DomainName"]}, timeout=15)
    sent = (logs / "kinesis-123456789012-us-east-1-sampled.log").read_text().splitlines()
    # 10% of 300 is 30; fewer than 5 or more than 80 has odds far below one in a million.
    assert 5 <= len(sent) <= 80, len(sent)
