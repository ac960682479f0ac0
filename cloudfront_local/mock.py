"""In-process CloudFront: `mock_cloudfront` answers every botocore CloudFront client (and the KeyValueStore
data plane's, `cloudfront-keyvaluestore`, and Lambda's, `lambda`, where Lambda@Edge code comes from) with the
same application the server runs, without a socket. `mock_cloudfront(lambda_api=False)` leaves Lambda clients
to whatever else answers them (another mock, such as moto's).

    from cloudfront_local import mock_cloudfront

    @mock_cloudfront
    def test_groups():
        client = boto3.client("cloudfront")
        client.create_connection_group(Name="g")

It patches botocore's `Endpoint._send`, the last step before the network, so clients made before the mock
started are answered too, and signing, serialization and parsing stay botocore's own.
"""
from __future__ import annotations

import functools
import inspect
import io
import os
import sys
import threading
import unittest
import urllib.parse

import botocore.awsrequest
import botocore.endpoint
import botocore.signers

from .application import Application
from .config import Settings

_FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIDCLOUDFRONTLOCAL", "AWS_SECRET_ACCESS_KEY": "cloudfront-local"}
_lock = threading.RLock()
_active: list["mock_cloudfront"] = []   # innermost last
_saved_env: dict[str, str | None] = {}  # the environment as it was before the first activation
_original_send = botocore.endpoint.Endpoint._send
_original_sign = botocore.signers.RequestSigner.sign


class _Raw(io.BytesIO):
    """The raw stream botocore reads a response body from."""

    def stream(self, **_kwargs):
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


_ANSWERED = ("cloudfront", "cloudfront-keyvaluestore", "lambda")  # CloudFront, its KeyValueStore data plane, Lambda
LAMBDA = "lambda"


def _answers(prefix: str) -> bool:
    return bool(_active) and prefix in _active[-1].answered


