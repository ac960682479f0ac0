"""Requests to custom origins over HTTP with aiohttp, on the event loop that asks: the origin's address from
the simulated DNS zone first, then the system resolver; its timeouts; a bounded response; keep-alive
connections pooled per origin and per event loop."""
from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import ssl
import weakref
from dataclasses import dataclass, field

import aiohttp
import yarl

from ..service.multitenant import dns
from ..store import Transaction

MAX_HEADER_BYTES = 20_480  # the quotas page: the same bound on an origin's response headers as on a request
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # ours: a local emulator holds an answer in memory, so it is bounded
MAX_RESPONSE_HEADERS = 100  # as many header lines as http.client (the edge's client before aiohttp) took
# Headers that describe one connection, not the message (RFC 9110, 7.6.1): never passed on.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade"}
KEEPALIVE_SECONDS = 5.0  # OriginKeepaliveTimeout's default (Developer Guide, "Keep-alive timeout")


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
    keepalive: float = field(default=KEEPALIVE_SECONDS, kw_only=True)  # OriginKeepaliveTimeout


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
                  max(1, int(origin.get("ConnectionAttempts") or 3)),
                  keepalive=float(custom.get("OriginKeepaliveTimeout") or KEEPALIVE_SECONDS))


# -- connections -----------------------------------------------------------------------------------------------
_TLS_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
                 "TLSv1.2": ssl.TLSVersion.TLSv1_2}
_CONTEXTS: dict[str, ssl.SSLContext] = {}
# Per event loop (the server's, and the private one the in-process mock drives): an aiohttp session belongs
# to the loop it was made on. Per keep-alive figure: aiohttp keeps that figure per connector. Within one, the
# connector's pool key is address, port, TLS context and SNI name, as the urllib3 pools' was.
_SESSIONS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, aiohttp.ClientSession]]" = \
    weakref.WeakKeyDictionary()
# aiohttp adds these unless told not to: an origin gets only what the edge decided to send.
_NOT_ADDED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


def _tls(minimum: str) -> ssl.SSLContext:
    """The client context for an origin: its certificate is not verified (docs/behaviour.md, "Origins"); TLS 1.2
    at least unless a VPC origin's OriginSslProtocols allow less, as urllib3's contexts were."""
    context = _CONTEXTS.get(minimum)
    if context is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = _TLS_VERSIONS.get(minimum, ssl.TLSVersion.TLSv1_2)
        context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_TICKET
        context = _CONTEXTS.setdefault(minimum, context)
    return context


def _session(keepalive: float) -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    sessions = _SESSIONS.get(loop)
    if sessions is None:
        sessions = _SESSIONS[loop] = {}
    session = sessions.get(keepalive)
    if session is None or session.closed:
        # No bound on connections at once (a slow origin must not queue the others' requests); idle ones
        # close after the origin's keep-alive timeout. The system resolver is asked for each new connection,
        # as before: no cache of aiohttp's own between the zone and the viewer.
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, keepalive_timeout=keepalive,
                                         use_dns_cache=False)
        session = sessions[keepalive] = aiohttp.ClientSession(
            connector=connector, auto_decompress=False, skip_auto_headers=_NOT_ADDED,
            cookie_jar=aiohttp.DummyCookieJar(),
            max_line_size=MAX_HEADER_BYTES, max_field_size=MAX_HEADER_BYTES, max_headers=MAX_RESPONSE_HEADERS,
            response_class=_Response, timeout=aiohttp.ClientTimeout(total=None))
    return session


async def close() -> None:
    """Every pooled connection of the running loop closed: the server's shutdown, the mock's end."""
    for session in list((_SESSIONS.pop(asyncio.get_running_loop(), None) or {}).values()):
        await session.close()


class _Response(aiohttp.ClientResponse):
    """aiohttp passes over any 1xx before the final answer; http.client, which the edge used before, took a
    1xx other than 100 as the answer, and the edge answers that with a 502 (docs/behaviour.md, "Origins"):
    the first such status is kept here so that the edge still does."""

    informational = 0

    async def start(self, connection):
        protocol = connection.protocol
        read = protocol.read

        async def noted():
            message, payload = await read()
            if 101 < message.code < 200 and not self.informational:
                self.informational = message.code
            return message, payload

        protocol.read = noted
        try:
            return await super().start(connection)
        finally:
            del protocol.read


