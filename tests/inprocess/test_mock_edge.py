"""The edge in-process: `mock_cloudfront().edge_request` answers a viewer request without a socket of its
own, reaching a real origin server found through the simulated DNS zone."""
from __future__ import annotations

import http.server
import threading
import time

import boto3
import origin_servers

from builders import CACHING_OPTIMIZED, direct_config
from cloudfront_local import mock_cloudfront


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = f"{self.path} {self.headers.get('X-Hello')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_edge_request_in_process():
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with mock_cloudfront() as mock:
            client = boto3.client("cloudfront", region_name="us-east-1")
            mock.add_dns_record("app.example.com", "A", "127.0.0.1")
            custom = {"HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "match-viewer"}
            config = direct_config(
                Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "app.example.com",
                                                   "CustomOriginConfig": custom}]},
                DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                                      "CachePolicyId": CACHING_OPTIMIZED,
                                      # AllViewerExceptHostHeader: the query and headers reach the origin
                                      "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"})
            domain = client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]
            answer = mock.edge_request("GET", f"http://{domain}/a?b=1", headers={"X-Hello": "hi"})
            assert (answer.status, answer.body) == (200, b"/a?b=1 hi")
            assert answer.header("x-cache") == "Miss from cloudfront"
            again = mock.edge_request("GET", f"http://{domain}/a?b=1", headers={"X-Hello": "hi"})
            assert again.header("x-cache") == "Hit from cloudfront"  # one cache for the mock's whole life
            assert mock.edge_request("GET", "http://unknown.example.com/").status == 403
    finally:
        origin.shutdown()


def test_local_buckets_in_process(tmp_path):
    """mock_cloudfront(s3_dir=…, s3_website=…): S3 origins and website endpoints read from a directory."""
    import hashlib

    (tmp_path / "secret").write_bytes(b"outside")
    buckets = tmp_path / "buckets"
    (buckets / "site").mkdir(parents=True)
    (buckets / "site" / "index.html").write_bytes(b"<h1>spa</h1>")
    big = bytes(range(256)) * (9 * 4096)  # 9 MiB: the AWS CLI uploads it in two parts
    (buckets / "site" / "big-object").write_bytes(big)
    (buckets / "web").mkdir()
    (buckets / "web" / "index.html").write_bytes(b"web index")
    (buckets / "web" / "404.html").write_bytes(b"web 404")
    with mock_cloudfront(s3_dir=str(buckets), s3_website={"web": ("index.html", "404.html")}) as mock:
        client = boto3.client("cloudfront", region_name="us-east-1")
        behavior = {"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_OPTIMIZED}
        s3 = {"Id": "origin", "DomainName": "site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
        errors = {"Quantity": 1, "Items": [{"ErrorCode": 403, "ResponsePagePath": "/index.html",
                                            "ResponseCode": "200", "ErrorCachingMinTTL": 0}]}
        site = client.create_distribution(DistributionConfig=direct_config(
            Origins={"Quantity": 1, "Items": [s3]}, DefaultCacheBehavior=behavior,
            CustomErrorResponses=errors))["Distribution"]["DomainName"]
        answer = mock.edge_request("GET", f"http://{site}/big-object")
        assert answer.status == 200 and answer.body == big and answer.header("content-type") == "binary/octet-stream"
        parts = hashlib.md5(hashlib.md5(big[:8 * 1024 * 1024]).digest() + hashlib.md5(big[8 * 1024 * 1024:]).digest())
        assert answer.header("etag") == f'"{parts.hexdigest()}-2"'
        assert mock.edge_request("GET", f"http://{site}/route/in/the/app").body == b"<h1>spa</h1>"
        assert b"outside" not in mock.edge_request("GET", f"http://{site}/%2e%2e/%2e%2e/secret").body
        website = {"Id": "origin", "DomainName": "web.s3-website.eu-central-1.amazonaws.com",
                   "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
        web = client.create_distribution(DistributionConfig=direct_config(
            Origins={"Quantity": 1, "Items": [website]}, DefaultCacheBehavior=behavior))["Distribution"]["DomainName"]
        assert mock.edge_request("GET", f"http://{web}/").body == b"web index"
        missing = mock.edge_request("GET", f"http://{web}/gone")
        assert (missing.status, missing.body) == (404, b"web 404")


_Named = origin_servers.Named


def test_continuous_deployment_in_process(monkeypatch):
    """A staging distribution through `edge_request`: the header sends a viewer there, and a sticky session
    ends after its idle time or its maximum, as the clock says."""
    from cloudfront_local.edge import staging as staging_side

    servers = []
    for name in ("primary", "staging"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Named)
        server.name = name
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    now = [time.time() + 1]  # the edge's clock: from a moment after everything below is deployed
    monkeypatch.setattr(staging_side, "_clock", lambda: now[0])
    try:
        with mock_cloudfront() as mock:
            client = boto3.client("cloudfront", region_name="us-east-1")
            mock.add_dns_record("app.example.com", "A", "127.0.0.1")

            def config(port):
                custom = {"HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
                return direct_config(
                    Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": "app.example.com",
                                                       "CustomOriginConfig": custom}]},
                    DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                                          "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"})

            made = client.create_distribution(DistributionConfig=config(servers[0].server_address[1]))
            primary = made["Distribution"]
            copied = client.copy_distribution(PrimaryDistributionId=primary["Id"], Staging=True,
                                              CallerReference="staging")
            staged = copied["Distribution"]
            client.update_distribution(Id=staged["Id"], IfMatch=copied["ETag"], DistributionConfig={
                **config(servers[1].server_address[1]), "CallerReference": "staging", "Staging": True})
            policy = client.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig={
                "StagingDistributionDnsNames": {"Quantity": 1, "Items": [staged["DomainName"]]}, "Enabled": True,
                "TrafficConfig": {"Type": "SingleHeader",
                                  "SingleHeaderConfig": {"Header": "aws-cf-cd-beta", "Value": "1"}}})
            policy_id, policy_tag = policy["ContinuousDeploymentPolicy"]["Id"], policy["ETag"]
            current = client.get_distribution_config(Id=primary["Id"])
            client.update_distribution(Id=primary["Id"], IfMatch=current["ETag"], DistributionConfig={
                **current["DistributionConfig"], "ContinuousDeploymentPolicyId": policy_id})
            url = f"http://{primary['DomainName']}/"
            now[0] = time.time() + 1  # after the updates above, however long a loaded machine took over them
            assert mock.edge_request("GET", url).body == b"primary"
            assert mock.edge_request("GET", url, headers={"aws-cf-cd-beta": "1"}).body == b"staging"

            # Weight 15% with sessions of 5 idle minutes, 10 at most: a viewer on staging stays there...
            client.update_continuous_deployment_policy(Id=policy_id, IfMatch=policy_tag,
                                                       ContinuousDeploymentPolicyConfig={
                "StagingDistributionDnsNames": {"Quantity": 1, "Items": [staged["DomainName"]]}, "Enabled": True,
                "TrafficConfig": {"Type": "SingleWeight", "SingleWeightConfig": {
                    "Weight": 0.15, "SessionStickinessConfig": {"IdleTTL": 300, "MaximumTTL": 600}}}})
            now[0] = time.time() + 1  # sessions begin after the change that (re)started them
            monkeypatch.setattr(staging_side, "_chance", lambda: 0.1)  # a new session lands on staging
            first = mock.edge_request("GET", url)
            assert first.body == b"staging"
            cookie = first.header("set-cookie").split(";")[0]
            assert first.header("set-cookie").endswith("; Max-Age=300; Path=/; HttpOnly")
            monkeypatch.setattr(staging_side, "_chance", lambda: 0.9)  # and a new one now lands on the primary
            for step in (240, 240, 119):  # ...through requests under five minutes apart, for 599 seconds
                now[0] += step
                answer = mock.edge_request("GET", url, headers={"Cookie": cookie})
                assert answer.body == b"staging", step
                cookie = answer.header("set-cookie").split(";")[0]
            assert "; Max-Age=1;" in answer.header("set-cookie")  # what is left of the maximum
            # Past the maximum of ten minutes: a new session (on the primary).
            now[0] += 2
            over = mock.edge_request("GET", url, headers={"Cookie": cookie})
            assert over.body == b"primary"
            # Idle for more than five minutes: the session is over too.
            monkeypatch.setattr(staging_side, "_chance", lambda: 0.1)
            fresh = mock.edge_request("GET", url).header("set-cookie").split(";")[0]
            assert mock.edge_request("GET", url, headers={"Cookie": fresh}).body == b"staging"
            now[0] += 301
            monkeypatch.setattr(staging_side, "_chance", lambda: 0.9)
            assert mock.edge_request("GET", url, headers={"Cookie": fresh}).body == b"primary"
    finally:
        for server in servers:
            server.shutdown()


