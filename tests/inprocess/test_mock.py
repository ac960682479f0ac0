"""cloudfront-local in-process: `mock_cloudfront` and the `cloudfront_local` pytest fixture.

No server runs here, and the environment holds no AWS credentials (see the autouse fixture below).
"""
import asyncio
import os
import unittest

import boto3
import botocore.config
import botocore.exceptions
import pytest

from cloudfront_local import mock_cloudfront

CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch, tmp_path):
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_context_manager_answers_clients_made_before_and_inside():
    before = boto3.client("cloudfront")
    with mock_cloudfront():
        inside = boto3.client("cloudfront")
        group = inside.create_connection_group(Name="in-process")["ConnectionGroup"]
        assert group["Arn"].startswith("arn:aws:cloudfront::123456789012:connection-group/cg_")
        assert before.get_connection_group(Identifier="in-process")["ConnectionGroup"]["Id"] == group["Id"]
        with pytest.raises(inside.exceptions.EntityAlreadyExists):
            inside.create_connection_group(Name="in-process")


def test_fake_credentials_only_while_active():
    with mock_cloudfront():
        assert os.environ["AWS_ACCESS_KEY_ID"]
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ


def test_existing_credentials_are_left_alone(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "210987654321")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")
    with mock_cloudfront():
        group = boto3.client("cloudfront").create_connection_group(Name="mine")["ConnectionGroup"]
        assert ":210987654321:" in group["Arn"]  # a 12-digit key id is the account, as with the server
    assert os.environ["AWS_ACCESS_KEY_ID"] == "210987654321"


def test_every_activation_starts_empty():
    for _ in range(2):
        with mock_cloudfront():
            client = boto3.client("cloudfront")
            assert client.list_connection_groups()["ConnectionGroups"] == []
            client.create_connection_group(Name="again")


def test_after_the_mock_clients_go_to_the_network_again():
    with mock_cloudfront():
        pass
    client = boto3.client("cloudfront", endpoint_url="http://127.0.0.1:9",
                          config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1),
                          aws_access_key_id="k", aws_secret_access_key="s")
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        client.list_connection_groups()


def test_other_services_are_untouched():
    with mock_cloudfront():
        s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:9",
                          config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1))
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            s3.list_buckets()


def test_settings_are_the_servers(monkeypatch):
    with mock_cloudfront(deploy_delay=3600, default_account="444455556666", connection_group_quota=1):
        client = boto3.client("cloudfront")
        group = client.create_connection_group(Name="slow")["ConnectionGroup"]
        assert ":444455556666:" in group["Arn"]  # the fake key is not 12 digits: the default account
        assert client.get_connection_group(Identifier="slow")["ConnectionGroup"]["Status"] == "InProgress"
        with pytest.raises(client.exceptions.EntityLimitExceeded):
            client.create_connection_group(Name="second")


def test_state_file(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with mock_cloudfront(state=state):
        boto3.client("cloudfront").create_connection_group(Name="kept")
    with mock_cloudfront(state=state):
        assert boto3.client("cloudfront").get_connection_group(Identifier="kept")["ConnectionGroup"]["Name"] == "kept"


@mock_cloudfront
def test_bare_decorator():
    assert boto3.client("cloudfront").create_connection_group(Name="decorated")["ConnectionGroup"]["Name"]


@mock_cloudfront(deploy_delay=3600)
def test_decorator_with_settings():
    client = boto3.client("cloudfront")
    client.create_connection_group(Name="pending")
    assert client.get_connection_group(Identifier="pending")["ConnectionGroup"]["Status"] == "InProgress"


def test_decorated_coroutine():
    @mock_cloudfront
    async def work():
        return boto3.client("cloudfront").create_connection_group(Name="async")["ConnectionGroup"]["Name"]

    assert asyncio.run(work()) == "async"


@mock_cloudfront
class TestPlainClass:
    def test_one(self):
        boto3.client("cloudfront").create_connection_group(Name="same-name")

    def test_two_has_its_own_state(self):
        boto3.client("cloudfront").create_connection_group(Name="same-name")


@mock_cloudfront
class UnittestCase(unittest.TestCase):
    def setUp(self):
        self.client = boto3.client("cloudfront")
        self.group = self.client.create_connection_group(Name="from-setup")["ConnectionGroup"]

    def test_setup_and_test_share_one_state(self):
        self.assertEqual(self.client.get_connection_group(Identifier="from-setup")["ConnectionGroup"]["Id"],
                         self.group["Id"])


def test_fixture(cloudfront_local):
    created = cloudfront_local.create_connection_group(Name="fixture")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert cloudfront_local.list_connection_groups()["ConnectionGroups"][0]["Name"] == "fixture"


def test_fixture_state_is_per_test(cloudfront_local):
    assert cloudfront_local.list_connection_groups()["ConnectionGroups"] == []


def test_decorated_classes_are_collected_and_run():
    assert isinstance(TestPlainClass, type) and isinstance(UnittestCase, type)
    result = unittest.TextTestRunner(stream=open(os.devnull, "w")).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(UnittestCase))
    assert result.testsRun == 1 and result.wasSuccessful()


