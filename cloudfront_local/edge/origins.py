"""Requests to custom origins over HTTP with urllib3 (already installed with botocore): the origin's address
from the simulated DNS zone first, then the system resolver; its timeouts; a bounded response."""
from __future__ import annotations

import collections
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field

import urllib3

from ..service.multitenant import dns
from ..store import Transaction

MAX_HEADER_BYTES = 20_480  # the quotas page: the same bound on an origin's response headers as on a request
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # ours: a local emulator holds an answer in memory, so it is bounded
# Headers that describe one connection, not the message (RFC 9110, 7.6.1): never passed on.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade"}


class OriginError(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status  # 502 (cannot connect, bad answer) or 504 (no answer in time)


@dataclass
class Target:
    scheme: str
    domain: str        # the origin's domain name: the Host header it gets
    address: str       # where to connect: an address from the simulated zone, or the domain for the system
    port: int
    path: str          # OriginPath
    headers: list[tuple[str, str]]   # CustomHeaders
    connect_timeout: float
    read_timeout: float
    attempts: int
    origin_id: str = field(default="", kw_only=True)  # the distribution's name for it, for the log
    tls_minimum: str = field(default="", kw_only=True)  # "TLSv1.2" and so on; "" for the library's own


@dataclass
class Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def address_of(tx: Transaction, domain: str) -> str:
    """The zone's A (or AAAA) record at the end of the domain's CNAME chain; else the last name of the chain,
    for the system resolver."""
    try:
        ipaddress.ip_address(domain)
        return domain
    except ValueError:
        pass
    try:
        chain, records = dns.resolve(tx, domain)
    except dns.BadRecord:
        return domain
    for kind in ("A", "AAAA"):
        for record in records:
            if record["type"] == kind:
                return record["value"]
    return chain[-1]


def target(tx: Transaction, origin: dict, domain: str, path: str, viewer_scheme: str = "http") -> Target:
    custom = origin.get("CustomOriginConfig") or {}
    policy = custom.get("OriginProtocolPolicy")
    https = policy == "https-only" or (policy == "match-viewer" and viewer_scheme == "https")
    port = int(custom.get("HTTPSPort" if https else "HTTPPort") or (443 if https else 80))
    headers = [(h["HeaderName"], h["HeaderValue"]) for h in (origin.get("CustomHeaders") or {}).get("Items") or []]
    return Target("https" if https else "http", domain, address_of(tx, domain), port, path, headers,
                  float(origin.get("ConnectionTimeout") or 10), float(custom.get("OriginReadTimeout") or 30),
                  max(1, int(origin.get("ConnectionAttempts") or 3)))


_TLS_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
                 "TLSv1.2": ssl.TLSVersion.TLSv1_2}
_POOLS: "collections.OrderedDict[tuple, urllib3.HTTPConnectionPool]" = collections.OrderedDict()
_POOLS_LOCK = threading.Lock()
MAX_POOLS = 64             # origins with open connections kept at once; the least recently used is closed
CONNECTIONS_PER_ORIGIN = 8  # idle keep-alive connections kept for one origin


def _pool(to: Target) -> urllib3.HTTPConnectionPool:
    """A pool of keep-alive connections per origin address, as CloudFront keeps connections to an origin open
    between requests (OriginKeepaliveTimeout); timeouts are given per request."""
    key = (to.scheme, to.address, to.port, to.domain, to.tls_minimum)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is not None:
            _POOLS.move_to_end(key)
            return pool
        kind = urllib3.HTTPSConnectionPool if to.scheme == "https" else urllib3.HTTPConnectionPool
        options = {"cert_reqs": "CERT_NONE", "assert_hostname": False, "server_hostname": to.domain} \
            if to.scheme == "https" else {}
        if to.scheme == "https" and to.tls_minimum:
            options["ssl_minimum_version"] = _TLS_VERSIONS[to.tls_minimum]
        pool = kind(to.address, to.port, retries=False, maxsize=CONNECTIONS_PER_ORIGIN, block=False, **options)
        _POOLS[key] = pool
        if len(_POOLS) > MAX_POOLS:
            # Dropped, not closed: a thread may be using it; its connections close when it is collected.
            _POOLS.popitem(last=False)
        return pool


def fetch(to: Target, method: str, path_and_query: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
    """Raises OriginError; never anything else for what the origin does."""
    pool = _pool(to)
    timeout = urllib3.Timeout(connect=to.connect_timeout, read=to.read_timeout)
    sent = urllib3.HTTPHeaderDict()
    for name, value in headers:
        sent.add(name, value)
    where = f"{to.address}:{to.port}"
    for attempt in range(to.attempts):
        try:
            response = pool.urlopen(method, path_and_query, body=body or None, headers=sent, redirect=False,
                                    preload_content=False, assert_same_host=False, retries=False,
                                    timeout=timeout)
            break
        except urllib3.exceptions.NameResolutionError:
            if attempt == to.attempts - 1:
                zone = "" if to.address != to.domain else "the simulated DNS zone holds no A or AAAA for it, and "
                raise OriginError(502, f"{to.address} does not resolve ({zone}the system's resolver does not "
                                       "know it)") from None
        except urllib3.exceptions.NewConnectionError as error:  # refused: a ConnectTimeoutError subclass
            if attempt == to.attempts - 1:
                raise OriginError(502, f"cannot connect to {where}: "
                                       f"{str(error).rpartition('new connection: ')[2]}") from None
        except urllib3.exceptions.ConnectTimeoutError:
            if attempt == to.attempts - 1:
                raise OriginError(504, f"no connection to {where} within {to.connect_timeout:g} s "
                                       f"(ConnectionTimeout), {to.attempts} attempts") from None
        except urllib3.exceptions.ReadTimeoutError:
            raise OriginError(504, f"no answer from {where} within {to.read_timeout:g} s (OriginReadTimeout)") \
                from None
        except urllib3.exceptions.SSLError as error:
            if attempt == to.attempts - 1:
                raise OriginError(502, f"TLS with {where} failed: {error}") from None
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
            if attempt == to.attempts - 1:
                raise OriginError(502, f"{where}: {error}") from None
    try:
        data = response.read(MAX_RESPONSE_BYTES + 1, decode_content=False)
    except urllib3.exceptions.ReadTimeoutError:
        _discard(response)
        raise OriginError(504, f"{where} stopped answering for {to.read_timeout:g} s (OriginReadTimeout)") from None
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
        _discard(response)
        raise OriginError(502, f"{where}: {error}") from None
    if len(data) > MAX_RESPONSE_BYTES:
        _discard(response)
        raise OriginError(502, f"{where} answered more than {MAX_RESPONSE_BYTES} bytes")
    if not 200 <= response.status <= 599:
        # A final 1xx (an Early Hints answer read as the answer) or a status HTTP does not have.
        _discard(response)
        raise OriginError(502, f"{where} answered with status {response.status}")
    if response.length_remaining:  # the origin closed before the Content-Length it promised
        _discard(response)
        raise OriginError(502, f"{where} closed before the end of its answer")
    if sum(len(k) + len(v) + 4 for k, v in response.headers.items()) > MAX_HEADER_BYTES:
        response.release_conn()
        raise OriginError(502, f"{where} answered headers over {MAX_HEADER_BYTES} bytes")
    response.release_conn()
    kept = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
    return Answer(response.status, response.reason or "", kept, data)


def _discard(response) -> None:
    """A connection that failed mid-answer, or still holds unread bytes, is closed, never reused."""
    response.close()
    response.release_conn()
