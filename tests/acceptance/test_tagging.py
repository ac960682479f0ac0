"""TagResource / UntagResource / ListTagsForResource on connection-group ARNs, through boto3."""
import botocore.exceptions
import pytest



@pytest.fixture
def group(client):
    return client.create_connection_group(Name="tagged", Tags={"Items": [{"Key": "a", "Value": "1"}]})["ConnectionGroup"]


def test_tag_untag_list_and_get_agree(client, group):
    arn = group["Arn"]
    assert client.tag_resource(Resource=arn, Tags={"Items": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "9"}]}
                               )["ResponseMetadata"]["HTTPStatusCode"] == 204
    tags = client.list_tags_for_resource(Resource=arn)["Tags"]["Items"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "9"), ("b", "2")]
    assert client.untag_resource(Resource=arn, TagKeys={"Items": ["a", "never-there"]}
                                 )["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [{"Key": "b", "Value": "2"}]
    assert client.get_connection_group(Identifier=group["Id"])["ConnectionGroup"]["Tags"]["Items"] == [
        {"Key": "b", "Value": "2"}]


def test_tagging_does_not_change_the_etag(client, group):
    before = client.get_connection_group(Identifier=group["Id"])["ETag"]
    client.tag_resource(Resource=group["Arn"], Tags={"Items": [{"Key": "c", "Value": "3"}]})
    assert client.get_connection_group(Identifier=group["Id"])["ETag"] == before


def test_unknown_arn_is_no_such_resource(client, account):
    for arn in (f"arn:aws:cloudfront::{account}:connection-group/cg_000000000000000000000000000",
                f"arn:aws:cloudfront::{account}:widget/xyz"):
        with pytest.raises(client.exceptions.NoSuchResource) as excinfo:
            client.list_tags_for_resource(Resource=arn)
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        with pytest.raises(client.exceptions.NoSuchResource):
            client.tag_resource(Resource=arn, Tags={"Items": [{"Key": "k", "Value": "v"}]})
        with pytest.raises(client.exceptions.NoSuchResource):
            client.untag_resource(Resource=arn, TagKeys={"Items": ["k"]})


def test_another_accounts_arn_is_no_such_resource(stranger, group):
    with pytest.raises(stranger.exceptions.NoSuchResource):
        stranger.list_tags_for_resource(Resource=group["Arn"])


@pytest.mark.parametrize("arn", ["not-an-arn", "arn:aws:s3:::bucket", "arn:aws:cloudfront::abc:connection-group/x",
                                 "arn:aws:cloudfront::123456789012:connection-group"])
def test_malformed_arn_is_invalid_argument(client, arn):
    with pytest.raises(client.exceptions.InvalidArgument) as excinfo:
        client.list_tags_for_resource(Resource=arn)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_tag_limit_counts_existing_tags(client, group):
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(49)]
    client.tag_resource(Resource=group["Arn"], Tags={"Items": many})  # 1 existing + 49 = 50
    with pytest.raises(client.exceptions.InvalidTagging) as excinfo:
        client.tag_resource(Resource=group["Arn"], Tags={"Items": [{"Key": "one-more", "Value": "v"}]})
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Overwriting an existing key adds nothing, so it is still allowed.
    client.tag_resource(Resource=group["Arn"], Tags={"Items": [{"Key": "k0", "Value": "new"}]})


def test_invalid_tag_is_invalid_tagging(client, group):
    with pytest.raises(client.exceptions.InvalidTagging):
        client.tag_resource(Resource=group["Arn"], Tags={"Items": [{"Key": "bad#key", "Value": "v"}]})


def test_deleted_resource_has_no_tags(client):
    created = client.create_connection_group(Name="short-lived", Enabled=False)
    group = created["ConnectionGroup"]
    client.delete_connection_group(Id=group["Id"], IfMatch=created["ETag"])
    with pytest.raises(client.exceptions.NoSuchResource):
        client.list_tags_for_resource(Resource=group["Arn"])


def test_missing_resource_parameter_is_invalid_argument(raw_client):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        raw_client.list_tags_for_resource()
    assert excinfo.value.response["Error"]["Code"] == "InvalidArgument"
