"""One viewer request through the edge: host → site → geo restriction → behavior → signed URL → viewer-request
function → cache → origin (or origin group) → custom error response → response headers policy → viewer-response
function → response. `prepare` reads the configuration (on the caller's thread, where the API's store work
runs); `complete`, a coroutine, runs functions, the cache and the origin request, which may take seconds: the
server awaits it on its event loop, the mock's `handle` on the edge's private one (private_loop.py)."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
from typing import NamedTuple

from ..service.common.context import Context
from ..service.functions import key_value_stores, staged
from ..service.functions.functions import FUNCTION
from ..service.common import ids
from . import (cache, cloudfront_logs, events, field_level_encryption, function_rules, geo, lambda_edge,
               origin_choice, pages, patterns, private_loop, routing, staging)
from .access import keys_for, refused_by_geo
from .delivery import Delivery, _parts
from .plan import Function, Plan, policies_for
from .viewed import Viewed
from .responses import (EdgeResponse, bare_error, error, finish, generated, moved,  # noqa: F401 - the API
                        new_request_id)

log = logging.getLogger("cloudfront_local")
DEFAULT_METHODS = ["GET", "HEAD"]
KEYED_REQUEST_BYTES = 2048  # requests larger than this have their cache key worked out each time
MEMO_ENTRIES = 4096  # a flood of distinct Hosts or viewer addresses empties the memo, never grows it


class Edge:
    def __init__(self, application, cache_bytes: int = 64 * 1024 * 1024):
        self.application = application
        self.cache = cache.Cache(cache_bytes)
        self.delivery = Delivery(application, self.cache)
        application.edge = self  # the dashboard shows this edge's cache
        # What reading the configuration gave, for the state version it was read at (`_memo`).
        self._memory: dict = {}
        self._version = None
        self._keys: dict = {}  # cache keys by request, for the configuration version `_keys_version`
        self._keys_version = None

    def handle(self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes,
               viewer_ip: str = "127.0.0.1", scheme: str = "http") -> EdgeResponse:
        viewed = Viewed(method, path, query, headers, viewer_ip, 0, scheme, "HTTP/1.1", len(body), time.time())
        prepared = self.prepare(viewed, body)
        response = prepared if isinstance(prepared, EdgeResponse) \
            else self.quick(prepared) or private_loop.run(self.complete(prepared))
        self.answered(viewed, response)
        return response

    def answered(self, viewed: Viewed, response: EdgeResponse) -> None:
        """The end of one viewer request, its answer sent (the server calls this once per viewer request, and
        `handle` for the mock): the edge's request log takes its record from `viewed`, and CloudFront's
        standard and real-time logs get it only if the distribution has either; what they need beyond the
        values the edge already holds, they work out from it (viewed.py), so a hit pays for a clock read, a
        tuple and a ring append."""
        viewed.answer(response, time.time())
        self.application.requests.add(viewed)
        site = viewed.site
        if site is None:
            return  # a Host no distribution holds: CloudFront has none to log it for
        behavior = viewed.behavior
        if behavior is None:  # refused before a behavior was chosen (geo): logged under the one its path has
            behavior = patterns.behavior_for(site.config, viewed.path)
        if (site.config.get("Logging") or {}).get("Enabled") or behavior.get("RealtimeLogConfigArn"):
            cloudfront_logs.of(self.application).viewed(viewed, behavior)

    # -- reading the configuration ---------------------------------------------------------------------------
    def prepare(self, viewed: Viewed, body: bytes) -> Plan | EdgeResponse:
        """The plan for a viewer request, or the answer when the edge gives one without running anything;
        `viewed` gets the distribution, behavior and country as they are found (an answer given here is
        logged with what was known)."""
        request_id = new_request_id()
        try:
            prepared = self._prepare(request_id, viewed, body)
        except Exception:  # a bug of ours: logged, and the viewer gets CloudFront's page, not a trace
            log.error("edge: internal error\n%s", traceback.format_exc())
            prepared = error(502, pages.CANNOT_CONNECT, request_id)
        if not isinstance(prepared, EdgeResponse):
            viewed.asked, viewed.ran = prepared.asked, prepared.ran
        return prepared

    def _prepare(self, request_id, viewed: Viewed, body) -> Plan | EdgeResponse:
        method, path, query, headers = viewed.method, viewed.path, viewed.query, viewed.headers
        viewer_ip, scheme = viewed.viewer_ip, viewed.scheme
        raw_host = next((v for k, v in headers if k.lower() == "host"), None)
        host = routing.host_name(raw_host)
        settings = self.application.settings
        with self.application.store.transaction() as tx:
            memo = self._memo(tx)
            site = _remembered(memo, ("site", host), routing.find, tx, host)
            if site is None:
                return error(403, pages.BAD_REQUEST, request_id)
            routed = staging.route(tx, site, headers)  # continuous deployment: the primary or its staging side
            site, headers = routed.site, routed.headers
            viewed.site = site
            signed_hosts = [raw_host or host]
            if site.host != host:
                # A `.localhost` form: from here on the request is the one CloudFront would get, Host the real
                # name (no port: CloudFront's viewers use 80 and 443), for functions, the cache key and the
                # origin alike. A signed URL may name either (docs/behaviour.md, "Names and ports for viewers").
                headers = [(k, site.host) if k.lower() == "host" else (k, v) for k, v in headers]
                signed_hosts.append(site.host)
            config = site.config
            country = viewed.country = _remembered(memo, ("geo", viewer_ip), geo.country_of, tx, viewer_ip)
            if refused_by_geo(site, country):
                return error(403, GEO_BLOCKED, request_id)
            behavior = viewed.behavior = patterns.behavior_for(config, path)
            allowed = (behavior.get("AllowedMethods") or {}).get("Items") or DEFAULT_METHODS
            if method not in allowed:
                return error(403, pages.METHOD_NOT_ALLOWED, request_id)
            policy = behavior.get("ViewerProtocolPolicy")
            if policy == "redirect-to-https" and scheme == "http":
                location = f"https://{host}{path}" + (f"?{query}" if query else "")
                return finish(moved(location), request_id, "Redirect")
            if policy == "https-only" and scheme == "http":
                return error(403, pages.HTTPS_ONLY, request_id)
            read = _remembered(memo, ("behavior", site.distribution["Id"], site.tenant["Id"] if site.tenant else None,
                                      behavior.get("PathPattern"), scheme), _behavior_reads, tx, site, behavior,
                               scheme, settings)
            keys = read.keys
            if keys is not None:
                refusal = _signature(signed_hosts, path, query, headers, keys, viewer_ip)
                if refusal is not None:
                    return finish(refusal, request_id, "Error")
                query = _unsigned(query)
            uri = path
            if uri == "/" and config.get("DefaultRootObject"):
                uri = "/" + config["DefaultRootObject"]
            functions, problem, route, chosen, lambdas, fle = \
                read.functions, read.problem, read.route, read.chosen, read.lambdas, read.fle
        context = {"distributionDomainName": site.distribution["DomainName"],
                   "distributionId": site.distribution["Id"], "requestId": request_id}
        if site.tenant is not None:
            context["distributionTenantId"] = site.tenant["Id"]
        plan = Plan(request_id, method, uri, query, headers, body, viewer_ip, country, site, behavior, context,
                    route, chosen, functions.get("viewer-request"), functions.get("viewer-response"), problem,
                    scheme)
        plan.lambdas = lambdas
        plan.generation = self._version if memo is not None else None
        plan.set_cookies = routed.set_cookies
        plan.fle = fle
        return plan

    def _memo(self, tx) -> dict | None:
        """What this state version's configuration reads gave (sites by Host, countries by address, each
        behavior's policies, functions and route), or None where the store keeps no version (PostgreSQL, shared
        with other servers, is read every time). Any write gives a new version, and the memo starts again."""
        generation = getattr(tx, "generation", None)
        version = generation() if generation is not None else None
        if version is None:
            return None
        if version != self._version or len(self._memory) >= MEMO_ENTRIES:
            self._memory, self._version = {}, version
        return self._memory

    # -- running the request -----------------------------------------------------------------------------------
    def quick(self, plan: Plan) -> EdgeResponse | None:
        """The answer when it needs neither a function nor the origin (a fresh cache hit), else None: the
        caller then awaits `complete` with the plan."""
        if plan.error or plan.viewer_request is not None or plan.viewer_response is not None or \
                "viewer-request" in plan.lambdas or "viewer-response" in plan.lambdas:
            return None
        try:
            if not cache.cacheable_method(plan.behavior, plan.method):
                return None
            generated = plan.generated_headers()
            # The same request under the same configuration has the same cache key: worked out once per
            # configuration version (the event and the key's parts cost more than the rest of a hit).
            remembered = (plan.scope, plan.behavior.get("PathPattern"), plan.method, plan.uri, plan.query,
                          *plan.headers, *generated) \
                if self._version is not None and plan.generation == self._version and _small(plan) else None
            key = self._keys.get(remembered) if remembered is not None else None
            if key is None:
                request = events.request_event(plan.method, plan.uri, plan.query, plan.headers + generated)
                key = self.delivery.key(plan, request)
                if remembered is not None:
                    if self._keys_version != self._version or len(self._keys) >= MEMO_ENTRIES:
                        self._keys, self._keys_version = {}, self._version
                    self._keys[remembered] = key
            plan.key = key
            found = self.delivery.fresh(plan, key)
            return None if found is None else self._respond(plan, *found)
        except Exception:
            log.error("edge: internal error\n%s", traceback.format_exc())
            return error(502, pages.CANNOT_CONNECT, plan.request_id)

    async def complete(self, plan: Plan) -> EdgeResponse:
        try:
            return await self._complete(plan)
        except lambda_edge.Refused as refused:  # a Lambda@Edge function failed: CloudFront's page for it
            return refused.response
        except Exception:
            log.error("edge: internal error\n%s", traceback.format_exc())
            return error(502, pages.CANNOT_CONNECT, plan.request_id)

    async def _complete(self, plan: Plan) -> EdgeResponse:
        if plan.error:
            return error(*plan.error, plan.request_id)
        if plan.fle is not None:  # at the viewer's side: functions and the origin see the encrypted form
            try:
                plan.body = field_level_encryption.applied(plan.fle, plan.method, plan.query, plan.headers, plan.body)
            except field_level_encryption.Refused as refused:
                return error(refused.status, refused.message, plan.request_id)
        request = events.request_event(plan.method, plan.uri, plan.query, plan.headers + plan.generated_headers())
        route = plan.route
        if plan.viewer_request is not None:
            shown_headers, kept_back = function_rules.hidden(request["headers"])
            shown = {**request, "headers": shown_headers}
            plan.ran.append(("cloudfront-function", "viewer-request"))
            outcome = await _run(plan.viewer_request, events.event("viewer-request", plan.context, plan.viewer_ip,
                                                                   shown))
            if outcome is None:
                return error(503, pages.FUNCTION_FAILED, plan.request_id)
            result, calls = outcome
            if "response" in result:
                problem = function_rules.broken_response("generated", {}, result["response"])
                if problem:
                    return _invalid(plan, problem)
                made = generated(result["response"])
                if made is None:
                    return error(503, pages.FUNCTION_FAILED, plan.request_id)
                return finish(made, plan.request_id, "FunctionGeneratedResponse")
            problem = function_rules.broken_request(shown, result["request"])
            if problem:
                return _invalid(plan, problem)
            # What the function was not shown still goes on as the viewer sent it.
            request = {**request, **result["request"], "method": plan.method,
                       "headers": {**result["request"].get("headers", {}), **kept_back}}
            if calls:
                with self.application.store.transaction() as tx:
                    route = origin_choice.changed(tx, plan.site, self.application.settings, route, calls,
                                                  plan.scheme)
        trigger = plan.lambdas.get("viewer-request")
        if trigger is not None:
            changed = await self._viewer_request_lambda(plan, trigger, request)
            if isinstance(changed, EdgeResponse):
                return changed
            request = changed
        unchanged = plan.viewer_request is None and trigger is None  # the request quick() keyed, as it was
        response, cache_status = await self.delivery.through_cache(plan, request, route,
                                                                   plan.key if unchanged else None)
        return await self._respond_running(plan, response, cache_status, request)

    async def _viewer_request_lambda(self, plan: Plan, trigger, request: dict) -> dict | EdgeResponse:
        """The Lambda@Edge viewer-request trigger: the request it returns (as the rest of the edge reads a
        request), or the response it generated, sent as it is (no viewer-response trigger runs for it)."""
        uri, query, pairs = _parts(request)
        if plan.viewer_request is None:
            pairs = plan.headers + plan.generated_headers()  # the viewer's own spelling of each name
        shown, kept = lambda_edge.request_view(plan.method, uri, query, pairs, plan.viewer_ip, trigger, plan.body)
        plan.ran.append(("lambda@edge", "viewer-request"))
        result = await asyncio.to_thread(lambda_edge.run, self.delivery.runtime(), trigger, plan.context, shown)
        changed = lambda_edge.applied_request(result, shown, kept, trigger, plan.request_id, plan.body)
        if isinstance(changed, lambda_edge.Generated):
            return finish(changed.response, plan.request_id, "LambdaGeneratedResponse")
        plan.body = changed["body"]
        return events.request_event(plan.method, changed["uri"], changed["querystring"],
                                    lambda_edge.entry_pairs(changed["headers"]))

    def _respond(self, plan: Plan, response: EdgeResponse, cache_status: str) -> EdgeResponse:
        """`quick`'s answer, which has no viewer-response function to run: the response headers policy, then
        CloudFront's own headers."""
        return self._finished(plan, self._policy_headers(plan, response), cache_status)

    async def _respond_running(self, plan: Plan, response: EdgeResponse, cache_status: str,
                               request: dict | None = None) -> EdgeResponse:
        """The response headers policy, then the viewer-response function, then CloudFront's own headers."""
        response = self._policy_headers(plan, response)
        if plan.viewer_response is not None:
            seen = events.response_event(response.status, "", response.headers)
            seen["headers"], kept_back = function_rules.hidden(seen["headers"])
            shown_request = None
            if request is not None:
                shown_request = events.event_request(request)
                shown_request = {**shown_request, "headers": function_rules.hidden(shown_request["headers"])[0]}
            plan.ran.append(("cloudfront-function", "viewer-response"))
            outcome = await _run(plan.viewer_response, events.event("viewer-response", plan.context,
                                                                    plan.viewer_ip, shown_request, seen))
            if outcome is None or "response" not in outcome[0]:
                return error(503, pages.FUNCTION_FAILED, plan.request_id)
            changed = outcome[0]["response"]
            problem = function_rules.broken_response("viewer-response", seen, changed)
            if problem:
                return _invalid(plan, problem)
            headers = events.http_header_pairs({**(changed.get("headers") or {}), **kept_back})
            headers += [("Set-Cookie", v) for v in events.set_cookie_values(changed.get("cookies") or {})]
            response = EdgeResponse(changed.get("statusCode", response.status), headers, response.body,
                                    response.length)
        trigger = plan.lambdas.get("viewer-response")
        # "CloudFront doesn't execute Lambda functions for viewer response events if the origin returns HTTP
        # status code 400 or higher" (Requirements and restrictions).
        if trigger is not None and response.status < 400:
            seen, kept_back = lambda_edge.response_view(response.status, "", response.headers)
            uri, query, pairs = _parts(request) if request is not None else (plan.uri, plan.query, plan.headers)
            shown, _ = lambda_edge.request_view(plan.method, uri, query, pairs, plan.viewer_ip, trigger, b"")
            plan.ran.append(("lambda@edge", "viewer-response"))
            result = await asyncio.to_thread(lambda_edge.run, self.delivery.runtime(), trigger, plan.context, shown,
                                             seen)
            response = lambda_edge.applied_response(result, seen, kept_back, trigger, plan.request_id, response)
        return self._finished(plan, response, cache_status)

    @staticmethod
    def _policy_headers(plan: Plan, response: EdgeResponse) -> EdgeResponse:
        if plan.chosen.response_headers is not None:
            response.headers = plan.chosen.apply_response_headers(plan.headers, response.headers, plan.method)
        return response

    @staticmethod
    def _finished(plan: Plan, response: EdgeResponse, cache_status: str) -> EdgeResponse:
        """CloudFront's own headers, and a continuous deployment's stickiness cookie."""
        if plan.set_cookies:  # a new list: a cached answer's own is left as stored
            response = EdgeResponse(response.status, response.headers + [("Set-Cookie", c) for c in plan.set_cookies],
                                    response.body, response.length)
        return finish(response, plan.request_id, cache_status)