def _send(endpoint, request):
    app = _active[-1].application if _answers(endpoint._endpoint_prefix) else None
    if app is None:
        return _original_send(endpoint, request)
    url = urllib.parse.urlsplit(request.url)
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, (bytes, bytearray)):
        body = body.read()
    # raw_items: botocore's headers are an email Message, whose items() re-parses every value.
    items = request.headers.raw_items() if hasattr(request.headers, "raw_items") else request.headers.items()
    headers = {k.lower(): (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in items}
    response = app.handle(request.method, url.path or "/", url.query, headers, bytes(body))
    return botocore.awsrequest.AWSResponse(request.url, response.status, response.headers, _Raw(response.body))


def _sign(signer, operation_name, request, *args, **kwargs):
    service = signer._service_id.hyphenize()
    # A CloudFront client made before the mock, in a process with no credentials at all, has nothing to
    # sign with; it goes out unsigned, which the emulator answers as the default account.
    if signer._credentials is None and _answers(service):
        return None
    return _original_sign(signer, operation_name, request, *args, **kwargs)



def _patch(on: bool) -> None:
    botocore.endpoint.Endpoint._send = _send if on else _original_send
    botocore.signers.RequestSigner.sign = _sign if on else _original_sign


def _forget_default_session() -> None:
    # boto3's default session keeps the credentials it first found: without this, the fake ones would
    # outlive the mock (or real ones would be used inside it).
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None


class mock_cloudfront:  # noqa: N801 - named like moto's mock_aws, which users know
    """Context manager and decorator (functions, coroutines and test classes). Each activation starts from
    a fresh state; keyword arguments are the server's settings (deploy_delay, default_account, state, ...), and
    `lambda_api=False` leaves boto3's Lambda clients to another mock."""

    def __new__(cls, func=None, **settings):
        if inspect.isclass(func):  # bare @mock_cloudfront on a class: the class itself comes back, decorated
            return cls(**settings)._decorate_class(func)
        return super().__new__(cls)

    def __init__(self, func=None, *, lambda_api: bool = True, **settings):
        self._settings = settings
        self.lambda_api = lambda_api
        self.answered = _ANSWERED if lambda_api else tuple(p for p in _ANSWERED if p != LAMBDA)
        self._func = func
        self.application: Application | None = None
        self._edge = None
        if func is not None:
            functools.update_wrapper(self, func)

    # -- the simulated DNS zone (what POST/GET/DELETE /_cloudfront-local/dns do for a server) ----------
    def add_dns_record(self, name: str, type: str, value: str) -> dict:  # noqa: A002 - DNS's own word
        """Add a CNAME, A, AAAA or TXT record, as a test declares what the internet would show."""
        return self._running().add_dns_record(name, type, value)

    def dns_records(self) -> list[dict]:
        return self._running().dns_records()

    def remove_dns_records(self, name: str) -> bool:
        return self._running().remove_dns_records(name)

    # -- the simulated geo table (what POST/GET/DELETE /_cloudfront-local/geo do for a server) ----------
    def add_geo(self, cidr: str, country: str) -> dict:
        """Place a network ("192.0.2.0/24") in a country ("FR"), as a test declares where viewers are; the
        most specific network holding a viewer's address wins, and a viewer no entry holds is in the US."""
        return self._running().add_geo(cidr, country)

    def geo_entries(self) -> list[dict]:
        return self._running().geo_entries()

    def clear_geo(self) -> None:
        self._running().clear_geo()

    # -- CloudFront key pairs (what POST/DELETE /_cloudfront-local/key-pairs do for a server) ------------
    def add_key_pair(self, account: str, public_key: str, key_pair_id: str | None = None) -> dict:
        """Register an account's CloudFront key pair (legacy trusted signer): a PEM RSA 2048-bit public key,
        its id APKA… made when not given. Returns {"account", "id"}."""
        return self._running().add_key_pair(account, public_key, key_pair_id)

    def remove_key_pair(self, key_pair_id: str) -> bool:
        return self._running().remove_key_pair(key_pair_id)

    # -- the edge (what a server's --edge-port answers) ----------------------------------------------
    def edge_request(self, method: str, url: str, headers: dict | None = None, body: bytes = b""):
        """Send a viewer request through the edge without a socket: `url` like "http://shop.example.com/a?b=1"
        (its host is the Host header unless `headers` has one; an https:// URL is a viewer over HTTPS, as on the
        edge's TLS port). Returns an object with `status`, `headers`
        (a list of (name, value)), `header(name)` and `body`."""
        from .edge.pipeline import Edge  # the edge loads when a test first uses it

        parts = urllib.parse.urlsplit(url)
        sent = list((headers or {}).items())
        if not any(name.lower() == "host" for name, _ in sent):
            sent.insert(0, ("Host", parts.netloc))
        application = self._running()
        if self._edge is None or self._edge.application is not application:
            self._edge = Edge(application)  # one edge, and so one cache, for the mock's life
        return self._edge.handle(method.upper(), parts.path or "/", parts.query, sent, bytes(body),
                                 scheme="https" if parts.scheme == "https" else "http")

    def edge_requests(self, distribution: str | None = None, tenant: str | None = None, status: int | None = None,
                      result: str | None = None, limit: int | None = None) -> list[dict]:
        """What the edge did for each viewer request, newest first, as GET /_cloudfront-local/requests shows it:
        dicts with "status", "result" (CloudFront's x-edge-result-type: "Hit", "Miss", ...), "origin",
        "origins_asked", "functions", "pattern", ... Filters as the endpoint's; `limit` the most to return."""
        return self._running().edge_requests(distribution, tenant, status, result, limit)

    def _running(self) -> Application:
        if self.application is None:
            raise RuntimeError("mock_cloudfront is not started")
        return self.application

    # -- context manager -------------------------------------------------------------------------
    def start(self) -> "mock_cloudfront":
        settings = Settings.from_env({}, log_requests=False, **self._settings)
        self.application = Application(settings)
        with _lock:
            if not _active:
                # The first activation patches botocore and saves the environment; the last one to stop,
                # whatever the order, puts both back.
                _patch(True)
                _saved_env.clear()
                for name, value in _FAKE_CREDENTIALS.items():
                    _saved_env[name] = os.environ.get(name)
                    if not os.environ.get(name):
                        os.environ[name] = value
                _forget_default_session()
            _active.append(self)
            if not self.lambda_api:
                # Lambda left to another mock: versions are read from moto's, where a test made them.
                from . import moto_lambda
                from .service.lambda_functions import code

                code.SOURCES.append(moto_lambda.version)
        return self

    def stop(self) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
                if not self.lambda_api:
                    from . import moto_lambda
                    from .service.lambda_functions import code

                    if moto_lambda.version in code.SOURCES:
                        code.SOURCES.remove(moto_lambda.version)
                if not _active:
                    _patch(False)
                    for name, value in _saved_env.items():
                        if value is None:
                            os.environ.pop(name, None)
                        else:
                            os.environ[name] = value
                    _saved_env.clear()
                    _forget_default_session()
        if self.application is not None:
            self.application.close()
            self.application = None

    def __enter__(self) -> "mock_cloudfront":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- decorator -------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if self._func is not None:  # used bare: @mock_cloudfront
            return self._decorate(self._func)(*args, **kwargs)
        (target,) = args  # used with options: @mock_cloudfront(deploy_delay=5)
        return self._decorate(target)

    def _decorate(self, target):
        if inspect.isclass(target):
            return self._decorate_class(target)
        settings = {**self._settings, "lambda_api": self.lambda_api}
        if inspect.iscoroutinefunction(target):
            @functools.wraps(target)
            async def run_async(*args, **kwargs):
                with mock_cloudfront(**settings):
                    return await target(*args, **kwargs)
            return run_async

        @functools.wraps(target)
        def run(*args, **kwargs):
            with mock_cloudfront(**settings):
                return target(*args, **kwargs)
        return run

    def _decorate_class(self, cls):
        settings = {**self._settings, "lambda_api": self.lambda_api}
        if issubclass(cls, unittest.TestCase):
            # setUp and the test share one state, as they share one test.
            original_setup = cls.setUp

            def setUp(test):  # noqa: N802 - unittest's name
                # A cleanup, not tearDown: unittest skips tearDown when setUp fails, but runs cleanups.
                test.addCleanup(mock_cloudfront(**settings).start().stop)
                original_setup(test)

            cls.setUp = setUp
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and callable(member):
                setattr(cls, name, mock_cloudfront(**settings)._decorate(member))
        return cls