def test_vpc_origins_and_trusted_signers_in_process():
    """A VPC origin reached through the mock's DNS zone; a TrustedSigners behavior verifying a key pair the
    mock registered (mock.add_key_pair), signed with botocore's CloudFrontSigner."""
    import datetime

    from botocore.signers import CloudFrontSigner
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with mock_cloudfront() as mock:
            client = boto3.client("cloudfront", region_name="us-east-1")
            mock.add_dns_record("internal-app.elb.amazonaws.com", "A", "127.0.0.1")
            vpc = client.create_vpc_origin(VpcOriginEndpointConfig={
                "Name": "app", "Arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1",
                "HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            made = client.create_distribution(DistributionConfig=direct_config(
                Origins={"Quantity": 1, "Items": [{"Id": "vpc", "DomainName": "internal-app.elb.amazonaws.com",
                                                   "VpcOriginConfig": {"VpcOriginId": vpc["VpcOrigin"]["Id"]}}]},
                DefaultCacheBehavior={"TargetOriginId": "vpc", "ViewerProtocolPolicy": "allow-all",
                                      "CachePolicyId": CACHING_OPTIMIZED,
                                      "TrustedSigners": {"Enabled": True, "Quantity": 1, "Items": ["self"]}}))
            distribution = made["Distribution"]
            key_pair = mock.add_key_pair(distribution["ARN"].split(":")[4], public)
            domain = distribution["DomainName"]
            assert mock.edge_request("GET", f"http://{domain}/a").status == 403
            signer = CloudFrontSigner(key_pair["id"],
                                      lambda m: private.sign(m, padding.PKCS1v15(), hashes.SHA1()))
            later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
            answer = mock.edge_request("GET", signer.generate_presigned_url(f"http://{domain}/a",
                                                                            date_less_than=later))
            assert (answer.status, answer.body) == (200, b"/a None")
            listed = client.get_distribution(Id=distribution["Id"])["Distribution"]["ActiveTrustedSigners"]
            assert listed["Items"][0]["KeyPairIds"]["Items"] == [key_pair["id"]]
    finally:
        origin.shutdown()