def _invalid(plan: Plan, problem: str) -> EdgeResponse:
    """CloudFront's answer to a function result that fails validation: a 502, the origin not asked."""
    log.info("edge: function result failed validation: the function %s", problem)
    return finish(bare_error(502, pages.FUNCTION_INVALID, plan.request_id), plan.request_id,
                  "FunctionValidationError")


GEO_BLOCKED = ("The Amazon CloudFront distribution is configured to block access from your country.\nWe can't "
               "connect to the server for this app or website at this time. There might be too much traffic or a "
               "configuration error. Try again later, or contact the app or website owner.")


def _signature(hosts, path, query, headers, keys, viewer_ip) -> EdgeResponse | None:
    """CloudFront's refusal of a missing or bad signed URL or cookie, or None. The edge mostly listens on plain
    HTTP while the URLs people sign name https://, so a signature for either scheme is accepted
    (docs/behaviour.md, "Signed URLs"), and for the viewer's `.localhost` name or the real one."""
    from . import signed  # its key parsing loads when a behavior first needs a signature

    refusal = None
    for host in hosts:
        rest = f"{host}{path}" + (f"?{_unsigned(query)}" if _unsigned(query) else "")
        # dict of the pairs reversed: of a cookie sent twice, the first counts.
        for scheme in ("https", "http"):
            refusal = signed.check(f"{scheme}://{rest}", events.query_pairs(query),
                                   dict(reversed(events.cookie_pairs(headers))), keys, time.time(), viewer_ip)
            if refusal is None:
                return None
            if refusal.code != signed.ACCESS_DENIED.code:
                break
        if refusal.code != signed.ACCESS_DENIED.code:
            break
    content_type, page = signed.error_body(refusal)
    return EdgeResponse(refusal.status, [("Server", "CloudFront"), ("Content-Type", content_type)], page)


