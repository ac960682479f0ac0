"""The shared life of the config-in families, through boto3 against a live server, family by family:
create (201, Location, ETag), Get and GetConfig read back exactly what was written (with AWS's defaults),
Update under If-Match, names unique per account, CallerReference idempotency, quotas, paging, Delete, and
isolation between accounts."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import botocore.exceptions
import pytest

from conftest import make_client
from serving import RunningServer
from certificates import public_key_pem

PEM = public_key_pem()


def code_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


@dataclass
class Case:
    name: str               # the API's resource name: CachePolicy
    method: str             # the boto3 name stem: cache_policy
    config: dict            # a valid config; {n} in names is filled in
    read_back: dict         # what Get answers beyond the config (defaults AWS fills in)
    changed: dict           # members an update changes
    location: str           # the Location's path segment
    not_found: str
    already_exists: str | None   # None: the family has no unique name
    too_many: str
    quota_flag: str
    list_key: str
    get_config: str | None = "get_{m}_config"
    unique: str | None = "Name"  # the member that must be unique, or None
    list_method: str | None = None


HEADERS = {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 2, "Items": ["Origin", "Accept-Language"]}}
CASES = [
    Case("CachePolicy", "cache_policy", {
        "Name": "cp-{n}", "MinTTL": 5, "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": False, "HeadersConfig": HEADERS,
            "CookiesConfig": {"CookieBehavior": "allExcept", "Cookies": {"Quantity": 1, "Items": ["session"]}},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
        {"Comment": "", "DefaultTTL": 86400, "MaxTTL": 31536000}, {"Comment": "changed", "MinTTL": 10},
        "cache-policy", "NoSuchCachePolicy", "CachePolicyAlreadyExists", "TooManyCachePolicies",
        "--cache-policy-quota", "CachePolicyList", list_method="list_cache_policies"),
    Case("OriginRequestPolicy", "origin_request_policy", {
        "Name": "orp-{n}", "HeadersConfig": {"HeaderBehavior": "allViewerAndWhitelistCloudFront", "Headers": {
            "Quantity": 1, "Items": ["CloudFront-Viewer-Country"]}},
        "CookiesConfig": {"CookieBehavior": "all"}, "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                                                                           "QueryStrings": {"Quantity": 1,
                                                                                            "Items": ["q"]}}},
        {"Comment": ""}, {"Comment": "changed"}, "origin-request-policy", "NoSuchOriginRequestPolicy",
        "OriginRequestPolicyAlreadyExists", "TooManyOriginRequestPolicies", "--origin-request-policy-quota",
        "OriginRequestPolicyList", list_method="list_origin_request_policies"),
    Case("ResponseHeadersPolicy", "response_headers_policy", {
        "Name": "rhp-{n}", "CorsConfig": {
            "AccessControlAllowOrigins": {"Quantity": 1, "Items": ["https://app.example.com"]},
            "AccessControlAllowHeaders": {"Quantity": 1, "Items": ["*"]},
            "AccessControlAllowMethods": {"Quantity": 2, "Items": ["GET", "POST"]},
            "AccessControlAllowCredentials": True, "AccessControlMaxAgeSec": 600, "OriginOverride": False},
        "SecurityHeadersConfig": {"StrictTransportSecurity": {
            "Override": True, "IncludeSubdomains": True, "Preload": False, "AccessControlMaxAgeSec": 31536000}},
        "CustomHeadersConfig": {"Quantity": 1, "Items": [{"Header": "X-App", "Value": "v1", "Override": True}]},
        "RemoveHeadersConfig": {"Quantity": 1, "Items": [{"Header": "Server"}]}},
        {"Comment": ""}, {"Comment": "changed"}, "response-headers-policy", "NoSuchResponseHeadersPolicy",
        "ResponseHeadersPolicyAlreadyExists", "TooManyResponseHeadersPolicies", "--response-headers-policy-quota",
        "ResponseHeadersPolicyList", list_method="list_response_headers_policies"),
    Case("OriginAccessControl", "origin_access_control", {
        "Name": "oac-{n}", "Description": "bucket access", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"},
        {}, {"SigningBehavior": "no-override"}, "origin-access-control", "NoSuchOriginAccessControl",
        "OriginAccessControlAlreadyExists", "TooManyOriginAccessControls", "--origin-access-control-quota",
        "OriginAccessControlList"),
    Case("CloudFrontOriginAccessIdentity", "cloud_front_origin_access_identity", {
        "CallerReference": "oai-{n}", "Comment": "identity {n}"},
        {}, {"Comment": "changed"}, "origin-access-identity/cloudfront", "NoSuchCloudFrontOriginAccessIdentity",
        "CloudFrontOriginAccessIdentityAlreadyExists", "TooManyCloudFrontOriginAccessIdentities",
        "--origin-access-identity-quota", "CloudFrontOriginAccessIdentityList", unique="CallerReference",
        list_method="list_cloud_front_origin_access_identities"),
    Case("PublicKey", "public_key", {"CallerReference": "key-{n}", "Name": "key-{n}", "EncodedKey": PEM,
                                     "Comment": "signing"},
         {}, {"Comment": "changed"}, "public-key", "NoSuchPublicKey", "PublicKeyAlreadyExists", "TooManyPublicKeys",
         "--public-key-quota", "PublicKeyList"),
]


def _config(case: Case, n) -> dict:
    config = copy.deepcopy(case.config)
    for key in ("Name", "CallerReference", "Comment"):
        if isinstance(config.get(key), str):
            config[key] = config[key].format(n=n)
    return config


def _call(client, verb: str, case: Case):
    return getattr(client, f"{verb}_{case.method}")


def _list(client, case: Case, **params):
    return getattr(client, case.list_method or f"list_{case.method}s")(**params)[case.list_key]


def _custom_items(client, case: Case, **params):
    page = _list(client, case, **params)
    items = page.get("Items", [])
    return [item.get(case.name, item) for item in items if item.get("Type", "custom") == "custom"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_lifecycle(client, stranger, case):
    config = _config(case, 1)
    created = _call(client, "create", case)(**{f"{case.name}Config": config})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    resource = created[case.name]
    resource_id = resource["Id"]
    assert created["Location"] == f"https://cloudfront.amazonaws.com/2020-05-31/{case.location}/{resource_id}"
    assert created["ETag"]
    expected = {**config, **case.read_back}
    assert resource[f"{case.name}Config"] == expected
    got = _call(client, "get", case)(Id=resource_id)
    assert got[case.name][f"{case.name}Config"] == expected and got["ETag"] == created["ETag"]
    if case.get_config:
        assert getattr(client, case.get_config.format(m=case.method))(Id=resource_id)[f"{case.name}Config"] \
            == expected
    # Another account sees none of it.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        _call(stranger, "get", case)(Id=resource_id)
    assert code_of(excinfo) == (case.not_found, 404)
    assert _custom_items(stranger, case) == []
    # Update needs the current ETag.
    changed = {**config, **case.changed}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        _call(client, "update", case)(Id=resource_id, IfMatch="E0000000000000", **{f"{case.name}Config": changed})
    assert code_of(excinfo) == ("PreconditionFailed", 412)
    updated = _call(client, "update", case)(Id=resource_id, IfMatch=created["ETag"],
                                            **{f"{case.name}Config": changed})
    assert updated["ETag"] != created["ETag"]
    assert updated[case.name][f"{case.name}Config"] == {**expected, **case.changed}
    assert [item["Id"] for item in _custom_items(client, case)] == [resource_id]
    # Delete with the stale ETag fails, with the current one succeeds.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        _call(client, "delete", case)(Id=resource_id, IfMatch=created["ETag"])
    assert code_of(excinfo) == ("PreconditionFailed", 412)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        _call(client, "delete", case)(Id=resource_id)
    assert code_of(excinfo) == ("InvalidIfMatchVersion", 400)
    deleted = _call(client, "delete", case)(Id=resource_id, IfMatch=updated["ETag"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        _call(client, "get", case)(Id=resource_id)
    assert code_of(excinfo) == (case.not_found, 404)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_unique_member_and_caller_reference(client, stranger, case):
    config = _config(case, "u")
    first = _call(client, "create", case)(**{f"{case.name}Config": config})[case.name]
    other = _config(case, "other")
    other[case.unique] = config[case.unique]
    if "CallerReference" in config and case.unique == "CallerReference":
        # The same request again answers the same resource; a different one with the reference fails.
        again = _call(client, "create", case)(**{f"{case.name}Config": config})[case.name]
        assert again["Id"] == first["Id"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        _call(client, "create", case)(**{f"{case.name}Config": other})
    assert code_of(excinfo) == (case.already_exists, 409)
    # Names are unique per account: another account may use it.
    _call(stranger, "create", case)(**{f"{case.name}Config": config})


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_quota_and_paging(tmp_path_factory, case):
    with RunningServer(case.quota_flag, "3") as server:
        client = make_client(server.url, "123456789012")
        ids = [_call(client, "create", case)(**{f"{case.name}Config": _config(case, n)})[case.name]["Id"]
               for n in range(3)]
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            _call(client, "create", case)(**{f"{case.name}Config": _config(case, 9)})
        assert code_of(excinfo) == (case.too_many, 400)
        seen, marker = [], None
        type_filter = {"Type": "custom"} if case.list_method in ("list_cache_policies", "list_origin_request_policies",
                                                                 "list_response_headers_policies") else {}
        while True:
            page = _list(client, case, MaxItems="2", **type_filter, **({"Marker": marker} if marker else {}))
            assert page["MaxItems"] == 2 and page["Quantity"] == len(page.get("Items", []))
            seen += [item.get(case.name, item)["Id"] for item in page.get("Items", [])]
            marker = page.get("NextMarker")
            if not marker:
                break
        assert seen == ids


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_unknown_ids(client, case):
    for verb, extra in (("get", {}), ("delete", {"IfMatch": "E1"}),
                        ("update", {"IfMatch": "E1", f"{case.name}Config": _config(case, "x")})):
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            _call(client, verb, case)(Id="no-such-id", **extra)
        assert code_of(excinfo) == (case.not_found, 404)


def test_paginators_walk_every_page(client):
    made = [client.create_public_key(PublicKeyConfig=_config(CASES[-1], f"page{n}"))["PublicKey"]["Id"]
            for n in range(3)]
    pages = client.get_paginator("list_public_keys").paginate(PaginationConfig={"PageSize": 1})
    assert [item["Id"] for page in pages for item in page["PublicKeyList"].get("Items", [])] == made
    oacs = [client.create_origin_access_control(OriginAccessControlConfig=_config(CASES[3], f"p{n}"))
            ["OriginAccessControl"]["Id"] for n in range(3)]
    pages = client.get_paginator("list_origin_access_controls").paginate(PaginationConfig={"PageSize": 2})
    assert [item["Id"] for page in pages for item in page["OriginAccessControlList"].get("Items", [])] == oacs
