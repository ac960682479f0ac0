"""mock_cloudfront answers boto3's `lambda` clients in-process, with the state CloudFront's side reads versions
from (code.version_for_arn), and leaves them to another mock when told to."""
import base64

import boto3
import botocore.config
import botocore.exceptions
import pytest

from builders import direct_config
from cloudfront_local import mock_cloudfront
from cloudfront_local.service.lambda_functions import code
from lambda_zips import ROLE, node

ACCOUNT = "123456789012"


def _create(client, name="edge", **extra):
    return client.create_function(FunctionName=name, Runtime="nodejs22.x", Role=ROLE, Handler="index.handler",
                                  Code={"ZipFile": node()}, **extra)


def test_lambda_clients_are_answered_in_process():
    with mock_cloudfront() as mock:
        client = boto3.client("lambda", region_name="us-east-1")
        version = _create(client, Publish=True)
        assert version["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:edge:1"
        with mock.application.store.transaction() as tx:
            found = code.version_for_arn(tx, version["FunctionArn"])
            assert found["Version"] == "1" and found["Region"] == "us-east-1"
            assert base64.b64decode(found["Code"]) == node()
            assert (found["Runtime"], found["Handler"], found["CodeSha256"]) == \
                ("nodejs22.x", "index.handler", version["CodeSha256"])
            for other in (version["FunctionArn"][:-2], version["FunctionArn"][:-1] + "$LATEST",
                          version["FunctionArn"][:-1] + "2", version["FunctionArn"].replace("us-east-1", "eu-west-1"),
                          version["FunctionArn"].replace(ACCOUNT, "210987654321"), "not an arn", None):
                assert code.version_for_arn(tx, other) is None, other


def _associate(arn: str) -> None:
    """A distribution whose default behavior runs the version on viewer requests."""
    config = direct_config()
    config["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {
        "Quantity": 1, "Items": [{"LambdaFunctionARN": arn, "EventType": "viewer-request"}]}
    boto3.client("cloudfront", region_name="us-east-1").create_distribution(DistributionConfig=config)


def test_a_version_a_distribution_uses_cannot_be_deleted():
    with mock_cloudfront():
        client = boto3.client("lambda", region_name="us-east-1")
        arn = _create(client, Publish=True)["FunctionArn"]
        _associate(arn)
        for params in ({"FunctionName": "edge"}, {"FunctionName": "edge", "Qualifier": "1"}):
            with pytest.raises(botocore.exceptions.ClientError) as raised:
                client.delete_function(**params)
            error = raised.value.response["Error"]
            assert error["Code"] == "InvalidParameterValueException"
            assert error["Message"] == (f"Lambda was unable to delete {arn} because it is a replicated function. "
                                        "Please see our documentation for Deleting Lambda@Edge Functions and Replicas.")
        assert client.get_function(FunctionName="edge", Qualifier="1")["Configuration"]["Version"] == "1"


def test_a_second_version_goes_while_the_first_is_used():
    with mock_cloudfront():
        client = boto3.client("lambda", region_name="us-east-1")
        _create(client, Publish=True)
        client.update_function_code(FunctionName="edge", ZipFile=node("// 2\nexports.handler = 0;"), Publish=True)
        _associate(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:edge:1")
        client.delete_function(FunctionName="edge", Qualifier="2")
        assert [v["Version"] for v in client.list_versions_by_function(FunctionName="edge")["Versions"]] == \
            ["$LATEST", "1"]


def _unreachable_lambda():
    # A port nothing listens on: only an in-process answer can reach the client.
    return boto3.client("lambda", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                        config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2))


def test_lambda_api_false_leaves_lambda_clients_to_another_mock():
    with mock_cloudfront():
        assert _unreachable_lambda().list_functions()["Functions"] == []
    with mock_cloudfront(lambda_api=False):
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            _unreachable_lambda().list_functions()  # left to the network, where moto's mock would answer
        # CloudFront's clients are still answered in-process.
        assert boto3.client("cloudfront").list_distributions()["DistributionList"]["Quantity"] == 0


@mock_cloudfront(lambda_api=False)
def test_the_switch_holds_for_the_decorator_too():
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        _unreachable_lambda().list_functions()
