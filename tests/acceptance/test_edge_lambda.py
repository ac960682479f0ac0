"""Lambda@Edge at the edge, through boto3 (a function made and published with the Lambda API, a distribution
whose behaviors attach its versions) and real viewer requests to an origin that records what reached it:
the four triggers in CloudFront's order and cache interplay, the event CloudFront builds, what a handler's
answer changes, CloudFront's answers to a function that fails, and some of the Developer Guide's "Lambda@Edge
example functions" (written here after the guide's descriptions), in Node.js and Python."""
from __future__ import annotations

import json
import signal
import threading
import time

import boto3
import pytest

from conftest import make_client
from edge_lambda import (CACHING_OPTIMIZED, asked, distribution, dns, functions, get, origin,  # noqa: F401
                         origin_port, version)
from lambda_zips import node, python
from serving import RunningServer

COUNTING_VIEWER_REQUEST = node("""let calls = 0;
exports.handler = async (event) => {
    const request = event.Records[0].cf.request;
    calls += 1;
    request.headers['x-calls'] = [{key: 'X-Calls', value: String(calls)}];
    request.headers['x-event'] = [{key: 'X-Event', value: JSON.stringify(event.Records[0].cf.config.eventType)
        + ' ' + request.method + ' ' + request.uri + ' ' + request.querystring + ' ' + request.clientIp}];
    return request;
};""")


def test_viewer_request_runs_on_every_request_with_warm_globals_and_its_request_reaches_the_origin(
        server, client, functions, origin, origin_port):
    domain = distribution(client, origin, origin_port, viewer_request=version(functions, COUNTING_VIEWER_REQUEST))
    for expected in ("1", "2"):
        status, headers, body = get(server, domain, "/page?a=1")
        assert status == 200, body
        seen = json.loads(body)["headers"]
        assert seen["x-calls"] == expected
        assert seen["x-event"] == '"viewer-request" GET /page a=1 127.0.0.1'
        assert headers["x-cache"] == "Miss from cloudfront"


def test_python_viewer_request_generates_a_redirect_as_the_guide_example_does(server, client, functions, origin,
                                                                              origin_port):
    # "Generating an HTTP redirect (generated response)".
    code = python("""def handler(event, context):
    return {'status': '302', 'statusDescription': 'Found',
            'headers': {'location': [{'key': 'Location', 'value': 'https://docs.aws.amazon.com/lambda/'}]}}
""")
    domain = distribution(client, origin, origin_port,
                           viewer_request=version(functions, code, runtime="python3.12", handler="app.handler"))
    before = len(asked(origin))
    status, headers, _ = get(server, domain, "/anything")
    assert status == 302 and headers["location"] == "https://docs.aws.amazon.com/lambda/"
    assert headers["x-cache"] == "LambdaGeneratedResponse from cloudfront"
    assert len(asked(origin)) == before


def test_origin_request_runs_only_on_a_miss_and_origin_response_changes_are_cached(server, client, functions,
                                                                                    origin, origin_port):
    origin_request = version(functions, node("""let calls = 0;
exports.handler = (event, context, callback) => {
    const request = event.Records[0].cf.request;
    request.headers['x-origin-calls'] = [{key: 'X-Origin-Calls', value: String(++calls)}];
    request.headers['x-origin-domain'] = [{key: 'X-Origin-Domain', value: request.origin.custom.domainName}];
    request.uri = '/rewritten' + request.uri;
    callback(null, request);
};"""))
    # "Adding HTTP security headers", on the origin's answer: what it adds is cached with it.
    origin_response = version(functions, python("""import itertools
calls = itertools.count(1)
def handler(event, context):
    response = event['Records'][0]['cf']['response']
    response['headers']['strict-transport-security'] = [
        {'key': 'Strict-Transport-Security', 'value': 'max-age=63072000; includeSubdomains; preload'}]
    response['headers']['x-origin-response-call'] = [{'key': 'X-Origin-Response-Call', 'value': str(next(calls))}]
    return response
""", name="app.py"), runtime="python3.12", handler="app.handler")
    viewer_response = version(functions, node("""let calls = 0;
exports.handler = async (event) => {
    const response = event.Records[0].cf.response;
    response.headers['x-viewer-response-call'] = [{key: 'X-Viewer-Response-Call', value: String(++calls)}];
    return response;
};"""))
    domain = distribution(client, origin, origin_port, cache_policy=CACHING_OPTIMIZED,
                           origin_request=origin_request, origin_response=origin_response,
                           viewer_response=viewer_response)
    first = get(server, domain, "/cached")
    second = get(server, domain, "/cached")
    assert first[0] == second[0] == 200
    seen = json.loads(first[2])
    assert seen["path"] == "/rewritten/cached" and seen["headers"]["x-origin-calls"] == "1"
    assert seen["headers"]["x-origin-domain"] == origin
    assert len([r for r in asked(origin) if r["path"] == "/rewritten/cached"]) == 1
    assert first[1]["x-cache"] == "Miss from cloudfront" and second[1]["x-cache"] == "Hit from cloudfront"
    assert first[1]["x-origin-response-call"] == second[1]["x-origin-response-call"] == "1"
    assert first[1]["strict-transport-security"].startswith("max-age=63072000")
    assert (first[1]["x-viewer-response-call"], second[1]["x-viewer-response-call"]) == ("1", "2")


