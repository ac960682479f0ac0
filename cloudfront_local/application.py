"""The emulator without a transport: (method, path, query, headers, body) -> Response.

The ASGI server and the in-process mock both call `Application.handle`; nothing here knows about sockets.
"""
from __future__ import annotations

import json
import logging
import random
import re
import time
import traceback
import urllib.parse
import uuid
from typing import NamedTuple

from . import urlencoded
from .auth import AuthError, Authenticator, Principal, load_credentials, signing_region
from .config import Settings
from .dashboard import Dashboard
from .edge import geo
from .edge.request_log import FILTERS, RequestLog
from .log_lines import BatchedLines, stamp
from .protocol import CodecError, Response, RestJsonCodec, RestXmlCodec, load_service_model
from .service.common.context import Context
from .service.common.errors import IF_MATCH_MISSING, ServiceError
from .service.common.registry import CLOUDFRONT, load_all
from .service.lambda_functions import code as lambda_code
from .service.access import key_pairs
from .service.multitenant import dns
from .store import GLOBAL, KeyTaken, Store, TransientConflict, open_store

log = logging.getLogger("cloudfront_local")
INTERNAL_PREFIX = "/_cloudfront-local/"
DASHBOARD_PREFIX = INTERNAL_PREFIX + "ui/"
# CloudFront's documented limits: "Maximum length of a URL 8,192 bytes"; "Maximum length of a request,
# including headers and query strings, but not including the body content 20,480 bytes".
ATTEMPTS = 20  # runs of a handler whose random identifier collided with a held one
# On a store that runs transactions concurrently (PostgreSQL), a transaction that lost a serialization race
# runs again until it commits: after ALONE_AFTER losses with no other writer beside it, which it cannot lose.
# The deadline only bounds a bug's endless loop; contention alone never reaches it.
ALONE_AFTER = 3
CONFLICT_SECONDS = 120.0
EXTRA_HEADERS = "__headers__"  # an output key no model member can have
MAX_URL_BYTES = 8192
MAX_HEAD_BYTES = 20480
# Room beyond the request log's filters and limit, each once: a wrong name gets its own message before the bound.
MAX_FILTERS = 16


KEY_VALUE_STORE = "cloudfront-keyvaluestore"
KEY_VALUE_STORE_PREFIX = "/key-value-stores/"
LAMBDA = "lambda"
# Every path of CloudFront's model starts with its API version; every path of Lambda's with a date of its own
# (2015-03-31, 2017-10-31, ...: a test checks the two never meet), so the first segment tells them apart.
CLOUDFRONT_PREFIX = "/2020-05-31/"
_DATE = re.compile(r"/\d{4}-\d{2}-\d{2}/")
# Lambda takes code in the request (base64 in JSON): "Request must be smaller than 69905067 bytes for the
# CreateFunction operation", 50 MB of zip once encoded. A larger --max-body-bytes still wins.
LAMBDA_MAX_BODY = 69905067


class Service(NamedTuple):
    codec: object               # RestXmlCodec or RestJsonCodec: decode, encode, encode_error
    handlers: dict
    action_prefix: str          # IAM actions: "cloudfront:GetKey" is "cloudfront-keyvaluestore:GetKey"
    unimplemented: str = ""     # why an operation without a handler has none ("{name}" is the operation)
    too_large: str = "RequestEntityTooLarge"  # the code answering a body over the size limit


