"""Continuous deployment at the edge: a primary distribution whose continuous deployment policy is enabled
hands some viewer requests to its staging distribution, which then answers them with its own configuration
and its own cache (docs/behaviour.md, "Continuous deployment at the edge").

A weight-based policy with session stickiness keeps a viewer on one side through a cookie of CloudFront's.
The guide does not name it or say what it holds: ours is `aws-cf-cd-session`, holding the side, when the
session began and when it was last seen, with a MAC so that a viewer cannot choose its side or stretch its
session. It is CloudFront's own, so it is taken out of the request before the cache key, functions and the
origin see it."""
from __future__ import annotations

import hashlib
import hmac
import random
import re
import time
from dataclasses import dataclass

from ..service.common import lifecycle
from ..service.distributions import continuous_deployment, distributions
from ..store import GLOBAL
from .routing import Site

COOKIE = "aws-cf-cd-session"
_STAGING, _PRIMARY = "s", "p"
_DIGITS = re.compile(r"[0-9]{1,16}")
_clock = time.time      # the in-process tests move time on to see sessions end
_chance = random.random


@dataclass
class Routed:
    site: Site                     # the side that answers: the primary's site or its staging distribution's
    headers: list[tuple[str, str]]  # the viewer's headers without the stickiness cookie
    set_cookies: list[str]         # Set-Cookie values for the answer


def route(tx, site: Site, headers: list[tuple[str, str]]) -> Routed:
    """Which side answers the request the primary `site` received."""
    config = site.config
    policy_id = config.get("ContinuousDeploymentPolicyId")
    if not policy_id or site.tenant is not None:
        return Routed(site, headers, [])
    headers, cookie = _without_cookie(headers)
    record = tx.get(continuous_deployment.POLICY.kind, site.account, policy_id)
    policy = record.doc[continuous_deployment.POLICY.config] if record is not None else {}
    staging = _staging(tx, site, policy) if policy.get("Enabled") else None
    if staging is None:
        return Routed(site, headers, [])
    traffic = policy.get("TrafficConfig") or {}
    if traffic.get("Type") == "SingleHeader":
        wanted = traffic["SingleHeaderConfig"]
        sent = next((v for k, v in headers if k.lower() == wanted["Header"].lower()), None)
        return Routed(staging if sent == wanted["Value"] else site, headers, [])
    if traffic.get("Type") != "SingleWeight":
        return Routed(site, headers, [])
    weight = traffic["SingleWeightConfig"]
    stickiness = weight.get("SessionStickinessConfig")
    if not stickiness:
        return Routed(staging if _chance() < weight["Weight"] else site, headers, [])
    now = int(_clock() * 1000)  # milliseconds: a session begun just after a reset is not taken for one before it
    key = f"{policy_id}/{record.doc['CreatedTime']}".encode()
    since = record.doc.get(continuous_deployment.SESSIONS_SINCE, 0) * 1000
    session = _session(cookie, key, now, since, stickiness)
    if session is None:
        session = (_STAGING if _chance() < weight["Weight"] else _PRIMARY, now)
    side, started = session
    # The idle time starts again with each request; the session never outlives its maximum.
    left = max(1, min(stickiness["IdleTTL"], (started - now) // 1000 + stickiness["MaximumTTL"]))
    value = _signed(key, f"{side}.{started}.{now}")
    return Routed(staging if side == _STAGING else site, headers,
                  [f"{COOKIE}={value}; Max-Age={left}; Path=/; HttpOnly"])


def _staging(tx, site: Site, policy: dict) -> Site | None:
    """The policy's staging distribution, when it can take traffic: a staging distribution of the same
    account, enabled, and both it and the primary deployed ("When the primary distribution's configuration,
    with the attached continuous deployment policy, deploys to edge locations, CloudFront begins sending...")."""
    names = (policy.get("StagingDistributionDnsNames") or {}).get("Items") or []
    if not names:
        return None
    record = tx.find(GLOBAL, distributions.DOMAIN_NAME_KEY, names[0].lower())
    if record is None or record.account != site.account or record.kind != distributions.KIND:
        return None
    config = record.doc["DistributionConfig"]
    if not config.get("Staging") or not config.get("Enabled"):
        return None
    now = _clock()
    if now < record.doc.get(lifecycle.DEPLOY_AT, 0) or now < site.distribution.get(lifecycle.DEPLOY_AT, 0):
        return None
    return Site(site.account, record.doc, None, site.host)


def _without_cookie(headers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], str | None]:
    """The headers without the stickiness cookie (a Cookie header left empty goes), and its first value."""
    found, kept = None, []
    for name, value in headers:
        if name.lower() != "cookie":
            kept.append((name, value))
            continue
        pieces = []
        for piece in value.split(";"):
            key, sep, content = piece.strip().partition("=")
            if sep and key.strip() == COOKIE:
                found = content.strip() if found is None else found
            elif piece.strip():
                pieces.append(piece.strip())
        if pieces:
            kept.append((name, "; ".join(pieces)))
    return kept, found


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def _signed(key: bytes, text: str) -> str:
    return f"{text}.{_mac(key, text)}"


def _session(cookie: str | None, key: bytes, now: int, since: float, stickiness: dict) -> tuple[str, int] | None:
    """(side, start in milliseconds) of the viewer's session, or None when the cookie holds none that still runs."""
    parts = (cookie or "").split(".")
    if len(parts) != 4 or not hmac.compare_digest(_mac(key, ".".join(parts[:3])), parts[3]):
        return None
    side, started, seen = parts[0], parts[1], parts[2]
    if side not in (_STAGING, _PRIMARY) or not (_DIGITS.fullmatch(started) and _DIGITS.fullmatch(seen)):
        return None
    started, seen = int(started), int(seen)
    if started < since or now - seen > stickiness["IdleTTL"] * 1000 or \
            now - started >= stickiness["MaximumTTL"] * 1000:
        return None
    return side, started
