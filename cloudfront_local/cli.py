"""`cloudfront-local serve ...`"""
from __future__ import annotations

import argparse
import logging
import sys

from . import __version__, listener
from .config import DEFAULT_PORT, Settings, quota_fields


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudfront-local", description="A local Amazon CloudFront API emulator.")
    parser.add_argument("--version", action="version", version=f"cloudfront-local {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the CloudFront API over HTTP")
    serve.add_argument("--host", help="address to listen on (CLOUDFRONT_LOCAL_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int,
                       help=f"port to listen on, 0 for any free one (CLOUDFRONT_LOCAL_PORT; default {DEFAULT_PORT})")
    serve.add_argument("--edge-port", type=int, dest="edge_port",
                       help="a port of its own for viewers, 0 for any free one (CLOUDFRONT_LOCAL_EDGE_PORT; "
                            "default -1: none, viewers reach the distributions on --port by their Host)")
    serve.add_argument("--edge-tls-port", type=int, dest="edge_tls_port",
                       help="port viewers reach the edge on over HTTPS, with a certificate made at start; 0 for any "
                            "free one (CLOUDFRONT_LOCAL_EDGE_TLS_PORT; default -1: none)")
    serve.add_argument("--state", help="SQLite file that keeps the state across restarts (CLOUDFRONT_LOCAL_STATE; "
                                       "default: a fresh in-memory state each run)")
    serve.add_argument("--deploy-delay", type=float, dest="deploy_delay",
                       help="seconds from a change until Status reads Deployed (CLOUDFRONT_LOCAL_DEPLOY_DELAY; default 0)")
    serve.add_argument("--default-account", dest="default_account",
                       help="account of unsigned requests and non-numeric access keys "
                            "(CLOUDFRONT_LOCAL_DEFAULT_ACCOUNT; default 123456789012)")
    serve.add_argument("--credentials", help="TOML file of access keys, accounts and allowed actions; with it "
                                             "every request must carry a valid SigV4 signature "
                                             "(CLOUDFRONT_LOCAL_CREDENTIALS; default: none, unsigned requests "
                                             "are taken as the default account's)")
    serve.add_argument("--s3-endpoint", dest="s3_endpoint",
                       help="S3 endpoint that S3 origins at the edge and objects named in requests (the CA bundles "
                            "of trust stores) are read from (CLOUDFRONT_LOCAL_S3_ENDPOINT; default: none, such "
                            "requests are refused, or S3 origins served from --s3-dir)")
    serve.add_argument("--s3-dir", dest="s3_dir", metavar="DIR",
                       help="directory of local buckets, each subdirectory a bucket and each file an object: S3 "
                            "origins and S3 website endpoints are served from it where --s3-endpoint does not "
                            "serve them (CLOUDFRONT_LOCAL_S3_DIR; default: none)")
    serve.add_argument("--s3-website", dest="s3_website", action="append", metavar="BUCKET=INDEX[,ERROR]",
                       help="website hosting of a local bucket: its index document and, optionally, its error "
                            "document; repeatable (CLOUDFRONT_LOCAL_S3_WEBSITE, space-separated; default: none, a "
                            "website endpoint answers NoSuchWebsiteConfiguration)")
    serve.add_argument("--websocket-idle-seconds", type=float, dest="websocket_idle_seconds",
                       help="seconds a WebSocket connection at the edge stays open with no byte from the origin "
                            "(CLOUDFRONT_LOCAL_WEBSOCKET_IDLE_SECONDS; default 600, CloudFront's 10 minutes)")
    serve.add_argument("--log-format", dest="log_format", choices=("text", "json"),
                       help="the edge's line per viewer request on stderr: text, or one JSON object a line "
                            "(CLOUDFRONT_LOCAL_LOG_FORMAT; default text)")
    serve.add_argument("--request-log-size", type=int, dest="request_log_size", metavar="N",
                       help="viewer requests the edge keeps for GET /_cloudfront-local/requests, the oldest "
                            "dropped first (CLOUDFRONT_LOCAL_REQUEST_LOG_SIZE; default 1000)")
    serve.add_argument("--log-flush-seconds", type=float, dest="log_flush_seconds", metavar="SECONDS",
                       help="how often CloudFront's standard and real-time logs are written out; also at shutdown "
                            "(CLOUDFRONT_LOCAL_LOG_FLUSH_SECONDS; default 5)")
    serve.add_argument("--log-buffer-lines", type=int, dest="log_buffer_lines", metavar="LINES",
                       help="log lines that may wait for the next write; more are written at once "
                            "(CLOUDFRONT_LOCAL_LOG_BUFFER_LINES; default 10000)")
    serve.add_argument("--kinesis-endpoint", dest="kinesis_endpoint",
                       help="Kinesis endpoint (moto, LocalStack) that real-time log records are put to "
                            "(CLOUDFRONT_LOCAL_KINESIS_ENDPOINT; default: none, records go to --log-dir)")
    serve.add_argument("--log-dir", dest="log_dir", metavar="DIR",
                       help="directory where real-time log records go, a file per stream, without "
                            "--kinesis-endpoint (CLOUDFRONT_LOCAL_LOG_DIR; default: none)")
    for field in quota_fields():
        resource = field[: -len("_quota")]
        serve.add_argument(f"--{resource.replace('_', '-')}-quota", type=int, dest=field,
                           help=f"per-account quota of the {resource.replace('_', ' ')} kind "
                                f"(CLOUDFRONT_LOCAL_{field.upper()}; default {getattr(Settings, field)})")
    for action in serve._actions:
        # Every flag says its default in --help; a flag whose text forgot gets the setting's own.
        if action.help and action.dest != "help" and "default" not in action.help:
            value = getattr(Settings, action.dest, None)
            action.help += f" (default: {'none' if value is None else value})"
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(**{k: v for k, v in vars(args).items() if k != "command"})
    except ValueError as error:
        print(f"cloudfront-local: {error}", file=sys.stderr)
        return 2
    return serve(settings)


