"""Trust stores read their CA bundle from the S3 endpoint given with --s3-endpoint (refused clearly
without one), count its certificates and are named by distributions' viewer mTLS; resource policies attach
a JSON document to a resource of the account."""
import json

import pytest
from builders import direct_config
from certificates import certificate
from conftest import fails, make_client
from s3_stand_in import S3StandIn
from serving import RunningServer



@pytest.fixture(scope="module")
def s3():
    stand_in = S3StandIn({"bundles/two.pem": certificate("Root A", True) + certificate("Root B", True),
                          "bundles/one.pem": certificate("Root C", True),
                          "bundles/leaf.pem": certificate("leaf", False),
                          "bundles/junk.pem": b"not a certificate"})
    yield stand_in
    stand_in.close()


@pytest.fixture(scope="module")
def s3_server(s3):
    with RunningServer("--s3-endpoint", s3.url) as running:
        yield running


def _source(key: str) -> dict:
    return {"CaCertificatesBundleS3Location": {"Bucket": "bundles", "Key": key, "Region": "us-east-1"}}


def test_trust_store_lifecycle(s3_server):
    client = make_client(s3_server.url, "123456789012")
    made = client.create_trust_store(Name="clients", CaCertificatesBundleSource=_source("two.pem"),
                                     Tags={"Items": [{"Key": "team", "Value": "edge"}]})
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    store = made["TrustStore"]
    assert store["NumberOfCaCertificates"] == 2 and store["Name"] == "clients"
    assert store["Arn"] == f"arn:aws:cloudfront::123456789012:trust-store/{store['Id']}"
    assert client.get_trust_store(Identifier=store["Id"])["TrustStore"]["Id"] == store["Id"]
    assert client.get_trust_store(Identifier="clients")["TrustStore"]["Id"] == store["Id"]
    fails(client.create_trust_store, "EntityAlreadyExists", Name="clients", CaCertificatesBundleSource=_source("one.pem"))
    for key in ("leaf.pem", "junk.pem", "missing.pem"):
        fails(client.create_trust_store, "InvalidArgument", Name="bad", CaCertificatesBundleSource=_source(key))
    updated = client.update_trust_store(Id=store["Id"], IfMatch=made["ETag"], CaCertificatesBundleSource=_source("one.pem"))
    assert updated["TrustStore"]["NumberOfCaCertificates"] == 1
    config = direct_config(ViewerMtlsConfig={"Mode": "required", "TrustStoreConfig": {"TrustStoreId": store["Id"]}})
    distribution = client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    listed = client.list_distributions_by_trust_store(TrustStoreIdentifier=store["Id"])["DistributionList"]
    assert [item["Id"] for item in listed["Items"]] == [distribution]
    fails(client.delete_trust_store, "CannotDeleteEntityWhileInUse", Id=store["Id"], IfMatch=updated["ETag"])
    assert [s["Id"] for s in client.list_trust_stores()["TrustStoreList"]] == [store["Id"]]
    missing = direct_config(ViewerMtlsConfig={"Mode": "required", "TrustStoreConfig": {"TrustStoreId": "ts_nope"}})
    fails(client.create_distribution, "EntityNotFound", DistributionConfig=missing)


def test_trust_store_paginator(s3_server):
    client = make_client(s3_server.url, "222233334444")
    made = [client.create_trust_store(Name=f"paged-{n}", CaCertificatesBundleSource=_source("one.pem"))
            ["TrustStore"]["Id"] for n in range(3)]
    pages = client.get_paginator("list_trust_stores").paginate(PaginationConfig={"PageSize": 1})
    assert [store["Id"] for page in pages for store in page["TrustStoreList"]] == made


def test_without_an_s3_endpoint_a_bundle_is_refused_clearly(client):
    message = fails(client.create_trust_store, "InvalidArgument", Name="no-s3",
                    CaCertificatesBundleSource=_source("two.pem"))
    assert "--s3-endpoint" in message


def test_resource_policies(client, stranger):
    made = client.create_distribution(DistributionConfig=direct_config())["Distribution"]
    arn = made["ARN"]
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                                   "Action": "cloudfront:GetDistribution"}]})
    fails(client.get_resource_policy, "EntityNotFound", ResourceArn=arn)
    assert client.put_resource_policy(ResourceArn=arn, PolicyDocument=document)["ResourceArn"] == arn
    assert client.get_resource_policy(ResourceArn=arn)["PolicyDocument"] == document
    fails(client.put_resource_policy, "InvalidArgument", ResourceArn=arn, PolicyDocument="{not json")
    fails(stranger.get_resource_policy, "EntityNotFound", ResourceArn=arn)
    client.delete_resource_policy(ResourceArn=arn)
    fails(client.get_resource_policy, "EntityNotFound", ResourceArn=arn)
    fails(client.put_resource_policy, "EntityNotFound", ResourceArn=arn.replace(made["Id"], "ENOSUCH"),
          PolicyDocument=document)


def test_distributions_by_owned_resource(client, account):
    origin = client.create_vpc_origin(VpcOriginEndpointConfig={
        "Name": "owned", "Arn": "arn:aws:ec2:us-east-1:123456789012:instance/i-2", "HTTPPort": 80,
        "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"})["VpcOrigin"]
    config = direct_config()
    config["Origins"]["Items"][0] = {"Id": "origin", "DomainName": "internal.example",
                                     "VpcOriginConfig": {"VpcOriginId": origin["Id"]}}
    distribution = client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    listed = client.list_distributions_by_owned_resource(ResourceArn=origin["Arn"])["DistributionList"]
    assert listed["Items"] == [{"DistributionId": distribution, "OwnerAccountId": account}]
