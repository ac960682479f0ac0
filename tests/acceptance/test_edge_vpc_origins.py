"""VPC origins at the edge, through boto3 and `requests`: an origin with a VpcOriginConfig is reached at its
DomainName through the simulated DNS zone, with the VPC origin's protocol policy, ports and SSL protocols and the
origin's OriginReadTimeout; a VPC origin still deploying gets CloudFront's 502 page."""
from __future__ import annotations

import http.server
import ssl
import time
import uuid

import origin_servers
import pytest
import requests

from builders import direct_config
from certificates import server_files
from conftest import make_client
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


class _Origin(http.server.BaseHTTPRequestHandler):
    """Answers JSON naming itself and the request; `/slow` answers after two seconds."""

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/slow":
            time.sleep(2)
        origin_servers.send_json(self, {"origin": self.server.name, "path": self.path,
                           "host": self.headers.get("Host")})

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def plain():
    origin = origin_servers.start(_Origin, "plain")
    yield origin
    origin.shutdown()


def _name(server) -> str:
    """A private load balancer's name, which the simulated zone points at this machine."""
    name = f"internal-{uuid.uuid4().hex[:10]}.elb.amazonaws.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    return name


def _vpc_origin(client, policy: str, http_port: int, https_port: int = 443, protocols=("TLSv1.2",)) -> dict:
    return client.create_vpc_origin(VpcOriginEndpointConfig={
        "Name": f"vpc-{uuid.uuid4().hex[:8]}", "Arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
        "loadbalancer/app/internal/1", "HTTPPort": http_port, "HTTPSPort": https_port,
        "OriginProtocolPolicy": policy,
        "OriginSslProtocols": {"Quantity": len(protocols), "Items": list(protocols)}})["VpcOrigin"]


def _distribution(client, domain: str, vpc_id: str, read_timeout: int = 30) -> str:
    origin = {"Id": "vpc", "DomainName": domain, "VpcOriginConfig": {
        "VpcOriginId": vpc_id, "OriginReadTimeout": read_timeout, "OriginKeepaliveTimeout": 5}}
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]}, DefaultCacheBehavior={
        "TargetOriginId": "vpc", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def _get(server, host: str, path: str = "/"):
    return requests.get(server.edge_url + path, headers={"Host": host}, timeout=15)


def test_a_deployed_vpc_origin_is_reached_at_its_domain_name(server, client, plain):
    domain = _name(server)
    vpc = _vpc_origin(client, "http-only", plain.server_address[1])
    host = _distribution(client, domain, vpc["Id"])
    answer = _get(server, host, "/app")
    assert answer.status_code == 200
    assert answer.json() == {"origin": "plain", "path": "/app",
                             "host": f"{domain}:{plain.server_address[1]}"}  # the VPC origin's HTTPPort
    # match-viewer for a plain HTTP viewer: the HTTP port too.
    again = _vpc_origin(client, "match-viewer", plain.server_address[1])
    assert _get(server, _distribution(client, domain, again["Id"])).json()["origin"] == "plain"


def test_https_only_takes_the_https_port_and_ssl_protocols(server, client, tmp_path, plain):
    domain = _name(server)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*server_files(tmp_path, domain))
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # what an older load balancer's policy offers
    secure = origin_servers.start(_Origin, "tls")
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    try:
        # HTTPPort is the plain server: an answer from "tls" shows the HTTPS port and TLS were used.
        vpc = _vpc_origin(client, "https-only", plain.server_address[1], secure.server_address[1])
        answer = _get(server, _distribution(client, domain, vpc["Id"]), "/over-tls")
        assert answer.status_code == 200 and answer.json()["origin"] == "tls"
        assert answer.json()["host"] == f"{domain}:{secure.server_address[1]}"
        # Over the HTTP port, a TLS server cannot answer: https-only is what made the first request work.
        wrong = _vpc_origin(client, "http-only", secure.server_address[1])
        assert _get(server, _distribution(client, domain, wrong["Id"])).status_code == 502
    finally:
        secure.shutdown()


def test_the_origins_read_timeout_applies(server, client, plain):
    vpc = _vpc_origin(client, "http-only", plain.server_address[1])
    host = _distribution(client, _name(server), vpc["Id"], read_timeout=1)
    answer = _get(server, host, "/slow")
    assert answer.status_code == 504 and b"could not be satisfied" in answer.content
    assert answer.headers["X-Cache"] == "Error from cloudfront"
    patient = _distribution(client, _name(server), vpc["Id"], read_timeout=5)
    assert _get(server, patient, "/slow").status_code == 200


def test_a_vpc_origin_still_deploying_gets_cloudfronts_502(plain):
    with RunningServer("--deploy-delay", "120") as running:
        client = make_client(running.url)
        vpc = _vpc_origin(client, "http-only", plain.server_address[1])
        assert client.get_vpc_origin(Id=vpc["Id"])["VpcOrigin"]["Status"] == "Deploying"
        host = _distribution(client, _name(running), vpc["Id"])
        answer = _get(running, host, "/app")
        assert answer.status_code == 502 and b"could not be satisfied" in answer.content
        assert answer.headers["Server"] == "CloudFront"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any("not deployed" in line for line in running.lines):
            time.sleep(0.05)
        assert any(f"the VPC origin {vpc['Id']} is not deployed yet" in line for line in running.lines)
