"""Terraform as a Lambda client: AWS provider 5.100's aws_lambda_function (a zip, publish = true; Node.js and
Python) and aws_lambda_permission on a version apply against cloudfront-local, a second plan is empty, new code
publishes version 2 with an empty plan after it, and destroy leaves no function behind.

Terraform and the provider come from the machine, as for test_terraform.py (whose fixture this reuses); the
archive provider is not needed: the test writes the zips before apply, as a build step would."""
import json
import shutil

import boto3
import botocore.config

from lambda_zips import node, python
from serving import RunningServer
from test_terraform import HERE, _terraform, terraform_env  # noqa: F401 - terraform_env is a fixture

CONFIG = HERE.parent / "terraform_lambda"


def _lambda(url: str, account: str = "123456789012"):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account,
                        aws_secret_access_key="local", config=botocore.config.Config(retries={"max_attempts": 1}))


def _outputs(workdir, env) -> dict:
    shown = json.loads(_terraform(workdir, env, "show", "-json").stdout)
    return {name: value["value"] for name, value in shown["values"]["outputs"].items()}


def _plan_is_empty(workdir, env, variables) -> None:
    plan = _terraform(workdir, env, "plan", "-detailed-exitcode", *variables, check=False)
    assert plan.returncode == 0, f"the plan wants changes:\n{plan.stdout[-6000:]}\n{plan.stderr[-2000:]}"


def test_lambda_function_apply_plan_update_destroy(terraform_env, tmp_path):
    workdir = tmp_path / "config"
    shutil.copytree(CONFIG, workdir)
    (workdir / "edge.zip").write_bytes(node())
    (workdir / "python.zip").write_bytes(python(name="app/main.py"))
    with RunningServer("--edge-port", "-1") as server:
        variables = ["-var", f"endpoint={server.url}"]
        client = _lambda(server.url)
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
        _plan_is_empty(workdir, terraform_env, variables)

        (workdir / "edge.zip").write_bytes(node("exports.handler = async (e) => { const r = e.Records[0].cf.request;"
                                                " r.uri = '/index.html'; return r; };\n"))
        _terraform(workdir, terraform_env, "apply", "-auto-approve", *variables)
        outputs = _outputs(workdir, terraform_env)
        assert outputs["version"] == "2"
        versions = client.list_versions_by_function(FunctionName="edge-rewrite")["Versions"]
        assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
        assert versions[1]["CodeSha256"] != versions[2]["CodeSha256"] == versions[0]["CodeSha256"]
        _plan_is_empty(workdir, terraform_env, variables)

        _terraform(workdir, terraform_env, "destroy", "-auto-approve", *variables)
        assert client.list_functions()["Functions"] == []
        assert not [line for line in server.lines if "internal error" in line]
        # Terraform met no operation this server leaves unanswered.
        assert not [line for line in server.lines if " 501 " in line]