def _unsigned(query: str) -> str:
    """The query without the signed URL's own parameters, which CloudFront neither caches on nor forwards."""
    from .signed import SIGNING_PARAMETERS

    return "&".join(part for part in query.split("&") if part and part.partition("=")[0]
                    not in SIGNING_PARAMETERS)


def _small(plan: Plan) -> bool:
    """Whether a request is small enough to keep its cache key by (the memo's bound is in bytes too)."""
    return len(plan.uri) + len(plan.query) + sum(len(k) + len(v) for k, v in plan.headers) <= KEYED_REQUEST_BYTES


def _remembered(memo: dict | None, key: tuple, read, *args):
    if memo is None:
        return read(*args)
    try:
        return memo[key]
    except KeyError:
        found = memo[key] = read(*args)
        return found


class _Reads(NamedTuple):
    keys: dict | None
    functions: dict
    problem: tuple | None
    route: object
    chosen: object
    lambdas: dict
    fle: object


def _behavior_reads(tx, site, behavior: dict, scheme: str, settings) -> _Reads:
    """Everything a behavior names, read from the store: the same for every request of one state version."""
    ctx = Context(site.account, time.time(), settings)
    functions, problem = {}, None
    for association in (behavior.get("FunctionAssociations") or {}).get("Items") or []:
        loaded = _function(ctx, tx, association["FunctionARN"])
        if loaded is None:
            problem = (503, pages.FUNCTION_FAILED)
        functions[association["EventType"]] = loaded
    route = origin_choice.resolve(tx, site, settings, behavior.get("TargetOriginId") or "", scheme)
    lambdas = lambda_edge.associations(tx, behavior) \
        if (behavior.get("LambdaFunctionAssociations") or {}).get("Items") else {}
    return _Reads(keys_for(tx, site.account, behavior), functions, problem, route,
                  policies_for(tx, site.account, behavior), lambdas,
                  field_level_encryption.load(tx, site.account, behavior))