class Application:
    def __init__(self, settings: Settings, store: Store | None = None):
        self.settings = settings
        self.codec = RestXmlCodec(
            load_service_model("cloudfront"),
            missing_header_errors={"If-Match": ("InvalidIfMatchVersion", IF_MATCH_MISSING)},
            validation_codes={"Tags": "InvalidTagging", "TagKeys": "InvalidTagging"},
        )
        handlers = load_all()
        self.handlers = handlers[CLOUDFRONT]
        self.cloudfront = Service(self.codec, self.handlers, "cloudfront:")
        # The KeyValueStore data plane: another botocore service (REST-JSON), on paths no CloudFront
        # operation has; its codec is built when a request first needs it.
        self._key_value_store: Service | None = None
        self.key_value_store_handlers = handlers.get(KEY_VALUE_STORE, {})
        # AWS Lambda's API, the part Lambda@Edge needs (service/lambda_functions): a third botocore model.
        self._lambda: Service | None = None
        self._lambda_prefixes: frozenset[str] = frozenset()
        self.lambda_handlers = handlers.get(LAMBDA, {})
        keys = load_credentials(settings.credentials) if settings.credentials else None
        self.auth = Authenticator(keys, settings.default_account)
        self.store = store if store is not None else open_store(settings.state)
        # Whether requests may run in threads side by side (PostgreSQL): their transactions then queue and retry.
        self.workers = getattr(self.store, "workers", 0)
        # What the edge did, viewer request by viewer request: a ring of settings.request_log_size records.
        # The server's lines, the API's and the edge's, written in batches off the requests' way (log_lines.py).
        self.lines = BatchedLines()
        self.requests = RequestLog(settings.request_log_size, settings.log_format, write=settings.log_requests,
                                   lines=self.lines)
        self.edge = None  # the edge pipeline, once a viewer has come (it registers itself)
        self.dashboard = Dashboard(self)
        # What must run before the store closes: the edge's logs register their last flush here.
        self.closing: list = []

    def service_for(self, raw_path: str) -> Service:
        if raw_path.startswith(CLOUDFRONT_PREFIX):
            return self.cloudfront
        if raw_path.startswith(KEY_VALUE_STORE_PREFIX):
            if self._key_value_store is None:
                codec = RestJsonCodec(load_service_model(KEY_VALUE_STORE))
                self._key_value_store = Service(codec, self.key_value_store_handlers, KEY_VALUE_STORE + ":")
            return self._key_value_store
        if self._is_lambda(raw_path):
            return self.lambda_service()
        return self.cloudfront

    def _is_lambda(self, raw_path: str) -> bool:
        # A dated path of Lambda's model; other dates (CloudFront's older API versions, 2019-03-26, …) stay
        # CloudFront's 404. The model loads only when such a path first comes.
        found = _DATE.match(raw_path)
        if found is None or raw_path.startswith(CLOUDFRONT_PREFIX):
            return False
        self.lambda_service()
        return found.group(0) in self._lambda_prefixes

    def lambda_service(self) -> Service:
        if self._lambda is None:
            # Lambda's model has no ValidationException shape, but Lambda answers constraint violations
            # with that code (400), as the codec's default does.
            model = load_service_model(LAMBDA)
            codec = RestJsonCodec(model)
            self._lambda_prefixes = frozenset(
                "/" + model.operation_model(name).http["requestUri"].split("/")[1] + "/"
                for name in model.operation_names)
            self._lambda = Service(
                codec, self.lambda_handlers, LAMBDA + ":",
                "cloudfront-local answers the part of AWS Lambda's API that Lambda@Edge needs; {name} is not "
                "part of it", "RequestEntityTooLargeException")
        return self._lambda

    def body_limit(self, raw_path: str) -> int:
        """The largest request body read for a path: Lambda's code uploads get Lambda's own limit."""
        if self._is_lambda(raw_path):
            return max(self.settings.max_body_bytes, LAMBDA_MAX_BODY)
        return self.settings.max_body_bytes

    def handle(self, method: str, raw_path: str, query: str, headers: dict[str, str], body: bytes | None) -> Response:
        """Answer one request. `headers` has lower-case names; `body` None means the transport refused a
        body over the size limit without reading it. Never raises."""
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        account = "-"
        name = "-"
        service = self.cloudfront
        try:
            service = self.service_for(raw_path)
            oversized = _oversized(method, raw_path, query, headers)
            if oversized:
                code, message, status = oversized
                response = service.codec.encode_error(code, message, request_id, status)
            elif raw_path.startswith(INTERNAL_PREFIX + lambda_code.ENDPOINT + "/"):
                # GetFunction's Code.Location: presigned as S3's would be, so good without a signature.
                name = "internal:" + lambda_code.ENDPOINT
                response = self._lambda_code(method, raw_path[len(INTERNAL_PREFIX + lambda_code.ENDPOINT) + 1:],
                                             query)
            elif raw_path == INTERNAL_PREFIX or raw_path.startswith(DASHBOARD_PREFIX):
                # The dashboard guards itself (a browser cannot sign with SigV4): dashboard/guard.py.
                name = "dashboard"
                response = self.dashboard.handle(method, raw_path, query, headers, body)
            elif raw_path.startswith(INTERNAL_PREFIX):
                endpoint = raw_path[len(INTERNAL_PREFIX):]
                name = "internal:" + endpoint.split("/", 1)[0]
                if self.auth.enforcing and name != "internal:health":
                    # Resetting forgets every account's resources, and the DNS zone and geo table are every
                    # account's: with credentials, only a signed caller allowed the action (or
                    # cloudfront-local:*) may act.
                    principal = self.auth.identify(method, raw_path, query, headers, body or b"")
                    account = principal.account
                    self.auth.authorize(principal, _internal_action(method, endpoint), "*")
                response = self._internal(method, endpoint, body, query)
            elif body is None:
                limit = self.body_limit(raw_path)
                message = (f"Request must be smaller than {limit} bytes" if service.too_large != "RequestEntityTooLarge"
                           else f"The request body is larger than {limit} bytes")
                response = service.codec.encode_error(service.too_large, message, request_id, 413)
            else:
                principal = self.auth.identify(method, raw_path, query, headers, body)
                account = principal.account
                response = self._operation(service, method, raw_path, query, headers, body, principal,
                                           request_id)
                name = response.operation or name
        except AuthError as error:
            response = service.codec.encode_error(error.code, error.message, request_id, 403)
        except Exception:  # a bug of ours: log it, and give the caller AWS's shape without the trace
            log.error("internal error in %s\n%s", name, traceback.format_exc())
            response = service.codec.encode_error("InternalError", "We encountered an internal error.", request_id,
                                                  500)
        response.headers["x-amz-request-id"] = request_id
        if self.settings.log_requests:
            self.lines.add(_api_line, (time.time(), name, account, method, response.status,
                                       (time.perf_counter() - started) * 1000))
        return response

    def _operation(self, service: Service, method, raw_path, query, headers, body, principal: Principal,
                   request_id) -> Response:
        name = None
        account = principal.account
        try:
            operation, params = service.codec.decode(method, raw_path, query, headers, body)
            name = operation.name
            region = signing_region(headers, query)
            if self.auth.enforcing:
                self.auth.authorize(principal, service.action_prefix + name,
                                    _resource_arn(operation, params, account, service.action_prefix, region))
            handler = service.handlers.get(name)
            if handler is None:
                # Every CloudFront operation this code was written against has a handler (a test walks the
                # model): one without is from a newer botocore than this cloudfront-local knows. Lambda's
                # model is served in part only, and says so.
                message = service.unimplemented.format(name=name) or (
                    f"{name} comes from a newer botocore model than this cloudfront-local knows: upgrade "
                    "cloudfront-local to use it")
                response = service.codec.encode_error("NotImplemented", message, request_id, 501)
            else:
                context = Context(account, time.time(), self.settings, region, _endpoint(headers))
                response = self._call(service.codec, handler, context, params, operation)
        except CodecError as error:
            response = service.codec.encode_error(error.code, error.message, request_id, error.status)
        except ServiceError as error:
            response = service.codec.encode_error(error.code, error.message, request_id, error.status)
        except AuthError as error:
            response = service.codec.encode_error(error.code, error.message, request_id, 403)
        response.operation = name
        return response

    def _lambda_code(self, method: str, rest: str, query: str) -> Response:
        if method not in ("GET", "HEAD"):
            return _json(405, {"error": "GET the code"})
        found = self.transact(lambda tx: lambda_code.presigned_zip(tx, rest, query, time.time()), writes=False)
        if found is None:
            return _json(403, {"error": "the URL is not one GetFunction gave, or it has expired"})
        return Response(200, {"Content-Type": "application/zip"}, b"" if method == "HEAD" else found)

    def _internal(self, method: str, name: str, body: bytes | None, query: str = "") -> Response:
        """Endpoints of the emulator itself, under a prefix no CloudFront path can have."""
        if name == "health" and method == "GET":
            return _json(200, {"status": "ok", "service": "cloudfront"})
        if name == "requests" and method == "GET":
            try:
                return _json(200, {"requests": self.edge_requests(**_request_filters(query))})
            except ValueError as error:
                return _json(400, {"error": str(error)})
        if name == "reset" and method == "POST":
            self.reset()
            return Response(204)
        if name == "dns" and method in ("GET", "POST"):
            if method == "GET":
                return _json(200, {"records": self.dns_records()})
            shape = 'the body must be a JSON object {"name": …, "type": …, "value": …}'
            try:
                record = json.loads(body or b"")
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                return _json(400, {"error": shape})
            if not isinstance(record, dict) or set(record) != {"name", "type", "value"}:
                return _json(400, {"error": shape})
            try:
                return _json(201, self.add_dns_record(record["name"], record["type"], record["value"]))
            except dns.BadRecord as error:
                return _json(400, {"error": error.message})
        if name.startswith("dns/") and method == "DELETE":
            try:
                self.remove_dns_records(urllib.parse.unquote(name[len("dns/"):]))
            except dns.BadRecord as error:
                return _json(400, {"error": error.message})
            return Response(204)
        if name == "geo" and method in ("GET", "POST", "DELETE"):
            return self._internal_geo(method, body)
        if name == "key-pairs" and method == "POST":
            try:
                entry = json.loads(body or b"")
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                entry = None
            try:
                return _json(201, self.add_key_pair(**key_pairs.shaped(entry)))
            except key_pairs.BadKeyPair as error:
                return _json(400, {"error": error.message})
        if name.startswith("key-pairs/") and method == "DELETE":
            found = self.remove_key_pair(urllib.parse.unquote(name[len("key-pairs/"):]))
            return Response(204) if found else _json(404, {"error": "no such key pair"})
        return _json(404, {"error": "no such internal endpoint"})

    def _internal_geo(self, method: str, body: bytes | None) -> Response:
        if method == "GET":
            return _json(200, {"entries": self.geo_entries()})
        if method == "DELETE":
            self.clear_geo()
            return Response(204)
        shape = 'the body must be a JSON object {"cidr": …, "country": …}'
        try:
            entry = json.loads(body or b"")
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return _json(400, {"error": shape})
        if not isinstance(entry, dict) or set(entry) != {"cidr", "country"}:
            return _json(400, {"error": shape})
        try:
            return _json(201, self.add_geo(entry["cidr"], entry["country"]))
        except geo.BadEntry as error:
            return _json(400, {"error": error.message})

    # The simulated DNS zone, for tests: the internal endpoint and mock_cloudfront both call these. The zone is
    # every account's (GLOBAL): its writers queue behind each other.
    def add_dns_record(self, name: str, type: str, value: str) -> dict:  # noqa: A002 - DNS's own word
        """Add a record to the zone (a CNAME, A, AAAA or TXT); raises dns.BadRecord for a bad one."""
        return self.transact(lambda tx: dns.add(tx, {"name": name, "type": type, "value": value}), GLOBAL)

    def dns_records(self) -> list[dict]:
        return self.transact(dns.listing, GLOBAL, writes=False)

    def remove_dns_records(self, name: str) -> bool:
        return self.transact(lambda tx: dns.remove(tx, name), GLOBAL)

    # CloudFront key pairs (legacy trusted signers), for tests: the console makes them, the API cannot.
    def add_key_pair(self, account: str, publicKey: str, id: str | None = None) -> dict:  # noqa: N803, A002
        """Register an account's key pair (a PEM RSA public key); raises key_pairs.BadKeyPair for a bad one."""
        entry = {"account": account, "publicKey": publicKey, **({"id": id} if id is not None else {})}
        return self.transact(lambda tx: key_pairs.add(tx, entry), account if isinstance(account, str) else None)

    def remove_key_pair(self, key_pair_id: str) -> bool:
        # The account is known only once the pair is read: no queue to join, the retries alone.
        return self.transact(lambda tx: key_pairs.remove(tx, key_pair_id))

    # The simulated geo table, for tests: the internal endpoint and mock_cloudfront call these, the edge
    # calls country_of for every viewer.
    def add_geo(self, cidr: str, country: str) -> dict:
        """Place a network in a country ("FR"); raises geo.BadEntry for a bad one."""
        return self.transact(lambda tx: geo.add(tx, {"cidr": cidr, "country": country}), GLOBAL)

    def geo_entries(self) -> list[dict]:
        return self.transact(geo.listing, GLOBAL, writes=False)

    def clear_geo(self) -> None:
        self.transact(geo.clear, GLOBAL)

    def country_of(self, ip: str) -> str:
        with self.store.transaction() as tx:
            return geo.country_of(tx, ip)

    def _call(self, codec, handler, context, params, operation) -> Response:
        output = self.transact(lambda tx: handler(context, tx, params), context.account,
                               operation.http["method"] not in ("GET", "HEAD"))
        # A handler may add headers its output shape does not describe: UpdateFunction's ETag, which
        # CloudFront sends beside the `ETtag` header botocore's model reads.
        extra = output.pop(EXTRA_HEADERS, None) if output else None
        response = codec.encode(operation, output)
        if extra:
            response.headers.update(extra)
        return response

    def transact(self, work, account: str | None = None, writes: bool = True):
        """work(tx) in a transaction, run again until it commits: the one way a request reaches the store
        (API operations, the internal endpoints, the dashboard). `account`: where the work writes
        (GLOBAL for every account's tables); on a store whose transactions run side by side (PostgreSQL) a
        writer queues behind that account's other writers, a reader (`writes` False) takes no lock. `work`
        must have no effect outside the transaction, since it may run more than once."""
        queue = account if writes else None

        def attempt(alone: bool):
            with self.store.transaction(account if alone else queue, alone) as tx:
                return work(tx)
        return self._retried(attempt)

    def _retried(self, attempt):
        """attempt(alone) until it neither collides (KeyTaken) nor loses a race (TransientConflict)."""
        return self._queued(attempt) if self.workers else self._serial(attempt)

    @staticmethod
    def _serial(attempt):
        for n in range(ATTEMPTS):
            try:
                return attempt(False)
            except (KeyTaken, TransientConflict):
                # A random identifier collided, or another server's transaction won a race: the handler
                # has no effects outside the transaction, so running it again is safe.
                if n == ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0, 0.002 * (n + 1)))

    @staticmethod
    def _queued(attempt):
        """On a store whose transactions run side by side: a write queues behind the account's other writers
        (its 4xx, a real conflict, comes from what it then reads), and a run that loses a serialization race
        anyway runs again at once, until it commits, alone once it has lost ALONE_AFTER times."""
        collisions = conflicts = 0
        deadline = time.monotonic() + CONFLICT_SECONDS
        while True:
            try:
                return attempt(conflicts >= ALONE_AFTER)
            except KeyTaken:
                collisions += 1
                if collisions == ATTEMPTS:
                    raise
            except TransientConflict:
                conflicts += 1
                if time.monotonic() > deadline:
                    raise
                # Well under a transaction's own time: enough to let the winner's commit land first.
                time.sleep(random.uniform(0, 0.001))

    def edge_requests(self, distribution: str | None = None, tenant: str | None = None, status: int | None = None,
                      result: str | None = None, limit: int | None = None) -> list[dict]:
        """The edge's records of viewer requests, newest first (docs/behaviour.md, "The edge's request log")."""
        return self.requests.records(distribution, tenant, status, result, limit)

    def reset(self) -> None:
        # On PostgreSQL, clearing waits out the writers under way and can lose a deadlock to a reader: retried.
        self._retried(lambda alone: self.store.clear())
        self.requests.clear()

    def close(self) -> None:
        self.requests.close()  # the lines not yet written, before the server goes
        for hook in self.closing:
            hook()
        self.store.close()