def test_origin_request_switches_to_another_custom_origin(server, client, functions, origin, origin_port):
    other = dns(server)
    code = node(f"""exports.handler = async (event) => {{
    const request = event.Records[0].cf.request;
    request.origin = {{custom: {{domainName: '{other}', port: {origin_port}, protocol: 'http', path: '/moved',
                                 sslProtocols: ['TLSv1.2'], readTimeout: 5, keepaliveTimeout: 5,
                                 customHeaders: {{}}}}}};
    request.headers['host'] = [{{key: 'host', value: '{other}'}}];
    return request;
}};""")
    domain = distribution(client, origin, origin_port, origin_request=version(functions, code))
    status, _, body = get(server, domain, "/x")
    assert status == 200 and json.loads(body)["path"] == "/moved/x"
    assert [r["path"] for r in asked(other)] == ["/moved/x"] and not asked(origin)


def test_include_body_shows_the_body_base64_and_a_replaced_body_reaches_the_origin(server, client, functions,
                                                                                  origin, origin_port):
    code = python("""import base64
def handler(event, context):
    request = event['Records'][0]['cf']['request']
    seen = base64.b64decode(request['body']['data']).decode()
    request['body'] = {'action': 'replace', 'encoding': 'text', 'data': 'replaced:' + seen.upper()}
    return request
""")
    domain = distribution(client, origin, origin_port, include_body=("viewer_request",),
                           viewer_request=version(functions, code, runtime="python3.12", handler="app.handler"))
    status, _, body = get(server, domain, "/form", method="POST", body=b"name=value")
    assert status == 200 and json.loads(body)["body"] == "replaced:NAME=VALUE"


@pytest.mark.parametrize("code,status,cache", [
    (node("exports.handler = async () => { throw new Error('boom'); };"), 503, "LambdaExecutionError"),
    (node("exports.handler = async () => { process.exit(1); };"), 503, "LambdaExecutionError"),
    (node("exports.handler = async () => new Promise(() => {});"), 503, "LambdaLimitExceeded"),
    (node("exports.handler = async (e) => { const r = e.Records[0].cf.request; "
          "r.headers.host = [{key: 'Host', value: 'elsewhere.example'}]; return r; };"), 502, "LambdaValidationError"),
    (node("exports.handler = async () => ({status: '200', body: 'x'.repeat(41 * 1024)});"), 502,
     "LambdaValidationError"),
    (node("exports.handler = async () => ({status: 'teapot'});"), 502, "LambdaValidationError"),
    (node("exports.handler = async () => null;"), 502, "LambdaValidationError"),
], ids=["thrown", "crash", "timeout", "read-only-header", "too-big", "bad-status", "null"])
def test_a_failing_viewer_request_function_gets_cloudfronts_answer(server, client, functions, origin, origin_port,
                                                                  code, status, cache):
    domain = distribution(client, origin, origin_port, viewer_request=version(functions, code, timeout=1))
    got, headers, body = get(server, domain, "/")
    assert got == status and headers["x-cache"] == f"{cache} from cloudfront"
    assert b"Generated by cloudfront (CloudFront)" in body and not asked(origin)


def test_aversion_that_does_not_exist_never_reaches_the_edge(server, client, account, origin, origin_port):
    """CloudFront refuses the association (test_lambda_associations.py), and a version in use cannot be deleted,
    so no viewer meets one; the edge's answer for one (503 LambdaExecutionError) stays for a shared state."""
    missing = f"arn:aws:lambda:us-east-1:{account}:function:never-made:1"
    with pytest.raises(client.exceptions.InvalidLambdaFunctionAssociation):
        distribution(client, origin, origin_port, viewer_request=missing)


def test_viewer_response_does_not_run_on_an_error_status(server, client, functions, origin, origin_port):
    code = node("exports.handler = async (e) => { const r = e.Records[0].cf.response; "
                "r.headers['x-ran'] = [{key: 'X-Ran', value: 'yes'}]; return r; };")
    domain = distribution(client, origin, origin_port, viewer_response=version(functions, code))
    assert get(server, domain, "/found")[1].get("x-ran") == "yes"
    status, headers, _ = get(server, domain, "/missing")
    assert status == 404 and "x-ran" not in headers


def _running(pid: int) -> bool:
    """A process that is there and not a zombie (a zombie is gone, only not yet reaped by init)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_workers_end_with_a_server_killed_outright(origin_port):
    """SIGKILL leaves the server no time to close its workers, and a worker busy in its handler never reads
    the end of its input: each has the parent-death signal armed. The workers are caught mid-handler."""
    node_code = node("""exports.handler = async (event) => {
    if (event.Records[0].cf.request.uri === '/spin') { for (;;) {} }
    return {status: '200', body: String(process.pid)};
};""")
    python_code = python("""import os
def handler(event, context):
    while event['Records'][0]['cf']['request']['uri'] == '/spin':
        pass
    return {'status': '200', 'body': str(os.getpid())}
""")
    with RunningServer() as running:
        cloudfront = make_client(running.url, "123456789012")
        functions = boto3.client("lambda", endpoint_url=running.url, region_name="us-east-1",
                                 aws_access_key_id="123456789012", aws_secret_access_key="secret")
        pids, domains = [], []
        for code, runtime, handler in ((node_code, "nodejs20.x", "index.handler"),
                                       (python_code, "python3.12", "app.handler")):
            domain = distribution(cloudfront, dns(running), origin_port, viewer_request=version(
                functions, code, runtime=runtime, handler=handler, timeout=5))
            status, _, body = get(running, domain, "/")
            assert status == 200, body
            pids.append(int(body))
            domains.append(domain)
        spinning = [threading.Thread(target=_get_ignoring_errors, args=(running, domain, "/spin"), daemon=True)
                    for domain in domains]
        for thread in spinning:
            thread.start()
        time.sleep(1)
        assert all(_running(pid) for pid in pids)
        running.process.send_signal(signal.SIGKILL)
        running.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in pids if _running(pid)]


def _get_ignoring_errors(server, host, path):
    try:
        get(server, host, path)
    except OSError:  # the server is killed under it
        pass
