"""A request's way past the cache to the origin and back: the cache key and its entry (Hit, RefreshHit after a
304, Miss), the origin request the policies shape, failover through an origin group, the distribution's
custom error responses, and compression before the answer is cached. Coroutines, on the event loop that
serves the viewer (the server's, or the mock's private one): what would block it, a Lambda@Edge run, a local
bucket's file or a large body's compression, goes to a thread."""
from __future__ import annotations

import asyncio
import logging
import time

from ..service.common.context import Context
from ..service.distributions import invalidations
from . import (cache, compression, error_responses, events, forwarding, lambda_edge, local_buckets, origin_choice,
               origins, pages, patterns, s3_origin)
from .origins import HOP_BY_HOP
from .responses import EdgeResponse, bare_error, via_name

NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "x-forwarded-for", "cookie"}
MAX_OWNERS_SEEN = 4096  # distributions and tenants whose invalidations are remembered between lookups
FAILOVER_METHODS = ("GET", "HEAD", "OPTIONS")  # CloudFront fails over only for these (origin groups)
# Compressing more than this in the event loop would hold up every other viewer: a thread does it instead.
COMPRESS_INLINE_BYTES = 64 * 1024
log = logging.getLogger("cloudfront_local")


class Delivery:
    def __init__(self, application, store_cache: cache.Cache):
        self.application = application
        self.cache = store_cache
        self._invalidations_seen: dict[tuple[str, str], tuple[int, list[dict]]] = {}

    async def through_cache(self, plan, request: dict, route: origin_choice.Route,
                            key: str | None = None) -> tuple[EdgeResponse, str]:
        """`key`: the request's cache key when the caller has it already (no function changed the request)."""
        method = plan.method
        uri, query, headers = _parts(request)
        rules = plan.chosen.rules
        if not cache.cacheable_method(plan.behavior, method):
            answer = await self._origin(plan, route, method, uri, query, headers, [])
            return await self._final(plan, answer, headers, None)
        key = key or cache.cache_key(rules, plan.scope, method, uri, query, headers)
        now = time.time()
        entry = self._entry(plan, key)
        if entry is not None and entry.fresh(now):
            return _from(entry, now), "Error" if entry.status >= 400 else "Hit"
        validators = cache.revalidation_headers(entry) if entry is not None else []
        answer = await self._origin(plan, route, method, uri, query, headers, validators)
        if entry is not None and validators and isinstance(answer, origins.Answer) and answer.status == 304:
            renewed = cache.refreshed(entry, answer.headers, cache.ttl(rules, entry.status, answer.headers, now), now)
            self.cache.put(key, renewed)
            return _from(renewed, now), "RefreshHit"
        return await self._final(plan, answer, headers, (key, uri, query, now) if method != "HEAD" else None)

    def key(self, plan, request: dict) -> str:
        """The cache key of a request event (as through_cache works it out)."""
        uri, query, headers = _parts(request)
        return cache.cache_key(plan.chosen.rules, plan.scope, plan.method, uri, query, headers)

    def fresh(self, plan, key: str) -> tuple[EdgeResponse, str] | None:
        """The answer of a fresh cache entry under `key` (a cacheable method's), or None: a hit needs no thread
        of its own."""
        now = time.time()
        entry = self._entry(plan, key)
        if entry is None or not entry.fresh(now):
            return None
        return _from(entry, now), "Error" if entry.status >= 400 else "Hit"

    def _entry(self, plan, key: str) -> cache.Entry | None:
        """The cache's entry for the key, unless an invalidation made since covers it."""
        entry = self.cache.get(key)
        if entry is not None and cache.invalidated(entry, self._invalidations(plan)):
            self.cache.remove(key)
            return None
        return entry

    def _invalidations(self, plan) -> list[dict]:
        """Every invalidation of the distribution (or the tenant), read from the shared store: a purge made on
        any server sharing the state reaches this one's cache. Invalidations are never changed or deleted, so
        while the account's count of them stands still the list read last time is still whole: a hit costs
        one count, not a read of every invalidation."""
        account = plan.site.account
        owner = f"distribution-tenant:{plan.site.tenant['Id']}" if plan.site.tenant is not None \
            else f"distribution:{plan.site.distribution['Id']}"
        with self.application.store.transaction() as tx:
            count = tx.count(invalidations.KIND, account)
            seen = self._invalidations_seen.get((account, owner))
            if seen is not None and seen[0] == count:
                return seen[1]
            found = invalidations.covering(Context(account, time.time(), self.application.settings), tx, owner)
        if len(self._invalidations_seen) >= MAX_OWNERS_SEEN:
            self._invalidations_seen.clear()
        self._invalidations_seen[(account, owner)] = (count, found)
        return found

    async def _final(self, plan, answer, headers, store: tuple | None) -> tuple[EdgeResponse, str]:
        """The answer after custom error responses and compression; kept in the cache when it may be.
        `headers` are the request's as keyed (after the viewer-request function)."""
        from_origin = isinstance(answer, origins.Answer)
        response = EdgeResponse(answer.status, answer.headers, answer.body) if from_origin else answer
        if from_origin and plan.method == "HEAD":
            # No body came: the length the origin declared is the one the viewer is told.
            declared = next((v for k, v in answer.headers if k.lower() == "content-length"), None)
            response.length = int(declared) if declared and declared.isdigit() else None
        rule = error_responses.rule_for(plan.site.config, response.status) if response.status >= 400 else None
        if rule is not None:
            response = await self._custom_error(plan, rule, response)
        if plan.behavior.get("Compress") and plan.method != "HEAD":
            # The encoding the cache key holds, so that what is stored under a key is what that key promises.
            encoding = compression.choice(cache.accept_encoding(plan.chosen.rules, headers))
            work = (encoding, response.status, response.headers, response.body)
            if len(response.body) <= COMPRESS_INLINE_BYTES:
                response.headers, response.body = compression.compress(*work)
            else:
                response.headers, response.body = await asyncio.to_thread(compression.compress, *work)
        if store is not None and (from_origin or rule is not None):
            key, uri, query, now = store
            ttl = cache.ttl(plan.chosen.rules, answer.status, response.headers, now,
                            custom_error_ttl=rule.ttl if rule is not None else None)
            if ttl > 0:
                self.cache.put(key, cache.Entry(response.status, "", list(response.headers), response.body, now,
                                                now + ttl, uri, plan.scope, cache.cached_query(plan.chosen.rules, query)))
        return response, "Error" if response.status >= 400 else "Miss"

    async def _custom_error(self, plan, rule: error_responses.Rule, response: EdgeResponse) -> EdgeResponse:
        status = rule.response_code or response.status
        if not rule.page_path:
            return EdgeResponse(status, response.headers, response.body, response.length)
        behavior = patterns.behavior_for(plan.site.config, rule.page_path)
        with self.application.store.transaction() as tx:
            route = origin_choice.resolve(tx, plan.site, self.application.settings,
                                          behavior.get("TargetOriginId") or "", plan.scheme)
        page = await self._fetch(plan, route, "GET", rule.page_path, "", [], [])
        if not isinstance(page, origins.Answer):
            return page  # the page's origin cannot be reached: CloudFront's own error for that
        if 200 <= page.status < 300:
            return EdgeResponse(status, page.headers, page.body)
        # "If the custom error page isn't available, CloudFront returns to the viewer the status code that
        # CloudFront received from the origin that contains the custom error pages" (Developer Guide).
        return EdgeResponse(page.status, page.headers, page.body)

    # -- the origin ------------------------------------------------------------------------------------------
    async def _origin(self, plan, route, method, uri, query, headers, validators):
        """The origin's answer on a cache miss, through the Lambda@Edge origin-request and origin-response
        triggers when the behavior has them (lambda_edge.Refused when one fails)."""
        request_trigger, response_trigger = plan.lambdas.get("origin-request"), plan.lambdas.get("origin-response")
        if request_trigger is None and response_trigger is None:
            return await self._fetch(plan, route, method, uri, query, headers, validators)
        chosen = plan.chosen
        legacy = plan.behavior.get("ForwardedValues") if chosen.cache_policy is None else None
        forwarded = forwarding.to_origin(chosen.cache_params, chosen.origin_request, legacy, headers, query,
                                         plan.generated(), method)
        member = route.members[0] if route.members else None
        pairs = [(events.header_name(k), v) for k, v in forwarded.headers if k.lower() not in NOT_FORWARDED]
        if forwarded.cookie:
            pairs.append(("Cookie", forwarded.cookie))
        viewer_host = next((v for k, v in headers if k.lower() == "host"), None)
        if forwarded.host and viewer_host:
            pairs.append(("Host", viewer_host))
        elif isinstance(member, origins.Target):
            default_port = 443 if member.scheme == "https" else 80
            pairs.append(("Host", member.domain if member.port == default_port else f"{member.domain}:{member.port}"))
        origin = lambda_edge.origin_view(plan.site, member)
        trigger = request_trigger or response_trigger
        shown, kept = lambda_edge.request_view(method, uri, forwarded.query, pairs, plan.viewer_ip, trigger,
                                               plan.body, origin)
        if request_trigger is not None:
            plan.ran.append(("lambda@edge", "origin-request"))
            # A Lambda@Edge run waits on its worker for up to its timeout: a thread's wait, not the loop's.
            result = await asyncio.to_thread(lambda_edge.run, self.runtime(), request_trigger, plan.context, shown)
            changed = lambda_edge.applied_request(result, shown, kept, request_trigger, plan.request_id, plan.body)
            if isinstance(changed, lambda_edge.Generated):
                # Cached as an origin's answer would be; no origin-response trigger runs for it.
                made = changed.response
                return origins.Answer(made.status, "", made.headers, made.body)
            plan.body = changed["body"]
            uri, forwarded.query = changed["uri"], changed["querystring"]
            pairs = lambda_edge.entry_pairs(changed["headers"])
            if "origin" in changed:
                with self.application.store.transaction() as tx:
                    found = origin_choice.member(tx, plan.site, self.application.settings, changed["origin"],
                                                 plan.scheme)
                origin_id = getattr(member, "origin_id", "")
                if isinstance(found, str):
                    found = origin_choice.Unreachable(found, origin_id)
                else:
                    found.origin_id = origin_id
                route = origin_choice.Route([found], frozenset())
                origin = {k: v for k, v in (changed["origin"] or {}).items()}
            shown = {**shown, "uri": uri, "querystring": forwarded.query,
                     "headers": lambda_edge.header_entries(pairs)}
            shown.pop("body", None)
        exact = forwarding.Forwarded([(k, v) for k, v in pairs if k.lower() not in ("host", "cookie")],
                                     "; ".join(v for k, v in pairs if k.lower() == "cookie") or None,
                                     forwarded.query, True)
        answer = await self._fetch(plan, route, method, uri, forwarded.query, pairs, validators, exact)
        if response_trigger is None or not isinstance(answer, origins.Answer) or answer.status == 304:
            return answer
        seen, kept_back = lambda_edge.response_view(answer.status, answer.reason, answer.headers)
        shown.pop("body", None)
        plan.ran.append(("lambda@edge", "origin-response"))
        result = await asyncio.to_thread(lambda_edge.run, self.runtime(), response_trigger, plan.context, shown,
                                         seen)
        changed = lambda_edge.applied_response(result, seen, kept_back, response_trigger, plan.request_id,
                                               EdgeResponse(answer.status, answer.headers, answer.body))
        return origins.Answer(changed.status, "", changed.headers, changed.body)

    def runtime(self):
        from .. import lambda_runtime

        return lambda_runtime.shared(self.application.settings.lambda_workers)

    async def _fetch(self, plan, route, method, uri, query, headers, validators, exact=None):
        """The origin's answer, through an origin group's members in turn; or CloudFront's error page.
        `exact`: what an origin-request trigger decided to send, instead of what the policies choose."""
        members = route.members if method in FAILOVER_METHODS else route.members[:1]
        result = None
        for index, member in enumerate(members):
            result = await self._one(plan, member, method, uri, query, headers, validators, exact)
            last = index == len(members) - 1
            failed = isinstance(result, EdgeResponse) or result.status in route.failover
            if not failed or last or not route.failover:
                break
        return result

    async def _one(self, plan, member, method, uri, query, headers, validators, exact=None):
        if isinstance(member, str):
            _failed(plan, getattr(member, "origin_id", ""), 502, member)
            return bare_error(502, pages.CANNOT_CONNECT, plan.request_id)
        chosen = plan.chosen
        legacy = plan.behavior.get("ForwardedValues") if chosen.cache_policy is None else None
        forwarded = exact or forwarding.to_origin(chosen.cache_params, chosen.origin_request, legacy, headers,
                                                  query, plan.generated(), method)
        # The event's lower-case names go out capitalised per word, as CloudFront writes a request.
        sent = [(events.header_name(k), v) for k, v in forwarded.headers if k.lower() not in NOT_FORWARDED]
        # CloudFront appends the viewer's address to the X-Forwarded-For the viewer sent.
        forwarded_for = [v for k, v in plan.headers if k.lower() == "x-forwarded-for"]
        sent.append(("X-Forwarded-For", ", ".join([*forwarded_for, plan.viewer_ip])))
        if forwarded.cookie:
            sent.append(("Cookie", forwarded.cookie))
        target = member
        host = next((v for k, v in headers if k.lower() == "host"), None) if forwarded.host else None
        default_port = 443 if target.scheme == "https" else 80
        sent.append(("Host", host or (target.domain if target.port == default_port
                                      else f"{target.domain}:{target.port}")))
        sent.append(("Via", f"1.1 {via_name()}.cloudfront.net (CloudFront)"))
        sent.append(("X-Amz-Cf-Id", plan.request_id))
        sent += target.headers + validators
        path = target.path + events.quoted_uri(uri)
        path_and_query = path + (f"?{forwarded.query}" if forwarded.query else "")
        body = plan.body if method not in ("GET", "HEAD") else b""
        sent = s3_origin.sign(target, method, path_and_query, sent, body)  # unchanged unless an OAC signs
        plan.asked.append(target.origin_id)
        try:
            if isinstance(target, local_buckets.LocalTarget):
                # Files read whole (up to the edge's 32 MB bound): on a thread, so the loop serves others.
                return await asyncio.to_thread(local_buckets.fetch, target, method, path_and_query, sent, body)
            return await origins.fetch(target, method, path_and_query, sent, body)
        except origins.OriginError as failure:
            _failed(plan, target.origin_id, failure.status, str(failure))
            message = pages.TIMED_OUT if failure.status == 504 else pages.CANNOT_CONNECT
            return bare_error(failure.status, message, plan.request_id)


def _failed(plan, origin_id: str, status: int, reason: str) -> None:
    """One log line for an origin the viewer's answer could not come from: the viewer gets only CloudFront's
    page, so the reason is told here (each origin of a group that fails gets its own line)."""
    site = plan.site
    tenant = f" tenant {site.tenant['Id']}" if site.tenant is not None else ""
    log.warning("edge: %d: distribution %s%s origin %s: %s (request %s)", status, site.distribution["Id"], tenant,
                origin_id or "-", " ".join(reason.split())[:1000], plan.request_id)


def _parts(request: dict) -> tuple[str, str, list[tuple[str, str]]]:
    """The uri, query and headers (Cookie among them) of a request event, as the cache and origin see them."""
    headers = events.header_pairs(request.get("headers") or {})
    cookies = events.cookie_header(request.get("cookies") or {})
    if cookies:
        headers.append(("Cookie", cookies))
    return request.get("uri") or "/", events.query_text(request.get("querystring") or {}), headers


def _from(entry: cache.Entry, now: float) -> EdgeResponse:
    headers = [(k, v) for k, v in entry.headers if k.lower() != "age"]
    return EdgeResponse(entry.status, headers + [("Age", str(entry.age(now)))], entry.body)