def _api_line(item: tuple) -> str:
    when, name, account, method, status, milliseconds = item
    return f"{stamp(when)} {name} {account} {method} {status} {milliseconds:.1f}ms\n"


def _json(status: int, document) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(document).encode())


def _internal_action(method: str, endpoint: str) -> str:
    family = endpoint.split("/", 1)[0]
    if family == "dns":
        return "cloudfront-local:ListDnsRecords" if method == "GET" else "cloudfront-local:ChangeDnsRecords"
    if family == "geo":
        return "cloudfront-local:ListGeo" if method == "GET" else "cloudfront-local:ChangeGeo"
    if family == "requests":
        return "cloudfront-local:ListRequests"
    if family.startswith("key-pairs"):
        return "cloudfront-local:ChangeKeyPairs"
    return "cloudfront-local:Reset"


def _request_filters(query: str) -> dict:
    """GET /_cloudfront-local/requests's query as edge_requests' arguments; ValueError for a bad one."""
    found = urlencoded.fields(query, MAX_FILTERS)
    for name, value in found.items():
        if name not in (*FILTERS, "limit"):
            raise ValueError(f"no filter {name!r}: the filters are {', '.join(FILTERS)} and limit")
        if name in ("status", "limit"):
            if not (value.isascii() and value.isdigit() and len(value) <= 9):
                raise ValueError(f"{name} must be a whole number, not {value[:100]!r}")
            found[name] = int(value)
    return found


