"""Field-level encryption at the edge: boto3 makes the public key, profiles and config and a behavior that uses
them; a viewer POSTs a form through the edge; a real origin records what arrived, and the AWS Encryption SDK
(AWS's own library, as the Developer Guide's decryption sample uses it) opens each encrypted field with the
private key, the profile's ProviderId and the public key's name."""
from __future__ import annotations

import http.server
import json
import threading
import uuid
from urllib.parse import parse_qsl, urlencode

import origin_servers
import pytest
import requests
from aws_encryption_sdk.exceptions import DecryptKeyError

from builders import direct_config
from field_level_decryption import Keys, decrypt

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_METHODS = {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]}
FORM = "application/x-www-form-urlencoded"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 200 with JSON of what arrived: method, path, Content-Type and the body as text."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append(body)
        answer = json.dumps({"method": self.command, "path": self.path,
                             "content_type": self.headers.get("Content-Type"),
                             "body": body.decode("latin-1")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin():
    running = origin_servers.start(_Recorder, "recorder")
    running.seen = []
    yield running
    running.shutdown()


def _public_key(client, keys: Keys) -> tuple[str, str]:
    name = f"fle-key-{uuid.uuid4().hex[:8]}"
    made = client.create_public_key(PublicKeyConfig={"CallerReference": name, "Name": name,
                                                     "EncodedKey": keys.public_pem})
    return made["PublicKey"]["Id"], name


def _profile(client, key_id: str, provider: str, patterns: list[str]) -> str:
    name = f"fle-profile-{uuid.uuid4().hex[:8]}"
    return client.create_field_level_encryption_profile(FieldLevelEncryptionProfileConfig={
        "Name": name, "CallerReference": name, "EncryptionEntities": {"Quantity": 1, "Items": [{
            "PublicKeyId": key_id, "ProviderId": provider,
            "FieldPatterns": {"Quantity": len(patterns), "Items": patterns}}]}})["FieldLevelEncryptionProfile"]["Id"]


def _config(client, content_types=(), forward_unknown_type=False, query_args=None,
            forward_unknown_query=False) -> str:
    config = {"CallerReference": str(uuid.uuid4()), "ContentTypeProfileConfig": {
        "ForwardWhenContentTypeIsUnknown": forward_unknown_type,
        "ContentTypeProfiles": {"Quantity": len(content_types), "Items": [
            {"ContentType": kind, "Format": "URLEncoded", **({"ProfileId": profile} if profile else {})}
            for kind, profile in content_types]}}}
    if query_args is not None:
        config["QueryArgProfileConfig"] = {
            "ForwardWhenQueryArgProfileIsUnknown": forward_unknown_query,
            "QueryArgProfiles": {"Quantity": len(query_args), "Items": [
                {"QueryArg": arg, "ProfileId": profile} for arg, profile in query_args.items()]}}
    return client.create_field_level_encryption_config(FieldLevelEncryptionConfig=config)[
        "FieldLevelEncryption"]["Id"]


def _distribution(server, client, origin, fle_id: str) -> str:
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(server.url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    custom = {"HTTPPort": origin.server_address[1], "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
    config = direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": name, "CustomOriginConfig": custom}]},
        DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                              "CachePolicyId": CACHING_DISABLED, "AllowedMethods": ALL_METHODS,
                              "FieldLevelEncryptionId": fle_id})
    return client.create_distribution(DistributionConfig=config)["Distribution"]["DomainName"]


def _post(server, domain: str, body, path: str = "/checkout", content_type: str = FORM):
    data = body if isinstance(body, bytes) else urlencode(body).encode()
    return requests.post(server.edge_url + path, data=data, timeout=15,
                         headers={"Host": domain, "Content-Type": content_type})


@pytest.fixture(scope="module")
def keys():
    return Keys()


def test_named_fields_reach_the_origin_encrypted_and_decrypt_with_the_private_key(server, client, origin, keys):
    key_id, key_name = _public_key(client, keys)
    profile = _profile(client, key_id, "payments", ["card", "ssn*"])
    domain = _distribution(server, client, origin, _config(client, [(FORM, profile)]))
    sent = [("name", "Ann Lee"), ("card", "4111 1111 1111 1111"), ("ssn1", "123/45&6789=é"), ("ssnB", ""),
            ("Card", "not mine: patterns are case-sensitive"), ("other", "x")]
    answer = _post(server, domain, sent)
    assert answer.status_code == 200 and answer.headers["X-Cache"] == "Miss from cloudfront"
    arrived = answer.json()
    assert arrived["content_type"] == FORM
    fields = parse_qsl(arrived["body"], keep_blank_values=True)
    assert [name for name, _ in fields] == [name for name, _ in sent]  # same fields, same order
    by_name = dict(fields)
    assert (by_name["name"], by_name["Card"], by_name["other"]) == (
        "Ann Lee", "not mine: patterns are case-sensitive", "x")
    assert "4111" not in arrived["body"] and "6789" not in arrived["body"]
    for name, value in sent[1:4]:
        plaintext, header = decrypt(by_name[name], keys, "payments", key_name)
        assert plaintext == value.encode()
        # The SDK's default suite of the time: AES-256-GCM with HKDF-SHA384 and an ECDSA P-384 signature.
        assert header.algorithm.algorithm_id == 0x0378
        assert "aws-crypto-public-key" in header.encryption_context
        assert [k.key_provider.provider_id for k in header.encrypted_data_keys] == ["payments"]
        assert [k.key_provider.key_info for k in header.encrypted_data_keys] == [key_name.encode()]
    # Each field is a message of its own: the same value twice is two different ciphertexts.
    again = dict(parse_qsl(_post(server, domain, sent).json()["body"], keep_blank_values=True))
    assert again["card"] != by_name["card"]
    # Another provider name, or another key name, does not open it: both are part of the message.
    for provider, name in (("other", key_name), ("payments", "another-key")):
        with pytest.raises(DecryptKeyError):
            decrypt(by_name["card"], keys, provider, name)
    # Other methods go on as they are; only a POST's form is encrypted.
    put = requests.put(server.edge_url + "/checkout", data=b"card=1", timeout=15,
                       headers={"Host": domain, "Content-Type": FORM}).json()
    assert put["body"] == "card=1"
    assert requests.get(server.edge_url + "/page?card=1", headers={"Host": domain}, timeout=15).status_code == 200


def test_content_types_the_config_does_not_know(server, client, origin, keys):
    key_id, key_name = _public_key(client, keys)
    profile = _profile(client, key_id, "p", ["card"])
    blocking = _distribution(server, client, origin, _config(client, [(FORM, profile)]))
    before = len(origin.seen)
    refused = _post(server, blocking, b'{"card": "4111"}', content_type="application/json")
    assert refused.status_code == 400 and refused.headers["X-Cache"] == "Error from cloudfront"
    assert b"The request could not be satisfied" in refused.content
    assert len(origin.seen) == before  # the origin never saw it
    # The form's own type, with parameters and in any case, is the type the config lists.
    encrypted = _post(server, blocking, [("card", "4111")], content_type="Application/X-WWW-Form-Urlencoded; charset=UTF-8")
    assert decrypt(dict(parse_qsl(encrypted.json()["body"]))["card"], keys, "p", key_name)[0] == b"4111"

    forwarding = _distribution(server, client, origin, _config(client, [(FORM, profile)], forward_unknown_type=True))
    passed = _post(server, forwarding, b'{"card": "4111"}', content_type="application/json")
    assert passed.status_code == 200 and passed.json()["body"] == '{"card": "4111"}'

    # A content type listed without a profile is always forwarded as it is (Developer Guide, step 4).
    listed = _distribution(server, client, origin, _config(client, [(FORM, None)]))
    assert _post(server, listed, [("card", "4111")]).json()["body"] == "card=4111"


def test_query_argument_profiles(server, client, origin, keys):
    key_id, key_name = _public_key(client, keys)
    default = _profile(client, key_id, "default-provider", ["card"])
    alternative = _profile(client, key_id, "alt-provider", ["phone"])
    form = [("card", "4111"), ("phone", "555-0100")]
    strict = _distribution(server, client, origin, _config(client, [(FORM, default)], query_args={"alt": alternative}))

    by_default = dict(parse_qsl(_post(server, strict, form).json()["body"]))
    assert by_default["phone"] == "555-0100"
    assert decrypt(by_default["card"], keys, "default-provider", key_name)[0] == b"4111"

    chosen = _post(server, strict, form, path="/checkout?fle-profile=alt").json()
    assert chosen["path"] == "/checkout"  # CachingDisabled forwards no query string
    fields = dict(parse_qsl(chosen["body"]))
    assert fields["card"] == "4111"
    assert decrypt(fields["phone"], keys, "alt-provider", key_name)[0] == b"555-0100"

    unknown = _post(server, strict, form, path="/checkout?fle-profile=nope")
    assert unknown.status_code == 400 and unknown.headers["X-Cache"] == "Error from cloudfront"

    lenient = _distribution(server, client, origin, _config(
        client, [(FORM, default)], query_args={"alt": alternative}, forward_unknown_query=True))
    assert _post(server, lenient, form, path="/checkout?fle-profile=nope").json()["body"] == urlencode(form)


def test_requests_beyond_the_quotas(server, client, origin, keys):
    key_id, key_name = _public_key(client, keys)
    profile = _profile(client, key_id, "p", ["f*"])
    domain = _distribution(server, client, origin, _config(client, [(FORM, profile)]))
    before = len(origin.seen)
    # 1 MB of body at most when field-level encryption is configured.
    big = _post(server, domain, b"f=1&pad=" + b"x" * (1024 * 1024))
    assert big.status_code == 413 and big.headers["X-Cache"] == "Error from cloudfront"
    # A field to encrypt of at most 16 KB, and at most 10 of them in one body.
    assert _post(server, domain, [("f", "v" * (16 * 1024 + 1))]).status_code == 400
    assert _post(server, domain, [(f"f{n}", "v") for n in range(11)]).status_code == 400
    assert len(origin.seen) == before
    # At the limits, it goes through.
    fields = dict(parse_qsl(_post(server, domain, [(f"f{n}", "v" * (16 * 1024)) for n in range(10)]).json()["body"]))
    assert decrypt(fields["f9"], keys, "p", key_name)[0] == b"v" * (16 * 1024)
    # A body of exactly 1 MB is within the quota.
    exact = b"f=1&pad=" + b"x" * (1024 * 1024 - 8)
    assert _post(server, domain, exact).status_code == 200


def test_concurrent_posts_each_get_their_own_message(server, client, origin, keys):
    key_id, key_name = _public_key(client, keys)
    domain = _distribution(server, client, origin, _config(client, [(FORM, _profile(client, key_id, "p", ["v"]))]))
    results: dict[int, bytes] = {}

    def one(n: int):
        body = _post(server, domain, [("v", f"value-{n}")]).json()["body"]
        results[n] = decrypt(dict(parse_qsl(body))["v"], keys, "p", key_name)[0]

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: f"value-{n}".encode() for n in range(8)}
