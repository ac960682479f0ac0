"""Legacy access at the edge, through boto3, botocore's CloudFrontSigner and real viewer requests on the API's
own port (Host = the distribution's domain): S3 origins with an origin access identity, read from an S3 endpoint
(signed with the emulator's credentials, standing in for the OAI's principal) or from local buckets; and
TrustedSigners, verified against the CloudFront key pairs registered through /_cloudfront-local/key-pairs."""
from __future__ import annotations

import datetime
import http.server
import json
import uuid

import origin_servers
import pytest
import requests
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from builders import direct_config
from conftest import make_client
from s3_signing_stand_in import SigningS3
from serving import RunningServer

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def _viewer(server, host: str, path: str, **headers) -> requests.Response:
    """A viewer request to the API's port, as a browser resolving the distribution's name to it sends."""
    return requests.get(server.url + path, headers={"Host": host, **headers}, timeout=15, allow_redirects=False)


def _identity(client) -> str:
    made = client.create_cloud_front_origin_access_identity(CloudFrontOriginAccessIdentityConfig={
        "CallerReference": uuid.uuid4().hex, "Comment": "legacy"})
    return "origin-access-identity/cloudfront/" + made["CloudFrontOriginAccessIdentity"]["Id"]


def _s3_distribution(client, identity: str) -> str:
    origin = {"Id": "bucket", "DomainName": "media.s3.eu-west-3.amazonaws.com", "OriginPath": "/site",
              "S3OriginConfig": {"OriginAccessIdentity": identity}}
    config = direct_config(Origins={"Quantity": 1, "Items": [origin]}, DefaultCacheBehavior={
        "TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def test_an_origin_access_identity_reads_a_private_bucket_of_the_s3_endpoint():
    bucket = SigningS3({"media/site/index.html": b"<h1>through the OAI</h1>"})
    try:
        with RunningServer("--s3-endpoint", bucket.url) as running:
            client = make_client(running.url)
            with_oai = _s3_distribution(client, _identity(client))
            without = _s3_distribution(client, "")
            answer = _viewer(running, with_oai, "/index.html")
            assert answer.status_code == 200 and answer.content == b"<h1>through the OAI</h1>"
            assert bucket.seen[-1]["scope"] == ("cloudfront-local", "eu-west-3", "s3")
            assert bucket.seen[-1]["path"] == "/media/site/index.html"
            # The same bucket through an origin with no identity: unsigned, so the private bucket refuses it.
            refused = _viewer(running, without, "/index.html")
            assert refused.status_code == 403 and b"AccessDenied" in refused.content
    finally:
        bucket.close()


def test_an_origin_access_identity_reads_a_local_bucket(tmp_path):
    (tmp_path / "media" / "site").mkdir(parents=True)
    (tmp_path / "media" / "site" / "page.html").write_bytes(b"<p>local</p>")
    with RunningServer("--s3-dir", str(tmp_path)) as running:
        client = make_client(running.url)
        host = _s3_distribution(client, _identity(client))
        answer = _viewer(running, host, "/page.html")
        assert answer.status_code == 200 and answer.content == b"<p>local</p>"
        assert _viewer(running, host, "/missing.html").status_code == 403  # S3's answer to a missing key


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        origin_servers.send_json(self, {"path": self.path})

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin(server):
    running = origin_servers.start(_Origin)
    name = f"legacy-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    yield name, running.server_address[1]
    running.shutdown()


def _rsa() -> tuple[rsa.RSAPrivateKey, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private, private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _register(server, account: str, public: str, **extra) -> requests.Response:
    return requests.post(server.url + "/_cloudfront-local/key-pairs",
                         json={"account": account, "publicKey": public, **extra}, timeout=5)


def _signed_distribution(client, origin, signers: list[str]) -> dict:
    custom = {"Id": "app", "DomainName": origin[0], "CustomOriginConfig": {
        "HTTPPort": origin[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
    trusted = {"Enabled": True, "Quantity": len(signers), "Items": signers}
    config = direct_config(Origins={"Quantity": 1, "Items": [custom]}, DefaultCacheBehavior={
        "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED,
        "TrustedSigners": trusted})
    return client.create_distribution(DistributionConfig=config)["Distribution"]


def _url(signer: CloudFrontSigner, host: str, path: str) -> str:
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
    return signer.generate_presigned_url(f"https://{host}{path}", date_less_than=later).split(host, 1)[1]


def _signer(key_pair_id: str, private) -> CloudFrontSigner:
    return CloudFrontSigner(key_pair_id, lambda message: private.sign(message, padding.PKCS1v15(), hashes.SHA1()))


def test_trusted_signers_verify_the_accounts_key_pairs(server, client, account, origin):
    mine, mine_public = _rsa()
    registered = _register(server, account, mine_public)
    assert registered.status_code == 201
    key_pair_id = registered.json()["id"]
    assert key_pair_id.startswith("APKA") and len(key_pair_id) == 20
    made = _signed_distribution(client, origin, ["self"])
    host = made["DomainName"]
    assert made["ActiveTrustedSigners"] == {"Enabled": True, "Quantity": 1, "Items": [
        {"AwsAccountNumber": "self", "KeyPairIds": {"Quantity": 1, "Items": [key_pair_id]}}]}
    read = client.get_distribution(Id=made["Id"])["Distribution"]["ActiveTrustedSigners"]
    assert read == made["ActiveTrustedSigners"]

    missing = _viewer(server, host, "/private")
    assert missing.status_code == 403 and b"<Code>MissingKey</Code>" in missing.content
    answer = _viewer(server, host, _url(_signer(key_pair_id, mine), host, "/private"))
    assert answer.status_code == 200 and answer.json()["path"] == "/private"
    cookies = _url(_signer(key_pair_id, mine), host, "/c").split("?", 1)[1]
    cookie = "; ".join(f"CloudFront-{part}" for part in cookies.split("&"))
    assert _viewer(server, host, "/c", Cookie=cookie).status_code == 200

    # Another account's key pair is not this distribution's trusted signer: CloudFront's "Unknown Key".
    theirs, theirs_public = _rsa()
    other_id = _register(server, "999900001111", theirs_public).json()["id"]
    refused = _viewer(server, host, _url(_signer(other_id, theirs), host, "/private"))
    assert refused.status_code == 403 and b"<Message>Unknown Key</Message>" in refused.content
    # A trusted key pair id with another key's signature: access denied.
    forged = _viewer(server, host, _url(_signer(key_pair_id, theirs), host, "/private"))
    assert forged.status_code == 403 and b"AccessDenied" in forged.content
    requests.delete(server.url + f"/_cloudfront-local/key-pairs/{other_id}", timeout=5).raise_for_status()


def test_trusted_signers_by_account_number(server, client, account, origin):
    private, public = _rsa()
    signer_account = str(500000000000 + uuid.uuid4().int % 10 ** 11)
    key_pair_id = _register(server, signer_account, public).json()["id"]
    made = _signed_distribution(client, origin, [signer_account])
    assert made["ActiveTrustedSigners"]["Items"] == [
        {"AwsAccountNumber": signer_account, "KeyPairIds": {"Quantity": 1, "Items": [key_pair_id]}}]
    host = made["DomainName"]
    assert _viewer(server, host, _url(_signer(key_pair_id, private), host, "/x")).status_code == 200
    # Once the key pair is gone, so is the trust, and GetDistribution says so.
    assert requests.delete(server.url + f"/_cloudfront-local/key-pairs/{key_pair_id}", timeout=5).status_code == 204
    assert _viewer(server, host, _url(_signer(key_pair_id, private), host, "/x")).status_code == 403
    assert client.get_distribution(Id=made["Id"])["Distribution"]["ActiveTrustedSigners"]["Items"] == [
        {"AwsAccountNumber": signer_account, "KeyPairIds": {"Quantity": 0}}]


def test_a_distribution_without_trusted_signers_lists_none(client, origin):
    custom = {"Id": "app", "DomainName": origin[0], "CustomOriginConfig": {
        "HTTPPort": origin[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}
    config = direct_config(Origins={"Quantity": 1, "Items": [custom]}, DefaultCacheBehavior={
        "TargetOriginId": "app", "ViewerProtocolPolicy": "allow-all", "CachePolicyId": CACHING_DISABLED})
    made = client.create_distribution(DistributionConfig=config)["Distribution"]
    assert made["ActiveTrustedSigners"] == {"Enabled": False, "Quantity": 0}


@pytest.mark.parametrize("entry, status", [
    ({"account": "123", "publicKey": "x"}, 400),
    ({"account": "123456789012"}, 400),
    ({"account": "123456789012", "publicKey": "not a key"}, 400),
    ({"account": "123456789012", "publicKey": "PEM", "id": "AKIA0000000000000000"}, 400),
    ({"account": "123456789012", "publicKey": "PEM", "extra": 1}, 400),
    ("ec", 400),      # an ECDSA key: key pairs are RSA
    ("small", 400),   # RSA of 1024 bits
    ([1, 2], 400),
])
def test_bad_key_pairs_are_a_400(server, entry, status):
    if entry in ("ec", "small"):
        key = ec.generate_private_key(ec.SECP256R1()) if entry == "ec" else \
            rsa.generate_private_key(public_exponent=65537, key_size=1024)
        pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        entry = {"account": "123456789012", "publicKey": pem}
    answer = requests.post(server.url + "/_cloudfront-local/key-pairs", json=entry, timeout=5)
    assert answer.status_code == status and "error" in answer.json()
    assert requests.post(server.url + "/_cloudfront-local/key-pairs", data=b"\xff{", timeout=5).status_code == 400


def test_an_account_has_at_most_two_key_pairs_and_ids_are_unique(server):
    account = str(600000000000 + uuid.uuid4().int % 10 ** 11)
    first = _register(server, account, _rsa()[1])
    assert first.status_code == 201 and _register(server, account, _rsa()[1]).status_code == 201
    third = _register(server, account, _rsa()[1])
    assert third.status_code == 400 and "at most 2" in third.json()["error"]
    again = _register(server, "123456789012", _rsa()[1], id=first.json()["id"])
    assert again.status_code == 400 and "already exists" in again.json()["error"]
    assert requests.delete(server.url + "/_cloudfront-local/key-pairs/APKANOSUCHPAIR000000", timeout=5).status_code \
        == 404


def test_registering_key_pairs_needs_change_key_pairs_under_credentials(tmp_path):
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    (tmp_path / "credentials.toml").write_text(
        '[[credentials]]\naccess_key_id = "AKIAKEYPAIRWRITER001"\nsecret_access_key = "writer"\n'
        'account_id = "111111111111"\n\n[[credentials]]\naccess_key_id = "AKIAKEYPAIRREADER002"\n'
        'secret_access_key = "reader"\naccount_id = "111111111111"\nallow = ["cloudfront-local:ListGeo"]\n')
    entry = json.dumps({"account": "111111111111", "publicKey": _rsa()[1]}).encode()

    def signed(key: str, secret: str) -> requests.Response:
        request = AWSRequest(method="POST", url=running.url + "/_cloudfront-local/key-pairs", data=entry)
        request.context["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        botocore.auth.SigV4Auth(Credentials(key, secret), "cloudfront", "us-east-1").add_auth(request)
        return requests.post(request.url, headers=dict(request.headers), data=entry, timeout=10)

    with RunningServer("--credentials", str(tmp_path / "credentials.toml")) as running:
        assert requests.post(running.url + "/_cloudfront-local/key-pairs", data=entry, timeout=10).status_code == 403
        assert signed("AKIAKEYPAIRREADER002", "reader").status_code == 403  # not allowed ChangeKeyPairs
        assert signed("AKIAKEYPAIRWRITER001", "writer").status_code == 201