def _endpoint(headers: dict[str, str]) -> str:
    """The address the caller reached us at, for URLs an answer carries (GetFunction's Code.Location)."""
    host = headers.get("host", "")
    return f"http://{host}" if host and host.isprintable() and "/" not in host else ""


def _resource_arn(operation, params: dict, account: str, prefix: str = "cloudfront:", region: str = "") -> str:
    """The resource an action is on, for AccessDenied messages: the ARN a request names, or one made from
    the operation's path and the id it carries, or every resource of the account."""
    for name in ("Resource", "Identifier", "Id", "KvsARN", "FunctionName"):
        value = params.get(name)
        if isinstance(value, str) and value.startswith("arn:"):
            return value
    if prefix == LAMBDA + ":":
        function = params.get("FunctionName")
        return f"arn:aws:lambda:{region}:{account}:function:{function if isinstance(function, str) else '*'}"
    path = operation.http["requestUri"].split("?")[0].strip("/").split("/")
    resource_type = path[1] if len(path) > 1 else "*"
    for name in ("Id", "Identifier"):
        if params.get(name):
            return f"arn:aws:cloudfront::{account}:{resource_type}/{params[name]}"
    return f"arn:aws:cloudfront::{account}:*"


def _oversized(method: str, raw_path: str, query: str, headers: dict[str, str]):
    """(code, message, status) for a request beyond CloudFront's size limits, else None."""
    url = len(raw_path) + len(query)
    if url > MAX_URL_BYTES:
        return "RequestURITooLong", f"The URL is {url} bytes; the limit is {MAX_URL_BYTES}.", 414
    head = url + len(method) + sum(len(k) + len(v) + 4 for k, v in headers.items())
    if head > MAX_HEAD_BYTES:
        return ("RequestHeaderFieldsTooLarge",
                f"The request line and headers are {head} bytes; the limit is {MAX_HEAD_BYTES}.", 431)
    return None
