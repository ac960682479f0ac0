"""One viewer request through the edge: host → site → behavior → viewer-request function → origin →
viewer-response function → response. `prepare` reads the configuration (on the caller's thread, where the
store lives); `complete` runs functions and the origin request, which may take seconds (a thread's work)."""
from __future__ import annotations

import base64
import logging
import re
import secrets
import time
import traceback
import uuid
from dataclasses import dataclass, field

from ..service.common.context import Context
from ..service.functions import key_value_stores, staged
from ..service.functions.functions import FUNCTION
from ..service.common import ids
from . import events, origins, pages, patterns, routing
from .origins import HOP_BY_HOP

log = logging.getLogger("cloudfront_local")
POP = "LOC50-C1"  # an edge location's code as CloudFront writes it (airport code, number, "-C1"/"-P1")
DEFAULT_METHODS = ["GET", "HEAD"]
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")  # RFC 9110's field-name
_BAD_VALUE = re.compile(r"[\r\n\0]")


@dataclass
class EdgeResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header (names compared case-insensitively)."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Function:
    code: bytes
    runtime: str
    kvs: object


@dataclass
class Plan:
    request_id: str
    method: str
    uri: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    viewer_ip: str
    context: dict
    target: origins.Target | None
    viewer_request: Function | None
    viewer_response: Function | None
    error: tuple[int, str] | None = None   # a function that could not be loaded: CloudFront's 503


class Edge:
    def __init__(self, application):
        self.application = application

    def handle(self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes,
               viewer_ip: str = "127.0.0.1") -> EdgeResponse:
        prepared = self.prepare(method, path, query, headers, body, viewer_ip)
        return prepared if isinstance(prepared, EdgeResponse) else self.complete(prepared)

    # -- reading the configuration ---------------------------------------------------------------------------
    def prepare(self, method, path, query, headers, body, viewer_ip) -> Plan | EdgeResponse:
        request_id = new_request_id()
        try:
            return self._prepare(request_id, method, path, query, headers, body, viewer_ip)
        except Exception:  # a bug of ours: logged, and the viewer gets CloudFront's page, not a trace
            log.error("edge: internal error\n%s", traceback.format_exc())
            return error(502, pages.CANNOT_CONNECT, request_id)

    def _prepare(self, request_id, method, path, query, headers, body, viewer_ip) -> Plan | EdgeResponse:
        host = routing.host_name(next((v for k, v in headers if k.lower() == "host"), None))
        with self.application.store.transaction() as tx:
            site = routing.find(tx, host)
            if site is None:
                return error(403, pages.BAD_REQUEST, request_id)
            config = site.config
            behavior = patterns.behavior_for(config, path)
            allowed = (behavior.get("AllowedMethods") or {}).get("Items") or DEFAULT_METHODS
            if method not in allowed:
                return error(403, pages.METHOD_NOT_ALLOWED, request_id)
            policy = behavior.get("ViewerProtocolPolicy")
            if policy == "redirect-to-https":
                location = f"https://{host}{path}" + (f"?{query}" if query else "")
                return finish(EdgeResponse(301, [("Location", location), ("Content-Type", "text/html"),
                                                 ("Server", "CloudFront")], _moved()), request_id, "Redirect")
            if policy == "https-only":
                return error(403, pages.HTTPS_ONLY, request_id)
            uri = path
            if uri == "/" and config.get("DefaultRootObject"):
                uri = "/" + config["DefaultRootObject"]
            ctx = Context(site.account, time.time(), self.application.settings)
            functions, problem = {}, None
            for association in (behavior.get("FunctionAssociations") or {}).get("Items") or []:
                loaded = _function(ctx, tx, association["FunctionARN"])
                if loaded is None:
                    problem = (503, pages.FUNCTION_FAILED)
                functions[association["EventType"]] = loaded
            origin = next((o for o in config["Origins"]["Items"] if o["Id"] == behavior["TargetOriginId"]), None)
            target = None
            if origin is not None and origin.get("CustomOriginConfig") is not None:
                target = origins.target(tx, origin, site.substituted(origin["DomainName"]),
                                        site.substituted(origin.get("OriginPath") or ""))
        context = {"distributionDomainName": site.distribution["DomainName"],
                   "distributionId": site.distribution["Id"], "requestId": request_id}
        if site.tenant is not None:
            context["distributionTenantId"] = site.tenant["Id"]
        return Plan(request_id, method, uri, query, headers, body, viewer_ip, context, target,
                    functions.get("viewer-request"), functions.get("viewer-response"), problem)

    # -- running the request -----------------------------------------------------------------------------------
    def complete(self, plan: Plan) -> EdgeResponse:
        try:
            return self._complete(plan)
        except Exception:
            log.error("edge: internal error\n%s", traceback.format_exc())
            return error(502, pages.CANNOT_CONNECT, plan.request_id)

    def _complete(self, plan: Plan) -> EdgeResponse:
        if plan.error:
            return error(*plan.error, plan.request_id)
        request = events.request_event(plan.method, plan.uri, plan.query, plan.headers)
        if plan.viewer_request is not None:
            result = _run(plan.viewer_request, events.event("viewer-request", plan.context, plan.viewer_ip, request))
            if result is None:
                return error(503, pages.FUNCTION_FAILED, plan.request_id)
            if "response" in result:
                return finish(_generated(result["response"]), plan.request_id, "FunctionGeneratedResponse")
            request = {**request, **result["request"], "method": plan.method}
        if plan.target is None:
            # S3 origins, origin groups and VPC origins come in later steps of the edge.
            return error(502, pages.CANNOT_CONNECT, plan.request_id)
        answer = self._origin(plan, request)
        if isinstance(answer, EdgeResponse):
            return answer
        response = EdgeResponse(answer.status, answer.headers, answer.body)
        if plan.viewer_response is not None:
            seen = events.response_event(answer.status, answer.reason, answer.headers)
            result = _run(plan.viewer_response, events.event("viewer-response", plan.context, plan.viewer_ip,
                                                             request, seen))
            if result is None or "response" not in result:
                return error(503, pages.FUNCTION_FAILED, plan.request_id)
            changed = result["response"]
            headers = events.header_pairs(changed.get("headers") or {})
            headers += [("Set-Cookie", v) for v in events.set_cookie_values(changed.get("cookies") or {})]
            response = EdgeResponse(changed.get("statusCode", answer.status), headers, answer.body)
        return finish(response, plan.request_id, "Miss")

    def _origin(self, plan: Plan, request: dict) -> origins.Answer | EdgeResponse:
        target = plan.target
        headers = [(k, v) for k, v in events.header_pairs(request.get("headers") or {})
                   if k.lower() not in HOP_BY_HOP and k.lower() not in ("host", "content-length", "x-forwarded-for")]
        # CloudFront appends the viewer's address to the X-Forwarded-For the viewer sent.
        forwarded = [v for k, v in plan.headers if k.lower() == "x-forwarded-for"]
        headers.append(("X-Forwarded-For", ", ".join([*forwarded, plan.viewer_ip])))
        cookies = events.cookie_header(request.get("cookies") or {})
        if cookies:
            headers.append(("Cookie", cookies))
        default_port = 443 if target.scheme == "https" else 80
        headers.append(("Host", target.domain if target.port == default_port else f"{target.domain}:{target.port}"))
        headers.append(("Via", f"1.1 {_via_name()}.cloudfront.net (CloudFront)"))
        headers.append(("X-Amz-Cf-Id", plan.request_id))
        headers += target.headers
        query = events.query_text(request.get("querystring") or {})
        path = target.path + events.quoted_uri(request.get("uri") or "/")
        try:
            return origins.fetch(target, plan.method, path + (f"?{query}" if query else ""), headers, plan.body)
        except origins.OriginError as failure:
            message = pages.TIMED_OUT if failure.status == 504 else pages.CANNOT_CONNECT
            return error(failure.status, message, plan.request_id)


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