def _function(ctx: Context, tx, arn: str) -> Function | None:
    """The LIVE stage of the function an association names, with its KeyValueStore; None if it has none."""
    parsed = ids.parse_arn(arn)
    if not parsed or parsed[0] != ctx.account or parsed[1] != FUNCTION.kind:
        return None
    record = tx.get(FUNCTION.kind, ctx.account, parsed[2])
    live = record.doc["Stages"].get(staged.LIVE) if record else None
    if live is None:
        return None
    return Function(staged.code(live), live["Config"]["Runtime"], key_value_stores.reader_for(ctx, tx, live["Config"]))


async def _run(function: Function, event: dict) -> tuple[dict, list[dict]] | None:
    """The function's result and the origin calls it made; None when it failed."""
    from ..service.functions import runtime  # QuickJS loads when a function first runs

    # The run waits on a worker of the function runtime (and reads the KeyValueStore): a thread's wait, so
    # that the loop goes on serving other viewers meanwhile.
    outcome = await asyncio.to_thread(runtime.run_function, function.code, function.runtime,
                                      json.dumps(event).encode(), kvs=function.kvs)
    if outcome.error is not None or outcome.result is None:
        if outcome.error:
            log.info("edge: function failed: %s", outcome.error)
        return None
    if "request" not in outcome.result and "response" not in outcome.result:
        return None
    return outcome.result, outcome.origin
