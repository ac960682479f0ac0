"""Terraform as a client: AWS provider 5.100 applies a configuration that uses every resource type and
data source of issue 10 (terraform/main.tf) against cloudfront-local, a second plan finds nothing to change,
and destroy leaves nothing behind.

Terraform and the provider come from the machine: `terraform` on the PATH and the provider in a filesystem
mirror (a directory named tf-plugins; CLOUDFRONT_LOCAL_TF_PLUGINS names another). Nothing is downloaded.
Without them the test skips and says why. It is slow by nature: the provider waits about 30 s for each
distribution change, so the configuration is applied, planned and destroyed once, and the test runs side by
side with test_terraform_lambda.py's (side_by_side.py): both are mostly the provider's sleeps.
"""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

import side_by_side
from conftest import make_client
from serving import RunningServer

HERE = pathlib.Path(__file__).parent / "terraform"
MIRRORS = ("/opt/tf-plugins", "/usr/local/share/tf-plugins", "/usr/share/tf-plugins")
PROVIDER = "registry.terraform.io/hashicorp/aws/5.100.0"


def _mirror() -> pathlib.Path | None:
    for place in filter(None, (os.environ.get("CLOUDFRONT_LOCAL_TF_PLUGINS"), *MIRRORS)):
        if (pathlib.Path(place) / PROVIDER).is_dir():
            return pathlib.Path(place)
    return None


