"""CloudFront's standard logs: a distribution with Logging enabled gets gzip files named
PREFIX/DISTRIBUTION_ID.YYYY-MM-DD-HH.UNIQUE.gz in its logging bucket (a local bucket of --s3-dir, or a bucket
of moto's S3 on --s3-endpoint), within a flush interval and at shutdown. They are read as an outside tool reads
them: the standard library's gzip and csv modules, and the column order of AWS's Athena table for CloudFront
logs, not the emulator's own field list."""
from __future__ import annotations

import csv
import gzip
import io
import re
import time
import uuid

import pytest
import requests

from builders import CACHING_OPTIMIZED, direct_config
from conftest import make_client
from moto_servers import MotoServer
from serving import RunningServer

# The columns of the CREATE EXTERNAL TABLE statement for CloudFront standard logs in the Amazon Athena User
# Guide ("Query Amazon CloudFront logs", "Create a table for CloudFront standard logs (legacy)"), in its order,
# with its 'skip.header.line.count'='2' (the #Version and #Fields lines) and FIELDS TERMINATED BY '\t'.
ATHENA_COLUMNS = [
    "date", "time", "x_edge_location", "sc_bytes", "c_ip", "cs_method", "cs_host", "cs_uri_stem", "sc_status",
    "cs_referrer", "cs_user_agent", "cs_uri_query", "cs_cookie", "x_edge_result_type", "x_edge_request_id",
    "x_host_header", "cs_protocol", "cs_bytes", "time_taken", "x_forwarded_for", "ssl_protocol", "ssl_cipher",
    "x_edge_response_result_type", "cs_protocol_version", "fle_status", "fle_encrypted_fields", "c_port",
    "time_to_first_byte", "x_edge_detailed_result_type", "sc_content_type", "sc_content_len", "sc_range_start",
    "sc_range_end",
]
NAME = re.compile(r"(?P<id>E[A-Z0-9]+)\.(?P<hour>\d{4}-\d{2}-\d{2}-\d{2})\.(?P<unique>[A-Za-z0-9]+)\.gz")


def read_log(data: bytes) -> tuple[list[str], list[dict]]:
    """(the two header lines, the rows as Athena's columns) of one log file."""
    text = gzip.decompress(data).decode("utf-8")
    lines = text.splitlines()
    rows = [dict(zip(ATHENA_COLUMNS, row, strict=True))
            for row in csv.reader(io.StringIO("\n".join(lines[2:])), delimiter="\t", quoting=csv.QUOTE_NONE)]
    return lines[:2], rows