def test_a_failing_setup_leaves_no_mock_behind():
    import botocore.endpoint

    original = botocore.endpoint.Endpoint._send

    @mock_cloudfront
    class Broken(unittest.TestCase):
        def setUp(self):
            raise RuntimeError("setUp fails")

        def test_never_runs(self):
            pass

    unittest.TextTestRunner(stream=open(os.devnull, "w")).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Broken))
    assert botocore.endpoint.Endpoint._send is original
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_mocks_stopped_out_of_order_restore_everything():
    import botocore.endpoint

    original = botocore.endpoint.Endpoint._send
    first, second = mock_cloudfront().start(), mock_cloudfront().start()
    first.stop()
    assert botocore.endpoint.Endpoint._send is not original  # the second is still active
    second.stop()
    assert botocore.endpoint.Endpoint._send is original
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_the_key_value_store_client_needs_no_setting_in_process():
    import json

    with mock_cloudfront():
        cloudfront = boto3.client("cloudfront")
        kvs = boto3.client("cloudfront-keyvaluestore")  # no endpoint, no proxy: answered in process
        store = cloudfront.create_key_value_store(Name="hosts")["KeyValueStore"]
        etag = kvs.describe_key_value_store(KvsARN=store["ARN"])["ETag"]
        kvs.put_key(KvsARN=store["ARN"], Key="www.example.com", Value="/site-a", IfMatch=etag)
        code = b"""import cf from 'cloudfront';
async function handler(event) {
    const request = event.request;
    request.uri = (await cf.kvs().get(request.headers.host.value)) + request.uri;
    return request;
}"""
        made = cloudfront.create_function(Name="by-host", FunctionCode=code, FunctionConfig={
            "Comment": "", "Runtime": "cloudfront-js-2.0",
            "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": store["ARN"]}]}})
        event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "198.51.100.1"},
                 "request": {"method": "GET", "uri": "/index.html", "querystring": {},
                             "headers": {"host": {"value": "www.example.com"}}, "cookies": {}}}
        result = cloudfront.test_function(Name="by-host", IfMatch=made["ETag"],
                                          EventObject=json.dumps(event).encode())["TestResult"]
        assert json.loads(result["FunctionOutput"])["request"]["uri"] == "/site-a/index.html"


def test_the_simulated_dns_zone_is_a_python_call_in_process():
    with mock_cloudfront() as mock:
        cloudfront = boto3.client("cloudfront")
        group = cloudfront.create_connection_group(Name="zone")["ConnectionGroup"]
        multi = cloudfront.create_distribution(DistributionConfig={
            "CallerReference": "zone", "Comment": "", "Enabled": True, "ConnectionMode": "tenant-only",
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "o.example.com", "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only",
                                     "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})["Distribution"]
        tenant = cloudfront.create_distribution_tenant(DistributionId=multi["Id"], Name="zone",
                                                       Domains=[{"Domain": "zone.example.com"}],
                                                       ConnectionGroupId=group["Id"])["DistributionTenant"]
        mock.add_dns_record("zone.example.com", "CNAME", group["RoutingEndpoint"])
        assert mock.dns_records() == [{"name": "zone.example.com", "type": "CNAME", "value": group["RoutingEndpoint"]}]
        status = cloudfront.verify_dns_configuration(Identifier=tenant["Id"])["DnsConfigurationList"][0]["Status"]
        assert status == "valid-configuration"
        assert mock.remove_dns_records("zone.example.com") is True and mock.dns_records() == []