def _terraform(workdir: pathlib.Path, env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    flags = ["-no-color"] if args[0] == "show" else ["-input=false", "-no-color"]
    result = subprocess.run(["terraform", *args, *flags], cwd=workdir, env=env,
                            capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"terraform {args[0]} failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
                             f"{result.stderr[-4000:]}")
    return result


@pytest.fixture(scope="module")
def terraform_env(tmp_path_factory):
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on the PATH (the project's machines have Terraform 1.11)")
    mirror = _mirror()
    if mirror is None:
        pytest.skip(f"the AWS provider 5.100 is in no filesystem mirror ({', '.join(MIRRORS)}; or set "
                    "CLOUDFRONT_LOCAL_TF_PLUGINS)")
    home = tmp_path_factory.mktemp("terraform-home")
    cli_config = home / "terraform.rc"
    cli_config.write_text(
        'provider_installation {\n'
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }}\n'
        '  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }\n}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1", "TF_PLUGIN_CACHE_DIR": "", "HOME": str(home)}
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFRONT", "TF_PLUGIN_CACHE_DIR"):
        env.pop(name, None)
    return env


def _leftovers(client) -> dict:
    custom = {"Type": "custom"}
    found = {
        "distributions": client.list_distributions()["DistributionList"].get("Items", []),
        "cache policies": client.list_cache_policies(**custom)["CachePolicyList"].get("Items", []),
        "origin request policies": client.list_origin_request_policies(**custom)["OriginRequestPolicyList"]
        .get("Items", []),
        "response headers policies": client.list_response_headers_policies(**custom)["ResponseHeadersPolicyList"]
        .get("Items", []),
        "origin access controls": client.list_origin_access_controls()["OriginAccessControlList"].get("Items", []),
        "origin access identities": client.list_cloud_front_origin_access_identities()
        ["CloudFrontOriginAccessIdentityList"].get("Items", []),
        "public keys": client.list_public_keys()["PublicKeyList"].get("Items", []),
        "key groups": client.list_key_groups()["KeyGroupList"].get("Items", []),
        "field-level encryption configs": client.list_field_level_encryption_configs()["FieldLevelEncryptionList"]
        .get("Items", []),
        "field-level encryption profiles": client.list_field_level_encryption_profiles()
        ["FieldLevelEncryptionProfileList"].get("Items", []),
        "real-time log configs": client.list_realtime_log_configs()["RealtimeLogConfigs"].get("Items", []),
        "VPC origins": client.list_vpc_origins()["VpcOriginList"].get("Items", []),
        "continuous deployment policies": client.list_continuous_deployment_policies()
        ["ContinuousDeploymentPolicyList"].get("Items", []),
        "functions": client.list_functions()["FunctionList"].get("Items", []),
        "key value stores": client.list_key_value_stores()["KeyValueStoreList"].get("Items", []),
    }
    return {kind: items for kind, items in found.items() if items}


def _apply_plan_destroy(terraform_env: dict, scratch: pathlib.Path) -> None:
    workdir = scratch / "config"
    shutil.copytree(HERE, workdir)
    with RunningServer() as server:
        client = make_client(server.url, "123456789012")
        variables = ["-var", f"endpoint={server.url}"]
        _terraform(workdir, terraform_env, "init")
        _terraform(workdir, terraform_env, "apply", "-auto-approve", *variables)
        state = json.loads(_terraform(workdir, terraform_env, "show", "-json").stdout)
        resources = {r["address"]: r["values"] for r in state["values"]["root_module"]["resources"]}
        assert resources["data.aws_cloudfront_cache_policy.optimized"]["id"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"
        assert resources["data.aws_cloudfront_cache_policy.app"]["name"] == "app-cache"
        # Provider 5.100's aws_cloudfront_origin_access_identities pages through ListCloudFrontOriginAccessIdentities
        # but never keeps what it reads (its read function appends each page to `comments`), so `ids` stays
        # empty whatever the API answers; the read itself must still succeed.
        assert "data.aws_cloudfront_origin_access_identities.all" in resources
        assert resources["data.aws_cloudfront_origin_access_identity.legacy"]["s3_canonical_user_id"] == \
            resources["aws_cloudfront_origin_access_identity.legacy"]["s3_canonical_user_id"]
        assert resources["aws_cloudfront_distribution.staging"]["staging"] is True
        function = client.describe_function(Name="rewrite-index", Stage="LIVE")["FunctionSummary"]
        assert function["Status"] == "DEPLOYED"
        assert resources["aws_cloudfront_function.rewrite"]["live_stage_etag"]
        primary = client.get_distribution_config(Id=resources["aws_cloudfront_distribution.app"]["id"])
        assert primary["DistributionConfig"]["ContinuousDeploymentPolicyId"] == \
            resources["aws_cloudfront_continuous_deployment_policy.app"]["id"]
        assert not _leftovers(make_client(server.url, "210987654321"))  # another account sees none of it
        # An OAC origin reads back with an empty OriginAccessIdentity, an OAI origin with its path, as AWS answers
        # (API Reference, S3OriginConfig); the provider sends S3OriginConfig for both (expandOrigin).
        origins = {origin["Id"]: origin for origin in primary["DistributionConfig"]["Origins"]["Items"]}
        assert origins["bucket"]["OriginAccessControlId"] == \
            resources["aws_cloudfront_origin_access_control.bucket"]["id"]
        assert origins["bucket"]["S3OriginConfig"]["OriginAccessIdentity"] == ""
        assert origins["legacy"]["S3OriginConfig"]["OriginAccessIdentity"] == \
            resources["aws_cloudfront_origin_access_identity.legacy"]["cloudfront_access_identity_path"]
        plan = _terraform(workdir, terraform_env, "plan", "-detailed-exitcode", *variables, check=False)
        assert plan.returncode == 0, f"the second plan wants changes:\n{plan.stdout[-6000:]}\n{plan.stderr[-2000:]}"
        _plan_changes_only_the_empty_s3_origin_config(workdir, terraform_env, variables)
        _terraform(workdir, terraform_env, "destroy", "-auto-approve", *variables)
        assert _leftovers(client) == {}
        assert not [line for line in server.lines if "internal error" in line]


@side_by_side.body(_apply_plan_destroy)
def test_apply_plan_destroy(terraform_env, tmp_path_factory, request):
    side_by_side.outcome(request, terraform_env, tmp_path_factory)


def _normalised(origins: list[dict]) -> dict[str, dict]:
    # The plan's `after` holds null where the configuration leaves an attribute out and the state holds "";
    # the provider's SDK treats the two alike.
    return {origin["origin_id"]: {name: "" if value is None else value for name, value in origin.items()}
            for origin in origins}


def _plan_changes_only_the_empty_s3_origin_config(workdir: pathlib.Path, env: dict, variables: list[str]) -> None:
    """The same configuration with the OAC origin written `s3_origin_config { origin_access_identity = "" }`
    plans one change: that block, which provider 5.100 never reads back (flattenOrigin keeps s3_origin_config
    only when OriginAccessIdentity is not empty), so it plans it against AWS as well. Everything the server
    answered matches the configuration; only the block the provider drops differs."""
    plan = _terraform(workdir, env, "plan", "-detailed-exitcode", "-out", "empty-block.tfplan", *variables,
                      "-var", "oac_empty_s3_origin_config=true", check=False)
    assert plan.returncode == 2, f"expected the provider's own change to `origin`:\n{plan.stdout[-4000:]}"
    shown = json.loads(_terraform(workdir, env, "show", "-json", "empty-block.tfplan").stdout)
    # data.aws_cloudfront_distribution.app reads the distribution, so a planned change defers that read.
    changed = [c for c in shown["resource_changes"] if c["mode"] == "managed" and c["change"]["actions"] != ["no-op"]]
    assert [(c["address"], c["change"]["actions"]) for c in changed] == \
        [("aws_cloudfront_distribution.app", ["update"])]
    before, after = changed[0]["change"]["before"], changed[0]["change"]["after"]
    assert sorted(name for name in before if before[name] != after.get(name)) == ["origin"]
    before_origins, after_origins = _normalised(before["origin"]), _normalised(after["origin"])
    assert before_origins.keys() == after_origins.keys()
    assert [key for key in before_origins if before_origins[key] != after_origins[key]] == ["bucket"]
    bucket_before, bucket_after = before_origins["bucket"], after_origins["bucket"]
    assert bucket_before.pop("s3_origin_config") == [] and bucket_after.pop("s3_origin_config") == [
        {"origin_access_identity": ""}]
    assert bucket_before == bucket_after
