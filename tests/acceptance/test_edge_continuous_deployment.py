"""Continuous deployment at the edge, through boto3 and real viewer requests on the API's port: a primary
distribution, its staging copy (CopyDistribution Staging=True) pointing at another origin server, and a
continuous deployment policy attached with UpdateDistribution. Each origin server says its name, so the
side that answered is plain."""
from __future__ import annotations

import http.server
import json
import re
import time
import uuid

import origin_servers
import pytest
import requests

from builders import CACHING_OPTIMIZED, direct_config
from serving import RunningServer
from conftest import make_client

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
COOKIE = "aws-cf-cd-session"


class _Origin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = json.dumps({"origin": self.server.name, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "max-age=300")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origins():
    started = {name: origin_servers.start(_Origin, name) for name in ("primary", "staging")}
    yield {name: server.server_address[1] for name, server in started.items()}
    for server in started.values():
        server.shutdown()


def _config(domain: str, port: int, cache_policy: str) -> dict:
    return direct_config(
        Origins={"Quantity": 1, "Items": [{"Id": "origin", "DomainName": domain, "CustomOriginConfig": {
            "HTTPPort": port, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}}]},
        DefaultCacheBehavior={"TargetOriginId": "origin", "ViewerProtocolPolicy": "allow-all",
                              "CachePolicyId": cache_policy, "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST})


def _set_origin_port(client, distribution_id: str, port: int) -> None:
    current = client.get_distribution_config(Id=distribution_id)
    config = current["DistributionConfig"]
    config["Origins"]["Items"][0]["CustomOriginConfig"]["HTTPPort"] = port
    client.update_distribution(Id=distribution_id, IfMatch=current["ETag"], DistributionConfig=config)


def _pair(url: str, client, origins: dict, cache_policy: str = CACHING_DISABLED) -> tuple[dict, dict]:
    """A primary on the "primary" origin server and its staging distribution moved to the "staging" one."""
    name = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    requests.post(url + "/_cloudfront-local/dns", json={"name": name, "type": "A", "value": "127.0.0.1"},
                  timeout=5).raise_for_status()
    made = client.create_distribution(DistributionConfig=_config(name, origins["primary"], cache_policy))
    staging = client.copy_distribution(PrimaryDistributionId=made["Distribution"]["Id"], Staging=True,
                                       CallerReference=str(uuid.uuid4()), IfMatch=made["ETag"])["Distribution"]
    _set_origin_port(client, staging["Id"], origins["staging"])
    return made["Distribution"], staging


def _attach(client, primary: dict, staging: dict, traffic: dict, enabled: bool = True) -> str:
    policy = client.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig={
        "StagingDistributionDnsNames": {"Quantity": 1, "Items": [staging["DomainName"]]},
        "Enabled": enabled, "TrafficConfig": traffic})["ContinuousDeploymentPolicy"]
    current = client.get_distribution_config(Id=primary["Id"])
    config = {**current["DistributionConfig"], "ContinuousDeploymentPolicyId": policy["Id"]}
    client.update_distribution(Id=primary["Id"], IfMatch=current["ETag"], DistributionConfig=config)
    return policy["Id"]


def _change_policy(client, policy_id: str, **members) -> None:
    current = client.get_continuous_deployment_policy_config(Id=policy_id)
    config = {**current["ContinuousDeploymentPolicyConfig"], **members}
    client.update_continuous_deployment_policy(Id=policy_id, IfMatch=current["ETag"],
                                               ContinuousDeploymentPolicyConfig=config)


def _get(url: str, host: str, path: str = "/", **headers) -> requests.Response:
    return requests.get(url + path, headers={"Host": host, **headers}, timeout=15)


def _side(answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["origin"]


def _cookie(answer: requests.Response) -> str | None:
    """The stickiness cookie's value, after checking the Set-Cookie it came in."""
    value = answer.headers.get("Set-Cookie")
    if value is None:
        return None
    match = re.fullmatch(COOKIE + r"=([^;]+); Max-Age=(\d+); Path=/; HttpOnly", value)
    assert match, value
    return match.group(1)


def _header(name: str = "aws-cf-cd-test", value: str = "yes") -> dict:
    return {"Type": "SingleHeader", "SingleHeaderConfig": {"Header": name, "Value": value}}


def _weight(weight: float, idle: int | None = None, maximum: int | None = None) -> dict:
    config: dict = {"Weight": weight}
    if idle is not None:
        config["SessionStickinessConfig"] = {"IdleTTL": idle, "MaximumTTL": maximum}
    return {"Type": "SingleWeight", "SingleWeightConfig": config}


def test_single_header_sends_its_value_to_staging(server, client, origins):
    primary, staging = _pair(server.url, client, origins)
    domain = primary["DomainName"]
    assert _side(_get(server.url, domain)) == "primary"  # no policy yet
    policy_id = _attach(client, primary, staging, _header())
    assert _side(_get(server.url, domain, "/a")) == "primary"
    routed = _get(server.url, domain, "/a", **{"aws-cf-cd-test": "yes"})
    assert _side(routed) == "staging" and routed.json()["path"] == "/a"
    assert "Set-Cookie" not in routed.headers and routed.headers["X-Cache"] == "Miss from cloudfront"
    # The header's name is matched as HTTP matches names; its value exactly.
    assert _side(_get(server.url, domain, **{"AWS-CF-CD-TEST": "yes"})) == "staging"
    for value in ("no", "YES", "yes2", ""):
        assert _side(_get(server.url, domain, **{"aws-cf-cd-test": value})) == "primary", value
    assert _side(_get(server.url, domain, **{"aws-cf-cd-other": "yes"})) == "primary"
    # Viewers cannot reach a staging distribution by its own name.
    refused = _get(server.url, staging["DomainName"], **{"aws-cf-cd-test": "yes"})
    assert refused.status_code == 403 and refused.headers["X-Cache"] == "Error from cloudfront"

    # A disabled policy sends everything to the primary; enabled again, the header works again.
    _change_policy(client, policy_id, Enabled=False)
    assert _side(_get(server.url, domain, **{"aws-cf-cd-test": "yes"})) == "primary"
    _change_policy(client, policy_id, Enabled=True)
    assert _side(_get(server.url, domain, **{"aws-cf-cd-test": "yes"})) == "staging"
    # A disabled staging distribution takes no traffic either.
    current = client.get_distribution_config(Id=staging["Id"])
    client.update_distribution(Id=staging["Id"], IfMatch=current["ETag"],
                               DistributionConfig={**current["DistributionConfig"], "Enabled": False})
    assert _side(_get(server.url, domain, **{"aws-cf-cd-test": "yes"})) == "primary"


def test_single_weight_sends_that_share(server, client, origins):
    primary, staging = _pair(server.url, client, origins)
    policy_id = _attach(client, primary, staging, _weight(0.15))
    requests_sent = 400
    sides = [_get(server.url, primary["DomainName"], f"/w{i}") for i in range(requests_sent)]
    assert not [a for a in sides if "Set-Cookie" in a.headers]  # no stickiness, no cookie
    share = sum(_side(a) == "staging" for a in sides)
    # 15% of 400 is 60, with a standard deviation of about 7: five of them either way.
    assert 25 <= share <= 95, share
    _change_policy(client, policy_id, TrafficConfig=_weight(0.0))
    assert {_side(_get(server.url, primary["DomainName"])) for _ in range(40)} == {"primary"}


def test_session_stickiness_keeps_a_viewer_on_its_side(server, client, origins):
    primary, staging = _pair(server.url, client, origins)
    domain = primary["DomainName"]
    policy_id = _attach(client, primary, staging, _weight(0.15, idle=300, maximum=600))
    sessions: dict[str, str] = {}
    for _ in range(300):
        answer = _get(server.url, domain)
        assert re.search(r"Max-Age=300;", answer.headers["Set-Cookie"])
        sessions.setdefault(_side(answer), _cookie(answer))
        if len(sessions) == 2:
            break
    assert set(sessions) == {"primary", "staging"}, sessions
    for side, cookie in sessions.items():
        for i in range(12):
            answer = _get(server.url, domain, f"/s{i}", Cookie=f"a=1; {COOKIE}={cookie}; b=2")
            assert _side(answer) == side, (side, i)
            seen = answer.json()["headers"]
            # CloudFront's cookie is its own: the origin gets the viewer's other cookies only.
            assert seen["cookie"] == "a=1; b=2"
            renewed = _cookie(answer)
            assert renewed.split(".")[:2] == cookie.split(".")[:2]  # the same session, its idle time renewed
            cookie = renewed
        sessions[side] = cookie

    # A cookie the viewer changed (the side swapped) or made up starts a new session, whatever it asks for.
    side, started, seen, mac = sessions["primary"].split(".")
    for forged in (f"s.{started}.{seen}.{mac}", "s.1.1.0", "garbage", "s." + "9" * 40, ""):
        answer = _get(server.url, domain, Cookie=f"{COOKIE}={forged}")
        assert _side(answer) in ("primary", "staging")
        assert _cookie(answer).split(".")[1] != started, forged

    # A new weight keeps the sessions; disabling and enabling stickiness resets them.
    _change_policy(client, policy_id, TrafficConfig=_weight(0.05, idle=300, maximum=600))
    assert _side(_get(server.url, domain, Cookie=f"{COOKIE}={sessions['staging']}")) == "staging"
    _change_policy(client, policy_id, TrafficConfig=_weight(0.0))
    assert "Set-Cookie" not in _get(server.url, domain, Cookie=f"{COOKIE}={sessions['staging']}").headers
    _change_policy(client, policy_id, TrafficConfig=_weight(0.0, idle=300, maximum=600))
    for cookie in sessions.values():
        answer = _get(server.url, domain, Cookie=f"{COOKIE}={cookie}")
        assert _side(answer) == "primary" and _cookie(answer).split(".")[1] != cookie.split(".")[1]


def test_staging_and_primary_keep_separate_caches(server, client, origins):
    primary, staging = _pair(server.url, client, origins, CACHING_OPTIMIZED)
    domain, header = primary["DomainName"], {"aws-cf-cd-test": "yes"}
    _attach(client, primary, staging, _header())
    first = _get(server.url, domain, "/cached")
    assert _side(first) == "primary" and first.headers["X-Cache"] == "Miss from cloudfront"
    assert _get(server.url, domain, "/cached").headers["X-Cache"] == "Hit from cloudfront"
    staged = _get(server.url, domain, "/cached", **header)
    assert _side(staged) == "staging" and staged.headers["X-Cache"] == "Miss from cloudfront"
    again = _get(server.url, domain, "/cached", **header)
    assert _side(again) == "staging" and again.headers["X-Cache"] == "Hit from cloudfront"
    back = _get(server.url, domain, "/cached")
    assert _side(back) == "primary" and back.headers["X-Cache"] == "Hit from cloudfront"
    # An invalidation of the staging distribution empties its cache only.
    client.create_invalidation(DistributionId=staging["Id"], InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": ["/cached"]}, "CallerReference": str(uuid.uuid4())})
    assert _get(server.url, domain, "/cached", **header).headers["X-Cache"] == "Miss from cloudfront"
    assert _get(server.url, domain, "/cached").headers["X-Cache"] == "Hit from cloudfront"


def test_promotion_gives_every_viewer_the_staging_config(server, client, origins):
    primary, staging = _pair(server.url, client, origins)
    domain, header = primary["DomainName"], {"aws-cf-cd-test": "yes"}
    policy_id = _attach(client, primary, staging, _header())
    assert _side(_get(server.url, domain)) == "primary"
    primary_tag = client.get_distribution(Id=primary["Id"])["ETag"]
    staging_tag = client.get_distribution(Id=staging["Id"])["ETag"]
    client.update_distribution_with_staging_config(Id=primary["Id"], StagingDistributionId=staging["Id"],
                                                   IfMatch=f"{primary_tag},{staging_tag}")
    assert client.get_continuous_deployment_policy(Id=policy_id)[
        "ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"]["Enabled"] is False
    assert _side(_get(server.url, domain)) == "staging"  # the primary now has the staging config
    # The policy is disabled: the header reaches the primary, which the staging distribution's next change
    # (back to the first origin) does not touch.
    _set_origin_port(client, staging["Id"], origins["primary"])
    assert _side(_get(server.url, domain, **header)) == "staging"
    _change_policy(client, policy_id, Enabled=True)
    assert _side(_get(server.url, domain, **header)) == "primary"  # the staging distribution, now on "primary"


def test_staging_takes_traffic_once_both_are_deployed(origins):
    with RunningServer("--deploy-delay", "2") as slow:
        client = make_client(slow.url, "123456789012")
        primary, staging = _pair(slow.url, client, origins)
        _attach(client, primary, staging, _header())
        header = {"aws-cf-cd-test": "yes"}
        assert client.get_distribution(Id=primary["Id"])["Distribution"]["Status"] == "InProgress"
        assert _side(_get(slow.url, primary["DomainName"], **header)) == "primary"
        deadline = time.monotonic() + 10
        while client.get_distribution(Id=staging["Id"])["Distribution"]["Status"] != "Deployed" or \
                client.get_distribution(Id=primary["Id"])["Distribution"]["Status"] != "Deployed":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert _side(_get(slow.url, primary["DomainName"], **header)) == "staging"
        # A change to the staging distribution: the primary answers until it is deployed.
        _set_origin_port(client, staging["Id"], origins["staging"])
        assert _side(_get(slow.url, primary["DomainName"], **header)) == "primary"
