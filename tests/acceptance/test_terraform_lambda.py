"""Terraform as a Lambda@Edge client: AWS provider 5.100's aws_lambda_function (a zip, publish = true; Node.js
and Python), aws_lambda_permission on a version and an aws_cloudfront_distribution whose default and ordered
behaviors attach the versions on all four event types apply against cloudfront-local; a viewer request shows
each attached function ran; a second plan is empty; new code publishes version 2, moves the distribution to it
(the viewer sees the new code) with an empty plan after it; and destroy (the distribution first, then the
functions whose versions it used) leaves nothing behind.

Terraform and the provider come from the machine, as for test_terraform.py (whose fixture this reuses, and
beside whose test this one runs: side_by_side.py); the archive provider is not needed: the test writes the zips
before apply, as a build step would."""
import contextlib
import http.client
import http.server
import json
import pathlib
import shutil
import uuid

import boto3
import botocore.config
import origin_servers
import requests

import side_by_side
from lambda_zips import node, python
from serving import RunningServer
from test_terraform import HERE, _terraform, terraform_env  # noqa: F401 - terraform_env is a fixture

CONFIG = HERE.parent / "terraform_lambda"


def _node_handler(tag: str) -> bytes:
    """One handler for every trigger it is attached on: it says, in a header named after the event type, which
    code ran."""
    return node("""exports.handler = async (event) => {
    const cf = event.Records[0].cf;
    const name = 'x-node-' + cf.config.eventType;
    const target = cf.config.eventType.endsWith('-response') ? cf.response : cf.request;
    target.headers[name] = [{key: name, value: '%s'}];
    if (cf.config.eventType === 'viewer-request') {
        target.headers['x-body-seen'] = [{key: 'X-Body-Seen', value: String(cf.request.body.data.length)}];
    }
    return target;
};
""" % tag)


PYTHON_HANDLER = python("""def handler(event, context):
    cf = event['Records'][0]['cf']
    kind = cf['config']['eventType']
    target = cf['response'] if kind.endswith('-response') else cf['request']
    target['headers']['x-python-' + kind] = [{'key': 'X-Python-' + kind, 'value': 'ran'}]
    return target
""", name="app/main.py")