def serve(settings: Settings) -> int:
    import sqlite3

    # botocore imports awscrt wherever it is installed (boto3's KeyValueStore client needs it to sign), and
    # that costs start-up about 0.15 s; the server verifies signatures with `cryptography` and never signs
    # with the CRT, so its process does without (function runtime workers are processes of their own).
    sys.modules.setdefault("awscrt", None)

    import uvicorn

    from .server import create_app, with_edge

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    sockets, tls_socket, tls_context = [], None, None
    try:
        app = create_app(settings)
        sockets.append(_listen(settings.host, settings.port, "--port"))
        if settings.edge_port >= 0:
            sockets.append(_listen(settings.host, settings.edge_port, "--edge-port"))
        if settings.edge_tls_port >= 0:
            from .edge import tls

            tls_socket = _listen(settings.host, settings.edge_tls_port, "--edge-tls-port")
            tls_context = tls.context()
        edge_ports = [sock.getsockname()[1] for sock in [*sockets[1:], *([tls_socket] if tls_socket else [])]]
        # The API's port answers viewers by their Host whatever the flags say: one port is enough.
        app = with_edge(app, edge_ports)
    except (OSError, ValueError, RuntimeError, sqlite3.Error) as error:
        for sock in [*sockets, *([tls_socket] if tls_socket else [])]:
            sock.close()
        print(f"cloudfront-local: cannot serve: {error}", file=sys.stderr)
        return 2
    # The API's line first, as before the edge: a reader that stops at the first "listening on" has it.
    print(f"cloudfront-local listening on {listener.url(sockets[0])}", file=sys.stderr, flush=True)
    if len(sockets) > 1:
        print(f"cloudfront-local edge listening on {listener.url(sockets[1])}", file=sys.stderr, flush=True)
    api_port = sockets[0].getsockname()[1]
    print(f"cloudfront-local viewers: http://LABEL.cloudfront.localhost:{api_port}/ for distribution "
          f"LABEL.cloudfront.net, or any distribution's, alias's or tenant's domain as Host", file=sys.stderr,
          flush=True)
    if tls_socket is not None:
        print(f"cloudfront-local edge (TLS) listening on {listener.url(tls_socket, 'https')}", file=sys.stderr,
              flush=True)
        from .edge.tls import Server
        Server(uvicorn_config(app), tls_socket, tls_context).run(sockets=sockets)
    else:
        uvicorn.Server(uvicorn_config(app)).run(sockets=sockets)
    return 0


def _listen(host: str, port: int, flag: str):
    """The listening socket; a busy or forbidden address fails naming the port and the flag that changes it."""
    import errno

    try:
        return listener.listen(host, port)
    except OSError as error:
        variable = "CLOUDFRONT_LOCAL_" + flag.lstrip("-").replace("-", "_").upper()
        if error.errno == errno.EADDRINUSE:
            why = "is in use (another cloudfront-local, or another program, holds it)"
        elif error.errno == errno.EACCES:
            why = "is not open to this user"
        else:
            why = f"cannot be listened on ({error.strerror or error})"
        raise OSError(f"port {port} on {host} {why}; {flag} PORT (or {variable}) chooses another, "
                      f"{flag} 0 any free one") from None


def uvicorn_config(app):
    """The server settings, shared with the benchmarks' floor so both run under the same server."""
    import uvicorn

    from .server import ViewerProtocol

    # proxy_headers off: uvicorn would otherwise take a local viewer's own X-Forwarded-For as its address, and
    # the edge must append the TCP peer to it as CloudFront does. The keep-alive idle timeout of 5 s is the
    # edge's, the figure CloudFront uses by default towards origins ("Keep-alive timeout", Developer Guide);
    # ViewerProtocol gives API connections a longer one (API_IDLE_SECONDS) and bounds the rest of a slow
    # viewer's time.
    return uvicorn.Config(app, http=ViewerProtocol, interface="asgi3", lifespan="on", access_log=False,
                          log_level="warning", server_header=False, proxy_headers=False, timeout_keep_alive=5)

