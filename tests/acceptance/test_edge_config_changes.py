"""The edge keeps what it read of the configuration until the state changes (pipeline.Edge._memo): every write
must show at the next viewer request. In process, each kind of change a viewer would see; and two servers on one
SQLite file, where one server's write must reach the other's edge (SQLite's data_version)."""
from __future__ import annotations

import uuid

import boto3
import origin_servers
import pytest
import requests

from builders import direct_config
from cloudfront_local import mock_cloudfront
from conftest import make_client
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture(scope="module")
def origins():
    servers = [origin_servers.start(origin_servers.Named, "one"), origin_servers.start(origin_servers.Named, "two")]
    yield servers
    for server in servers:
        server.shutdown()


def _config(port: int, name: str = "app.example.com", **members) -> dict:
    return direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "app", "DomainName": name, "CustomOriginConfig": {
            "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        DefaultCacheBehavior={"TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all",
                              "CachePolicyId": CACHING_DISABLED}, **members)


def _update(client, distribution_id: str, change) -> None:
    current = client.get_distribution_config(Id=distribution_id)
    config = current["DistributionConfig"]
    change(config)
    client.update_distribution(Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=config)


def test_every_change_shows_at_the_next_viewer_request(origins):
    one, two = origins
    with mock_cloudfront() as mock:
        client = boto3.client("cloudfront", region_name="us-east-1")
        mock.add_dns_record("app.example.com", "A", "127.0.0.1")
        made = client.create_distribution(DistributionConfig=_config(one.server_address[1]))["Distribution"]
        url = f"http://{made['DomainName']}/page"
        assert mock.edge_request("GET", url).body == b"one"
        # The distribution's own config: another origin port.
        _update(client, made["Id"], lambda c: c["Origins"]["Items"][0]["CustomOriginConfig"].update(
            HTTPPort=two.server_address[1]))
        assert mock.edge_request("GET", url).body == b"two"
        # The DNS zone, which the origin's name is looked up in.
        mock.remove_dns_records("app.example.com")
        assert mock.edge_request("GET", url).status == 502
        mock.add_dns_record("app.example.com", "A", "127.0.0.1")
        assert mock.edge_request("GET", url).body == b"two"
        # A function published on the behavior.
        name = f"f-{uuid.uuid4().hex[:6]}"
        fn = client.create_function(Name=name, FunctionConfig={"Comment": "", "Runtime": "cloudfront-js-2.0"},
                                    FunctionCode=b"function handler(e) { return {statusCode: 204}; }")
        client.publish_function(Name=name, IfMatch=fn["ETag"])
        arn = client.describe_function(Name=name, Stage="LIVE")["FunctionSummary"]["FunctionMetadata"]["FunctionARN"]
        _update(client, made["Id"], lambda c: c["DefaultCacheBehavior"].update(FunctionAssociations={
            "Quantity": 1, "Items": [{"EventType": "viewer-request", "FunctionARN": arn}]}))
        assert mock.edge_request("GET", url).status == 204
        # The function's new code, published: the same association, another LIVE stage.
        etag = client.describe_function(Name=name)["ETag"]
        etag = client.update_function(Name=name, IfMatch=etag, FunctionConfig={
            "Comment": "", "Runtime": "cloudfront-js-2.0"},
            FunctionCode=b"function handler(e) { return {statusCode: 403}; }")["ETag"]
        client.publish_function(Name=name, IfMatch=etag)
        assert mock.edge_request("GET", url).status == 403
        # The geo table, with a geo restriction.
        _update(client, made["Id"], lambda c: (c["DefaultCacheBehavior"].pop("FunctionAssociations"), c.update(
            Restrictions={"GeoRestriction": {"RestrictionType": "blacklist", "Quantity": 1, "Items": ["FR"]}})))
        assert mock.edge_request("GET", url).body == b"two"
        mock.add_geo("127.0.0.0/8", "FR")
        assert mock.edge_request("GET", url).status == 403
        mock.clear_geo()
        # Disabled: CloudFront answers 403 for it.
        _update(client, made["Id"], lambda c: c.update(Enabled=False))
        assert mock.edge_request("GET", url).status == 403


def test_two_servers_on_one_sqlite_file_see_each_others_writes(origins, tmp_path):
    one, two = origins
    state = str(tmp_path / "state.sqlite")
    with RunningServer("--state", state) as first, RunningServer("--state", state) as second:
        requests.post(first.url + "/_cloudfront-local/dns", json={"name": "app.example.com", "type": "A",
                                                                  "value": "127.0.0.1"}, timeout=5)
        client = make_client(first.url, "123456789012")
        made = client.create_distribution(DistributionConfig=_config(one.server_address[1]))["Distribution"]

        def viewed(server) -> requests.Response:
            return requests.get(server.edge_url + "/page", headers={"Host": made["DomainName"]}, timeout=10)

        assert viewed(second).text == "one"
        _update(client, made["Id"], lambda c: c["Origins"]["Items"][0]["CustomOriginConfig"].update(
            HTTPPort=two.server_address[1]))
        assert viewed(second).text == "two"   # written through the first server, read at once by the second
        assert viewed(first).text == "two"