def _run(function: Function, event: dict) -> dict | None:
    import json

    from ..service.functions import runtime  # QuickJS loads when a function first runs

    outcome = runtime.run_function(function.code, function.runtime, json.dumps(event).encode(), kvs=function.kvs)
    if outcome.error is not None or outcome.result is None:
        if outcome.error:
            log.info("edge: function failed: %s", outcome.error)
        return None
    return outcome.result if ("request" in outcome.result or "response" in outcome.result) else None


def _generated(response: dict) -> EdgeResponse:
    headers = events.header_pairs(response.get("headers") or {})
    headers += [("Set-Cookie", v) for v in events.set_cookie_values(response.get("cookies") or {})]
    body = response.get("body")
    data = b""
    if isinstance(body, dict):
        text = body.get("data") or ""
        data = base64.b64decode(text, validate=False) if body.get("encoding") == "base64" else text.encode()
    return EdgeResponse(response.get("statusCode", 200), headers, data)


def error(status: int, message: str, request_id: str) -> EdgeResponse:
    headers = [("Server", "CloudFront"), ("Content-Type", "text/html")]
    return finish(EdgeResponse(status, headers, pages.page(status, message, request_id)), request_id, "Error")


def finish(response: EdgeResponse, request_id: str, cache: str) -> EdgeResponse:
    """The headers CloudFront adds to every answer; the hop-by-hop ones, and its own, replaced."""
    ours = {"via", "x-cache", "x-amz-cf-pop", "x-amz-cf-id", "content-length"}
    # A function can write any text: a header that could not be sent (or would split the response) is left out.
    headers = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP and k.lower() not in ours
               and _TOKEN.fullmatch(k) and not _BAD_VALUE.search(v)]
    if not 100 <= response.status <= 599:
        return error(503, pages.FUNCTION_FAILED, request_id)
    headers += [("X-Cache", f"{cache} from cloudfront"), ("Via", f"1.1 {_via_name()}.cloudfront.net (CloudFront)"),
                ("X-Amz-Cf-Pop", POP), ("X-Amz-Cf-Id", request_id)]
    return EdgeResponse(response.status, headers, response.body)


def _moved() -> bytes:
    return (b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
            b"<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n"
            b"</html>\r\n")


def _via_name() -> str:
    return secrets.token_hex(16)


def new_request_id() -> str:
    # 56 characters of URL-safe base64, as X-Amz-Cf-Id values look.
    return base64.urlsafe_b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes + secrets.token_bytes(10)).decode()[:56]