def _s3_origin(bucket: str) -> dict:
    return {"Id": "bucket", "DomainName": f"{bucket}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}


def _distribution(client, origin_bucket: str, logging: dict, **origin) -> dict:
    return client.create_distribution(DistributionConfig=direct_config(
        Origins={"Quantity": 1, "Items": [{**_s3_origin(origin_bucket), **origin}]},
        DefaultCacheBehavior={"TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all",
                              "CachePolicyId": CACHING_OPTIMIZED},
        Logging=logging))["Distribution"]


def _view(server, domain: str, path: str, **headers) -> requests.Response:
    """A viewer request on the API's port, the distribution's domain as Host."""
    return requests.get(server.url + path, headers={"Host": domain, **headers}, timeout=15)


def _wait_for(find, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("no log file arrived")


@pytest.fixture
def buckets(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_bytes(b"<h1>hello</h1>")
    (tmp_path / "site" / "a b.txt").write_bytes(b"spaced")
    return tmp_path


def _local_files(buckets, prefix: str):
    folder = buckets / "logs" / prefix
    return sorted(p for p in folder.glob("*.gz")) if folder.is_dir() else []


def test_standard_log_in_a_local_bucket(buckets):
    with RunningServer("--s3-dir", str(buckets), "--log-flush-seconds", "0.5") as server:
        client = make_client(server.url)
        made = _distribution(client, "site", {"Enabled": True, "IncludeCookies": True,
                                              "Bucket": "logs.s3.amazonaws.com", "Prefix": "cf/"})
        domain = made["DomainName"]
        first = _view(server, domain, "/index.html?q=a%20b&x=1", Cookie="session=abc; theme=dark",
                      **{"User-Agent": "Mozilla/5.0 (Test Agent)", "Referer": "https://example.com/from here"})
        assert first.status_code == 200
        second = _view(server, domain, "/index.html")
        assert second.headers["X-Cache"] == "Hit from cloudfront"
        assert _view(server, domain, "/a%20b.txt").status_code == 200
        assert _view(server, domain, "/missing").status_code in (403, 404)
        files = _wait_for(lambda: _local_files(buckets, "cf"))
        rows = []
        deadline = time.monotonic() + 10
        while len(rows) < 4 and time.monotonic() < deadline:  # four requests may land in two flushes
            rows = [row for path in _local_files(buckets, "cf") for row in read_log(path.read_bytes())[1]]
            time.sleep(0.2)
        files = _local_files(buckets, "cf")
    found = NAME.fullmatch(files[0].name)
    assert found and found["id"] == made["Id"], files[0].name
    header, _ = read_log(files[0].read_bytes())
    assert header[0] == "#Version: 1.0"
    assert header[1].split(" ", 1)[0] == "#Fields:" and len(header[1].split(" ")[1:]) == len(ATHENA_COLUMNS)
    assert len(rows) == 4
    rows.sort(key=lambda r: (r["time"], r["cs_uri_stem"], r["x_edge_result_type"] == "Hit"))
    by_id = {row["x_edge_request_id"]: row for row in rows}
    one = by_id[first.headers["X-Amz-Cf-Id"]]
    assert found["hour"] == f"{one['date']}-{one['time'][:2]}"  # the hour of the requests, in UTC
    assert one["cs_method"] == "GET" and one["sc_status"] == "200" and one["cs_uri_stem"] == "/index.html"
    assert one["cs_host"] == domain and one["x_host_header"] == domain
    assert one["cs_uri_query"] == "q=a%20b&x=1"
    assert one["cs_user_agent"] == "Mozilla/5.0%20(Test%20Agent)"
    assert one["cs_referrer"] == "https://example.com/from%20here"
    assert one["cs_cookie"] == "session=abc;%20theme=dark"
    assert one["x_edge_result_type"] == "Miss" and one["cs_protocol"] == "http"
    assert one["cs_protocol_version"] == "HTTP/1.1" and one["c_ip"] == "127.0.0.1"
    assert one["sc_content_type"] == "text/html" and one["sc_content_len"] == "14"
    assert int(one["sc_bytes"]) > 14 and int(one["cs_bytes"]) > 0 and int(one["c_port"]) > 0
    assert float(one["time_taken"]) >= 0 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", one["date"])
    assert one["ssl_protocol"] == "-" and one["fle_status"] == "-" and one["sc_range_start"] == "-"
    hit = by_id[second.headers["X-Amz-Cf-Id"]]
    assert hit["x_edge_result_type"] == "Hit" and hit["cs_uri_query"] == "-" and hit["cs_cookie"] == "-"
    assert any(row["cs_uri_stem"] == "/a%20b.txt" for row in rows)
    assert any(row["x_edge_result_type"] == "Error" and row["cs_uri_stem"] == "/missing" for row in rows)
    for row in rows:
        assert "-" not in (row["date"], row["x_edge_request_id"]) and " " not in "".join(row.values())


def test_cookies_left_out_unless_included_and_nothing_for_logging_disabled(buckets):
    with RunningServer("--s3-dir", str(buckets), "--log-flush-seconds", "0.5") as server:
        client = make_client(server.url)
        without = _distribution(client, "site", {"Enabled": True, "IncludeCookies": False,
                                                 "Bucket": "logs.s3.amazonaws.com", "Prefix": "plain/"})
        quiet = _distribution(client, "site", {"Enabled": False, "IncludeCookies": True,
                                               "Bucket": "logs.s3.amazonaws.com", "Prefix": "quiet/"})
        assert _view(server, without["DomainName"], "/index.html", Cookie="secret=1").status_code == 200
        assert _view(server, quiet["DomainName"], "/index.html", Cookie="secret=1").status_code == 200
        files = _wait_for(lambda: _local_files(buckets, "plain"))
        time.sleep(1.5)  # a flush or two more: the disabled distribution's would have come by now
        assert _local_files(buckets, "quiet") == []
    rows = [row for path in files for row in read_log(path.read_bytes())[1]]
    assert [row["cs_cookie"] for row in rows] == ["-"]


def test_a_clean_stop_writes_what_waits(buckets):
    """An hour between flushes: what the requests left is written when the server stops, not lost."""
    server = RunningServer("--s3-dir", str(buckets), "--log-flush-seconds", "3600")
    try:
        client = make_client(server.url)
        made = _distribution(client, "site", {"Enabled": True, "IncludeCookies": False,
                                              "Bucket": "logs.s3.amazonaws.com", "Prefix": ""})
        for _ in range(5):
            assert _view(server, made["DomainName"], "/index.html").status_code == 200
        time.sleep(0.5)
        assert not list(buckets.glob("logs/*.gz"))  # nothing yet: the flush is an hour away
    finally:
        server.stop()
    files = list((buckets / "logs").glob(f"{made['Id']}.*.gz"))
    assert len(files) == 1
    assert len(read_log(files[0].read_bytes())[1]) == 5


def test_a_prefix_never_writes_outside_the_directory(buckets):
    with RunningServer("--s3-dir", str(buckets), "--log-flush-seconds", "0.5") as server:
        client = make_client(server.url)
        made = _distribution(client, "site", {"Enabled": True, "IncludeCookies": False,
                                              "Bucket": "logs.s3.amazonaws.com", "Prefix": "../../escape/"})
        assert _view(server, made["DomainName"], "/index.html").status_code == 200
        time.sleep(2)
        assert server.process.poll() is None
    assert not (buckets.parent / "escape").exists() and not (buckets / "escape").exists()
    assert any("not delivered" in line for line in server.lines)


@pytest.fixture(scope="module")
def moto():
    running = MotoServer()
    yield running
    running.stop()


def test_standard_log_put_into_an_s3_endpoint(moto):
    s3 = moto.client("s3")
    origin, logs = f"site-{uuid.uuid4().hex[:8]}", f"logs-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=origin)
    s3.create_bucket(Bucket=logs)
    s3.put_object(Bucket=origin, Key="index.html", Body=b"<h1>from moto</h1>", ContentType="text/html")
    with RunningServer("--s3-endpoint", moto.url, "--log-flush-seconds", "0.5") as server:
        client = make_client(server.url)
        # Signed reads (an origin access control): moto's S3 refuses an anonymous GetObject.
        oac = client.create_origin_access_control(OriginAccessControlConfig={
            "Name": f"oac-{uuid.uuid4().hex[:8]}", "SigningProtocol": "sigv4", "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
        made = _distribution(client, origin, {"Enabled": True, "IncludeCookies": False,
                                              "Bucket": f"{logs}.s3.amazonaws.com", "Prefix": "edge/"},
                             OriginAccessControlId=oac)
        answer = _view(server, made["DomainName"], "/index.html")
        assert answer.status_code == 200 and answer.content == b"<h1>from moto</h1>"
        listed = _wait_for(lambda: s3.list_objects_v2(Bucket=logs, Prefix="edge/").get("Contents"))
    key = listed[0]["Key"]
    assert NAME.fullmatch(key.removeprefix("edge/"))["id"] == made["Id"]
    header, rows = read_log(s3.get_object(Bucket=logs, Key=key)["Body"].read())
    assert header[0] == "#Version: 1.0"
    assert [(row["cs_uri_stem"], row["sc_status"], row["x_edge_request_id"]) for row in rows] == \
        [("/index.html", "200", answer.headers["X-Amz-Cf-Id"])]


def test_a_full_buffer_is_written_at_once(buckets):
    """Three lines may wait, the interval an hour: the third request's line sends the three out, long before."""
    with RunningServer("--s3-dir", str(buckets), "--log-flush-seconds", "3600", "--log-buffer-lines", "3") as server:
        made = _distribution(make_client(server.url), "site", {"Enabled": True, "IncludeCookies": False,
                                                               "Bucket": "logs.s3.amazonaws.com", "Prefix": "full/"})
        for _ in range(4):
            assert _view(server, made["DomainName"], "/index.html").status_code == 200
        files = _wait_for(lambda: _local_files(buckets, "full"), seconds=10)
        assert [len(read_log(path.read_bytes())[1]) for path in files] == [3]
    # The fourth waited for the stop.
    assert sorted(len(read_log(path.read_bytes())[1]) for path in _local_files(buckets, "full")) == [1, 3]