class _Echo(http.server.BaseHTTPRequestHandler):
    """An origin that answers with the path and headers that reached it."""

    def do_GET(self):
        origin_servers.send_json(self, {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _origin_port():
    server = origin_servers.start(_Echo)
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def _viewer(url: str, domain: str, path: str) -> tuple[int, dict, dict]:
    """A GET to the server's own port with the distribution's domain as Host, as a viewer whose DNS points the
    name at this server sends it."""
    connection = http.client.HTTPConnection(url.split("//", 1)[1], timeout=30)
    try:
        connection.request("GET", path, headers={"Host": domain})
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status == 200, body
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, json.loads(body)
    finally:
        connection.close()


def _lambda(url: str, account: str = "123456789012"):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account,
                        aws_secret_access_key="local", config=botocore.config.Config(retries={"max_attempts": 1}))


def _outputs(workdir, env) -> dict:
    shown = json.loads(_terraform(workdir, env, "show", "-json").stdout)
    return {name: value["value"] for name, value in shown["values"]["outputs"].items()}


def _plan_is_empty(workdir, env, variables) -> None:
    plan = _terraform(workdir, env, "plan", "-detailed-exitcode", *variables, check=False)
    assert plan.returncode == 0, f"the plan wants changes:\n{plan.stdout[-6000:]}\n{plan.stderr[-2000:]}"


def _apply_view_plan_update_destroy(terraform_env: dict, scratch: pathlib.Path) -> None:
    with _origin_port() as origin_port:
        _apply_view_plan_update_destroy_through(terraform_env, scratch, origin_port)


@side_by_side.body(_apply_view_plan_update_destroy)
def test_lambda_edge_apply_view_plan_update_destroy(terraform_env, tmp_path_factory, request):
    side_by_side.outcome(request, terraform_env, tmp_path_factory)


def _apply_view_plan_update_destroy_through(terraform_env: dict, scratch: pathlib.Path, origin_port: int) -> None:
    workdir = scratch / "config"
    shutil.copytree(CONFIG, workdir)
    (workdir / "edge.zip").write_bytes(_node_handler("v1"))
    (workdir / "python.zip").write_bytes(PYTHON_HANDLER)
    origin = f"origin-{uuid.uuid4().hex[:10]}.example.com"
    with RunningServer("--edge-port", "-1") as server:
        requests.post(server.url + "/_cloudfront-local/dns", json={"name": origin, "type": "A", "value": "127.0.0.1"},
                      timeout=5).raise_for_status()
        variables = ["-var", f"endpoint={server.url}", "-var", f"origin_domain={origin}",
                     "-var", f"origin_port={origin_port}"]
        client = _lambda(server.url)
        cloudfront = boto3.client("cloudfront", endpoint_url=server.url, region_name="us-east-1",
                                  aws_access_key_id="123456789012", aws_secret_access_key="local")
        _terraform(workdir, terraform_env, "init")
        _terraform(workdir, terraform_env, "apply", "-auto-approve", *variables)
        outputs = _outputs(workdir, terraform_env)
        assert outputs["version"] == "1"
        assert outputs["qualified_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:edge-rewrite:1"
        function = client.get_function(FunctionName="edge-rewrite")
        assert function["Configuration"]["Timeout"] == 5 and function["Tags"] == {"team": "edge"}
        policy = json.loads(client.get_policy(FunctionName="edge-rewrite", Qualifier="1")["Policy"])
        assert policy["Statement"][0]["Principal"] == {"Service": "replicator.lambda.amazonaws.com"}
        assert client.get_function(FunctionName="edge-headers")["Configuration"]["Runtime"] == "python3.12"
        distribution_id = cloudfront.list_distributions()["DistributionList"]["Items"][0]["Id"]
        behaviors = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
        default = behaviors["DefaultCacheBehavior"]["LambdaFunctionAssociations"]["Items"]
        assert {(a["EventType"], a["LambdaFunctionARN"].rsplit(":", 2)[1], a["IncludeBody"]) for a in default} == {
            ("viewer-request", "edge-rewrite", True), ("origin-response", "edge-headers", False),
            ("viewer-response", "edge-rewrite", False)}

        _, headers, seen = _viewer(server.url, outputs["domain_name"], "/page")
        assert seen["headers"]["x-node-viewer-request"] == "v1"   # the viewer-request function ran
        assert seen["headers"]["x-body-seen"] == "0"              # with the body IncludeBody gives it
        assert headers["x-python-origin-response"] == "ran"
        assert headers["x-node-viewer-response"] == "v1"
        _, headers, seen = _viewer(server.url, outputs["domain_name"], "/api/items")
        assert seen["path"] == "/api/items"
        assert seen["headers"]["x-python-viewer-request"] == "ran"
        assert seen["headers"]["x-node-origin-request"] == "v1"
        assert "x-node-viewer-response" not in headers and "x-python-origin-response" not in headers
        _plan_is_empty(workdir, terraform_env, variables)

        (workdir / "edge.zip").write_bytes(_node_handler("v2"))
        _terraform(workdir, terraform_env, "apply", "-auto-approve", *variables)
        outputs = _outputs(workdir, terraform_env)
        assert outputs["version"] == "2"
        _, headers, seen = _viewer(server.url, outputs["domain_name"], "/page")
        assert seen["headers"]["x-node-viewer-request"] == "v2" and headers["x-node-viewer-response"] == "v2"
        versions = client.list_versions_by_function(FunctionName="edge-rewrite")["Versions"]
        assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
        assert versions[1]["CodeSha256"] != versions[2]["CodeSha256"] == versions[0]["CodeSha256"]
        _plan_is_empty(workdir, terraform_env, variables)

        _terraform(workdir, terraform_env, "destroy", "-auto-approve", *variables)
        assert client.list_functions()["Functions"] == []
        assert cloudfront.list_distributions()["DistributionList"].get("Items", []) == []
        assert not [line for line in server.lines if "internal error" in line]
        # Terraform met no operation this server leaves unanswered.
        assert not [line for line in server.lines if " 501 " in line]