# -- the request -----------------------------------------------------------------------------------------------
async def fetch(to: Target, method: str, path_and_query: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
    """Raises OriginError; never anything else for what the origin does."""
    session = _session(to.keepalive)
    host = f"[{to.address}]" if ":" in to.address else to.address
    where = f"{to.address}:{to.port}"
    try:
        url = yarl.URL(f"{to.scheme}://{host}:{to.port}{request_target(path_and_query)}", encoded=True)
    except ValueError as error:
        raise OriginError(502, f"{where}: {error}") from None
    timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=to.connect_timeout,
                                    sock_read=to.read_timeout)
    https = to.scheme == "https"
    sent = wire_headers(headers)
    for attempt in range(to.attempts):
        last = attempt == to.attempts - 1
        try:
            response = await session.request(method, url, headers=sent, data=body or None, allow_redirects=False,
                                             timeout=timeout, ssl=_tls(to.tls_minimum) if https else False,
                                             server_hostname=to.domain if https else None)
            break
        except aiohttp.ClientConnectorDNSError:
            if last:
                zone = "" if to.address != to.domain else "the simulated DNS zone holds no A or AAAA for it, and "
                raise OriginError(502, f"{to.address} does not resolve ({zone}the system's resolver does not "
                                       "know it)") from None
        except aiohttp.ClientSSLError as error:
            if last:
                raise OriginError(502, f"TLS with {where} failed: {error.os_error or error}") from None
        except aiohttp.ConnectionTimeoutError:
            if last:
                raise OriginError(504, f"no connection to {where} within {to.connect_timeout:g} s "
                                       f"(ConnectionTimeout), {to.attempts} attempts") from None
        except aiohttp.SocketTimeoutError:
            raise OriginError(504, f"no answer from {where} within {to.read_timeout:g} s (OriginReadTimeout)") \
                from None
        except aiohttp.ClientConnectorError as error:  # refused, unreachable
            if last:
                raise OriginError(502, f"cannot connect to {where}: {_why(error.os_error)}") from None
        except (aiohttp.ClientError, OSError, ValueError, asyncio.TimeoutError) as error:
            if last:
                raise OriginError(502, f"{where}: {type(error).__name__}: {error}") from None
    try:
        return await _answer(response, where, to)
    finally:
        response.release()


async def _answer(response: aiohttp.ClientResponse, where: str, to: Target) -> Answer:
    if response.informational or not 200 <= response.status <= 599:
        # A final 1xx (an Early Hints answer read as the answer) or a status HTTP does not have.
        response.close()
        raise OriginError(502, f"{where} answered with status {response.informational or response.status}")
    raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers]
    if sum(len(k) + len(v) + 4 for k, v in raw) > MAX_HEADER_BYTES:
        response.close()
        raise OriginError(502, f"{where} answered headers over {MAX_HEADER_BYTES} bytes")
    declared = response.content_length
    if declared is not None and declared > MAX_RESPONSE_BYTES and response.method != "HEAD":
        response.close()
        raise OriginError(502, f"{where} answered more than {MAX_RESPONSE_BYTES} bytes")
    try:
        if declared is not None:
            data = await response.read()
        else:  # chunked, or up to the close: bounded as it comes
            parts, size = [], 0
            while chunk := await response.content.readany():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    response.close()
                    raise OriginError(502, f"{where} answered more than {MAX_RESPONSE_BYTES} bytes")
                parts.append(chunk)
            data = b"".join(parts)
    except aiohttp.SocketTimeoutError:
        response.close()
        raise OriginError(504, f"{where} stopped answering for {to.read_timeout:g} s (OriginReadTimeout)") from None
    except aiohttp.ClientPayloadError:  # the origin closed before the Content-Length it promised, or bad chunks
        response.close()
        raise OriginError(502, f"{where} closed before the end of its answer") from None
    except (aiohttp.ClientError, OSError, ValueError) as error:
        response.close()
        raise OriginError(502, f"{where}: {type(error).__name__}: {error}") from None
    kept = [(k, v) for k, v in raw if k.lower() not in HOP_BY_HOP]
    return Answer(response.status, response.reason or "", kept, data)


def _why(error: OSError | None) -> str:
    if error is None:
        return "no connection"
    return os.strerror(error.errno) if error.errno else str(error)


# -- what goes on the wire -------------------------------------------------------------------------------------
_PERCENT = re.compile(r"%[a-fA-F0-9]{2}")
_TARGET = re.compile(r"^(/[^?#]*)(?:\?([^#]*))?(?:#.*)?$")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~")
_PATH_BYTES = _UNRESERVED | frozenset(b"!$&'()*+,;=:@/")
_QUERY_BYTES = _PATH_BYTES | frozenset(b"?")


def request_target(path_and_query: str) -> str:
    """The request target as urllib3, the edge's client before aiohttp, wrote it (and as s3_origin signs it):
    no fragment; each byte outside RFC 3986's path (or query) characters percent-encoded; existing escapes
    upper-cased, and every "%" encoded too when one of them starts no escape."""
    found = _TARGET.match(path_and_query)
    if not found:
        raise ValueError(f"{path_and_query[:200]!r} is not a request target")
    path, query = found.groups()
    encoded = _encoded(path, _PATH_BYTES)
    return encoded if query is None else f"{encoded}?{_encoded(query, _QUERY_BYTES)}"


def _encoded(component: str, allowed: frozenset) -> str:
    component, escapes = _PERCENT.subn(lambda match: match.group(0).upper(), component)
    data = component.encode("utf-8", "surrogatepass")
    keep_percent = escapes == data.count(b"%")
    if all(byte in allowed or (keep_percent and byte == 0x25) for byte in data):
        return component
    return "".join(chr(byte) if byte in allowed or (keep_percent and byte == 0x25) else f"%{byte:02X}"
                   for byte in data)


def wire_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers as aiohttp sends them. Text past ASCII: the edge reads a viewer's header bytes as Latin-1,
    and aiohttp writes UTF-8, so a value whose Latin-1 bytes are UTF-8 goes out as those very bytes; any
    other goes out as the UTF-8 of its text. Accept-Encoding: identity when no other is sent, as http.client
    wrote it: without one, an origin may answer in any coding."""
    sent, encoding = [], False
    for name, value in headers:
        if not value.isascii():
            try:
                value = value.encode("latin-1").decode("utf-8")
            except UnicodeError:
                pass
        encoding = encoding or name.lower() == "accept-encoding"
        sent.append((name, value))
    if not encoding:
        sent.append(("Accept-Encoding", "identity"))
    return sent
