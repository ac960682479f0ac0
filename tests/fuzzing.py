"""A fuzzer whose mutations reach every byte of a request, for the hostile-input tests.

Seeds are real requests: boto3 calls every implemented operation validly through `mock_cloudfront`, and
the requests its serializer and signer put on the wire are recorded (`record_corpus`). Each fuzz case
takes one seed and applies one to three mutations, each aimed at one region of the request:

    method, path, query, header          the request line and any header, known or new
    prolog, tag, attribute, text,        the XML body: its declaration (encodings, BOMs, standalone, junk,
    entity, encoding, bytes              processing instructions, comments), element names and prefixes,
                                         attributes and namespaces, text, entities and character
                                         references, the whole document re-encoded, raw bytes
    params                               the seed's parameters changed, then serialized by botocore again
    auth                                 (with credentials) the signature's fields, dates and form

With credentials, a mutated request is signed again with botocore's SigV4 most of the time, so that it
passes authentication and reaches the parser; `auth` mutations then break the signature itself.
"""
from __future__ import annotations

import json
import random
import re
import time
import urllib.parse
from dataclasses import dataclass, field, replace

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

from builders import direct_config, multi_tenant_config
from certificates import certificate, public_key_pem
from cloudfront_local.protocol import RestJsonCodec, RestXmlCodec, load_service_model
from samples import botocore_request

REGIONS = ("method", "path", "query", "header", "prolog", "tag", "attribute", "text", "entity", "encoding",
           "bytes", "params")
AUTH_REGION = "auth"


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    operation: str = ""
    params: dict = field(default_factory=dict)
    service: str = "cloudfront"   # or "cloudfront-keyvaluestore", the KeyValueStore data plane, or "lambda"


# --- recording real requests ------------------------------------------------------------------------------

class _Body:
    """The raw stream botocore reads a response body from."""

    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_kwargs):
        if self._data:
            yield self._data


def record_corpus(key_id: str, secret: str, *, app=None,
                  endpoint_url: str = "http://127.0.0.1:4599") -> list[Request]:
    """Every implemented operation called validly by boto3; returns the requests exactly as botocore
    serialized and signed them. With `app`, botocore's before-send event hands each request to
    `app.handle` (no socket); without, the requests go to `endpoint_url` over HTTP."""
    recorded: list[Request] = []

    def send(request, **_kwargs):
        url = urllib.parse.urlsplit(request.url)
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else bytes(body if isinstance(body, (bytes, bytearray))
                                                                  else body.read())
        headers = {k.lower(): (v.decode("latin-1") if isinstance(v, bytes) else v)
                   for k, v in request.headers.items()}
        headers.setdefault("host", url.netloc)
        recorded.append(Request(request.method, url.path, url.query, headers, body))
        if app is None:
            return None
        answer = app.handle(request.method, url.path, url.query, dict(headers), body)
        return botocore.awsrequest.AWSResponse(request.url, answer.status, answer.headers, _Body(answer.body))

    client = boto3.client("cloudfront", endpoint_url=endpoint_url, region_name="us-east-1",
                          aws_access_key_id=key_id, aws_secret_access_key=secret,
                          config=botocore.config.Config(retries={"max_attempts": 1}))
    client.meta.events.register("before-send", send)
    # boto3's KeyValueStore client, sent where the README says (the emulator as its proxy), signing with SigV4A.
    kvs = boto3.client("cloudfront-keyvaluestore", endpoint_url=endpoint_url, region_name="us-east-1",
                       aws_access_key_id=key_id, aws_secret_access_key=secret,
                       config=botocore.config.Config(retries={"max_attempts": 1}, proxies={"http": endpoint_url}))
    kvs.meta.events.register("before-send", send)
    functions = boto3.client("lambda", endpoint_url=endpoint_url, region_name="us-east-1",
                             aws_access_key_id=key_id, aws_secret_access_key=secret,
                             config=botocore.config.Config(retries={"max_attempts": 1}))
    functions.meta.events.register("before-send", send)
    _scenario(client)
    _scenario_key_values(client, kvs)
    _scenario_lambda(functions)
    codecs = {"cloudfront": RestXmlCodec(load_service_model("cloudfront")),
              KVS: RestJsonCodec(load_service_model(KVS)), LAMBDA: RestJsonCodec(load_service_model(LAMBDA))}
    for request in recorded:
        request.service = (KVS if request.path.startswith("/key-value-stores/") else
                           "cloudfront" if request.path.startswith("/2020-05-31/") else LAMBDA)
        operation, params = codecs[request.service].decode(request.method, request.path, request.query,
                                                           request.headers, request.body)
        request.operation, request.params = operation.name, params
    return recorded


KVS = "cloudfront-keyvaluestore"
LAMBDA = "lambda"


def _zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _scenario_lambda(functions) -> None:
    """Every operation of Lambda's API that is served, on functions of their own; mutants of the zip in
    CreateFunction and UpdateFunctionCode's bodies are hostile packages."""
    role = "arn:aws:iam::123456789012:role/edge"
    code = _zip({"index.js": "exports.handler = async (e) => e.Records[0].cf.request;\n"})
    arn = functions.create_function(FunctionName="fuzz-edge", Runtime="nodejs20.x", Role=role, Handler="index.handler",
                                    Code={"ZipFile": code}, Publish=True, Tags={"team": "edge"},
                                    Environment={"Variables": {"STAGE": "fuzz"}})["FunctionArn"][:-2]
    functions.create_function(FunctionName="fuzz-py", Runtime="python3.12", Role=role, Handler="app.handler",
                              Code={"ZipFile": _zip({"app.py": "def handler(e, c):\n    return e\n"})})
    functions.get_function(FunctionName="fuzz-edge", Qualifier="1")
    functions.get_function_configuration(FunctionName=arn)
    functions.update_function_code(FunctionName="fuzz-edge", ZipFile=_zip({"index.mjs": "export const handler = "
                                                                                       "async () => ({});\n"}),
                                   Publish=True)
    latest = functions.update_function_configuration(FunctionName="fuzz-edge", Handler="index.handler", Timeout=5)
    functions.publish_version(FunctionName="fuzz-edge", Description="v3", RevisionId=latest["RevisionId"])
    functions.list_functions(MaxItems=1, FunctionVersion="ALL")
    functions.list_versions_by_function(FunctionName="fuzz-edge", MaxItems=2)
    functions.add_permission(FunctionName="fuzz-edge", StatementId="replicator", Action="lambda:GetFunction",
                             Principal="replicator.lambda.amazonaws.com", Qualifier="1")
    functions.add_permission(FunctionName="fuzz-edge", StatementId="edge", Action="lambda:InvokeFunction",
                             Principal="edgelambda.amazonaws.com", SourceArn="arn:aws:cloudfront::123456789012:distribution/E1")
    functions.get_policy(FunctionName="fuzz-edge", Qualifier="1")
    functions.remove_permission(FunctionName="fuzz-edge", StatementId="edge")
    functions.tag_resource(Resource=arn, Tags={"stage": "fuzz"})
    functions.list_tags(Resource=arn)
    functions.untag_resource(Resource=arn, TagKeys=["team"])
    functions.get_function_code_signing_config(FunctionName="fuzz-edge")
    functions.get_function_concurrency(FunctionName="fuzz-edge")
    functions.get_runtime_management_config(FunctionName="fuzz-edge")
    functions.get_function_recursion_config(FunctionName="fuzz-edge")
    functions.list_aliases(FunctionName="fuzz-edge")
    functions.list_function_url_configs(FunctionName="fuzz-edge")
    functions.list_function_event_invoke_configs(FunctionName="fuzz-edge")
    functions.list_provisioned_concurrency_configs(FunctionName="fuzz-edge")
    for call, params in ((functions.get_alias, {"Name": "live"}), (functions.get_function_url_config, {}),
                         (functions.get_function_event_invoke_config, {}),
                         (functions.get_provisioned_concurrency_config, {"Qualifier": "1"})):
        _recorded_even_if_refused(call, FunctionName="fuzz-edge", **params)
    functions.delete_function(FunctionName="fuzz-edge", Qualifier="2")
    functions.create_function(FunctionName="fuzz-gone", Runtime="nodejs22.x", Role=role, Handler="index.handler",
                              Code={"ZipFile": code})
    functions.delete_function(FunctionName="fuzz-gone")


def _scenario_key_values(cf, kvs) -> None:
    """Every operation of the KeyValueStore data plane, on a store of its own."""
    arn = cf.create_key_value_store(Name="fuzz-keys")["KeyValueStore"]["ARN"]
    etag = kvs.describe_key_value_store(KvsARN=arn)["ETag"]
    etag = kvs.put_key(KvsARN=arn, Key="www.example.com", Value="tenant-a", IfMatch=etag)["ETag"]
    kvs.get_key(KvsARN=arn, Key="www.example.com")
    etag = kvs.update_keys(KvsARN=arn, IfMatch=etag, Puts=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v"}],
                           Deletes=[{"Key": "www.example.com"}])["ETag"]
    kvs.list_keys(KvsARN=arn, MaxResults=1)
    kvs.delete_key(KvsARN=arn, Key="k1", IfMatch=etag)


def _scenario(cf) -> None:
    """One valid call of every implemented operation, leaving resources behind for the mutants to find."""
    tags = {"Items": [{"Key": "team", "Value": "edge"}]}
    anycast = cf.create_anycast_ip_list(Name="fuzz-anycast", IpCount=3, IpAddressType="ipv4", Tags=tags)
    anycast_id = anycast["AnycastIpList"]["Id"]
    cf.get_anycast_ip_list(Id=anycast_id)
    cf.list_anycast_ip_lists(MaxItems=5)
    cf.update_anycast_ip_list(Id=anycast_id, IfMatch=anycast["ETag"], IpAddressType="ipv4")["ETag"]
    group = cf.create_connection_group(Name="fuzz-group", Ipv6Enabled=False, Tags=tags, Enabled=True)
    group_id = group["ConnectionGroup"]["Id"]
    cf.get_connection_group(Identifier=group_id)
    cf.get_connection_group_by_routing_endpoint(RoutingEndpoint=group["ConnectionGroup"]["RoutingEndpoint"])
    cf.list_connection_groups(AssociationFilter={"AnycastIpListId": anycast_id}, MaxItems=5)
    cf.update_connection_group(Id=group_id, IfMatch=group["ETag"], Ipv6Enabled=False)
    direct = cf.create_distribution(DistributionConfig=direct_config(Aliases={"Quantity": 1,
                                                                              "Items": ["www.fuzz.example"]}))
    direct_id = direct["Distribution"]["Id"]
    tagged = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": direct_config(), "Tags": tags})["Distribution"]
    cf.get_distribution(Id=direct_id)
    config = cf.get_distribution_config(Id=direct_id)
    cf.list_distributions(MaxItems="5")
    cf.list_distributions_by_anycast_ip_list_id(AnycastIpListId=anycast_id)
    updated = dict(config["DistributionConfig"], Comment="changed")
    cf.update_distribution(Id=direct_id, IfMatch=config["ETag"], DistributionConfig=updated)
    multi = cf.create_distribution(DistributionConfig=multi_tenant_config(
        parameters=(("tenantName", True, None),)))["Distribution"]
    tenant = cf.create_distribution_tenant(
        DistributionId=multi["Id"], Name="fuzz-tenant", Domains=[{"Domain": "tenant.fuzz.example"}],
        Parameters=[{"Name": "tenantName", "Value": "t"}], ConnectionGroupId=group_id, Tags=tags, Enabled=True,
        Customizations={"GeoRestrictions": {"RestrictionType": "whitelist", "Locations": ["FR"]}})
    tenant_id = tenant["DistributionTenant"]["Id"]
    cf.get_distribution_tenant(Identifier=tenant_id)
    cf.get_distribution_tenant_by_domain(Domain="tenant.fuzz.example")
    cf.list_distribution_tenants(AssociationFilter={"DistributionId": multi["Id"]}, MaxItems=5)
    cf.list_distribution_tenants_by_customization(WebACLArn="arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1",
                                                  MaxItems=5)
    cf.update_distribution_tenant(Id=tenant_id, IfMatch=tenant["ETag"], Enabled=True,
                                  Domains=[{"Domain": "tenant.fuzz.example"}])
    arn = tagged["ARN"]
    cf.tag_resource(Resource=arn, Tags={"Items": [{"Key": "extra", "Value": "1"}]})
    cf.untag_resource(Resource=arn, TagKeys={"Items": ["extra"]})
    cf.list_tags_for_resource(Resource=arn)
    # Deletes last, each of a resource made for it, so that the rest stays for the mutants. A resource must
    # be deployed before it can be deleted (servers with a deploy delay make the scenario wait).
    spare = cf.create_distribution_tenant(DistributionId=multi["Id"], Name="fuzz-spare",
                                          Domains=[{"Domain": "spare.fuzz.example"}],
                                          Parameters=[{"Name": "tenantName", "Value": "s"}])
    spare_id = spare["DistributionTenant"]["Id"]
    etag = cf.update_distribution_tenant(Id=spare_id, IfMatch=spare["ETag"], Enabled=False)["ETag"]
    _deployed(lambda: cf.get_distribution_tenant(Identifier=spare_id)["DistributionTenant"])
    cf.delete_distribution_tenant(Id=spare_id, IfMatch=etag)
    spare_group = cf.create_connection_group(Name="fuzz-spare-group", Enabled=False)
    group_id = spare_group["ConnectionGroup"]["Id"]
    _deployed(lambda: cf.get_connection_group(Identifier=group_id)["ConnectionGroup"])
    cf.delete_connection_group(Id=group_id, IfMatch=spare_group["ETag"])
    spare_list = cf.create_anycast_ip_list(Name="fuzz-spare-anycast", IpCount=3)
    list_id = spare_list["AnycastIpList"]["Id"]
    _deployed(lambda: cf.get_anycast_ip_list(Id=list_id)["AnycastIpList"])
    cf.delete_anycast_ip_list(Id=list_id, IfMatch=spare_list["ETag"])
    spare_dist = cf.create_distribution(DistributionConfig=direct_config(Enabled=False))
    dist_id = spare_dist["Distribution"]["Id"]
    _deployed(lambda: cf.get_distribution(Id=dist_id)["Distribution"])
    cf.delete_distribution(Id=dist_id, IfMatch=spare_dist["ETag"])
    _scenario_rest_of_the_api(cf, direct_id, multi["Id"], tenant_id)
    _scenario_references(cf)


def _family(create, get, get_config, update, delete, list_all, config_member: str, resource: str, config: dict,
            changed: dict, spare: dict):
    """The six calls of a config-in resource family; a spare one is made for the delete."""
    made = create(**{config_member: config})
    resource_id = made[resource]["Id"]
    get(Id=resource_id)
    if get_config:
        get_config(Id=resource_id)
    list_all()
    update(Id=resource_id, IfMatch=made["ETag"], **{config_member: {**config, **changed}})
    extra = create(**{config_member: spare})
    delete(Id=extra[resource]["Id"], IfMatch=extra["ETag"])
    return resource_id


def _scenario_references(cf) -> None:
    """Every family a distribution refers to, and the distribution operations that refer to them."""
    headers = {"HeaderBehavior": "whitelist", "Headers": {"Quantity": 1, "Items": ["Origin"]}}
    cache = {"Name": "fuzz-cache", "MinTTL": 1, "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True, "HeadersConfig": headers,
        "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "all"}}}
    cache_id = _family(cf.create_cache_policy, cf.get_cache_policy, cf.get_cache_policy_config,
                       cf.update_cache_policy, cf.delete_cache_policy, cf.list_cache_policies, "CachePolicyConfig",
                       "CachePolicy", cache, {"Comment": "changed"}, {**cache, "Name": "fuzz-cache-spare"})
    origin_request = {"Name": "fuzz-orp", "HeadersConfig": headers, "CookiesConfig": {"CookieBehavior": "all"},
                      "QueryStringsConfig": {"QueryStringBehavior": "none"}}
    orp_id = _family(cf.create_origin_request_policy, cf.get_origin_request_policy,
                     cf.get_origin_request_policy_config, cf.update_origin_request_policy,
                     cf.delete_origin_request_policy, cf.list_origin_request_policies, "OriginRequestPolicyConfig",
                     "OriginRequestPolicy", origin_request, {"Comment": "changed"},
                     {**origin_request, "Name": "fuzz-orp-spare"})
    response_headers = {"Name": "fuzz-rhp", "CustomHeadersConfig": {"Quantity": 1, "Items": [
        {"Header": "X-Fuzz", "Value": "1", "Override": True}]}, "SecurityHeadersConfig": {
        "FrameOptions": {"FrameOption": "DENY", "Override": True}}}
    rhp_id = _family(cf.create_response_headers_policy, cf.get_response_headers_policy,
                     cf.get_response_headers_policy_config, cf.update_response_headers_policy,
                     cf.delete_response_headers_policy, cf.list_response_headers_policies,
                     "ResponseHeadersPolicyConfig", "ResponseHeadersPolicy", response_headers, {"Comment": "changed"},
                     {**response_headers, "Name": "fuzz-rhp-spare"})
    oac = {"Name": "fuzz-oac", "SigningProtocol": "sigv4", "SigningBehavior": "always",
           "OriginAccessControlOriginType": "s3"}
    oac_id = _family(cf.create_origin_access_control, cf.get_origin_access_control,
                     cf.get_origin_access_control_config, cf.update_origin_access_control,
                     cf.delete_origin_access_control, cf.list_origin_access_controls, "OriginAccessControlConfig",
                     "OriginAccessControl", oac, {"Description": "changed"}, {**oac, "Name": "fuzz-oac-spare"})
    oai = {"CallerReference": "fuzz-oai", "Comment": "fuzz"}
    oai_id = _family(cf.create_cloud_front_origin_access_identity, cf.get_cloud_front_origin_access_identity,
                     cf.get_cloud_front_origin_access_identity_config, cf.update_cloud_front_origin_access_identity,
                     cf.delete_cloud_front_origin_access_identity, cf.list_cloud_front_origin_access_identities,
                     "CloudFrontOriginAccessIdentityConfig", "CloudFrontOriginAccessIdentity", oai,
                     {"Comment": "changed"}, {**oai, "CallerReference": "fuzz-oai-spare"})
    pem = public_key_pem()
    key = {"CallerReference": "fuzz-key", "Name": "fuzz-key", "EncodedKey": pem}
    key_id = _family(cf.create_public_key, cf.get_public_key, cf.get_public_key_config, cf.update_public_key,
                     cf.delete_public_key, cf.list_public_keys, "PublicKeyConfig", "PublicKey", key,
                     {"Comment": "changed"}, {**key, "CallerReference": "fuzz-key-spare", "Name": "fuzz-key-spare"})
    group = {"Name": "fuzz-group", "Items": [key_id]}
    group_id = _family(cf.create_key_group, cf.get_key_group, cf.get_key_group_config, cf.update_key_group,
                       cf.delete_key_group, cf.list_key_groups, "KeyGroupConfig", "KeyGroup", group,
                       {"Comment": "changed"}, {**group, "Name": "fuzz-group-spare"})
    profile = {"Name": "fuzz-profile", "CallerReference": "fuzz-profile", "EncryptionEntities": {
        "Quantity": 1, "Items": [{"PublicKeyId": key_id, "ProviderId": "fuzz", "FieldPatterns": {
            "Quantity": 1, "Items": ["card"]}}]}}
    profile_id = _family(cf.create_field_level_encryption_profile, cf.get_field_level_encryption_profile,
                         cf.get_field_level_encryption_profile_config, cf.update_field_level_encryption_profile,
                         cf.delete_field_level_encryption_profile, cf.list_field_level_encryption_profiles,
                         "FieldLevelEncryptionProfileConfig", "FieldLevelEncryptionProfile", profile,
                         {"Comment": "changed"},
                         {**profile, "Name": "fuzz-profile-spare", "CallerReference": "fuzz-profile-spare"})
    fle = {"CallerReference": "fuzz-fle", "ContentTypeProfileConfig": {
        "ForwardWhenContentTypeIsUnknown": True, "ContentTypeProfiles": {"Quantity": 1, "Items": [
            {"Format": "URLEncoded", "ProfileId": profile_id, "ContentType": "application/x-www-form-urlencoded"}]}}}
    fle_id = _family(cf.create_field_level_encryption_config, cf.get_field_level_encryption,
                     cf.get_field_level_encryption_config, cf.update_field_level_encryption_config,
                     cf.delete_field_level_encryption_config, cf.list_field_level_encryption_configs,
                     "FieldLevelEncryptionConfig", "FieldLevelEncryption", fle, {"Comment": "changed"},
                     {**fle, "CallerReference": "fuzz-fle-spare"})
    endpoint = {"StreamType": "Kinesis", "KinesisStreamConfig": {
        "RoleARN": "arn:aws:iam::123456789012:role/fuzz", "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/f"}}
    log = cf.create_realtime_log_config(Name="fuzz-log", SamplingRate=10, Fields=["timestamp"], EndPoints=[endpoint])
    log_arn = log["RealtimeLogConfig"]["ARN"]
    cf.get_realtime_log_config(Name="fuzz-log")
    cf.update_realtime_log_config(ARN=log_arn, SamplingRate=20)
    cf.list_realtime_log_configs(MaxItems="5")
    cf.create_realtime_log_config(Name="fuzz-log-spare", SamplingRate=1, Fields=["c-ip"], EndPoints=[endpoint])
    cf.delete_realtime_log_config(Name="fuzz-log-spare")
    vpc = {"Name": "fuzz-vpc", "Arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/f/1",
           "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
    made = cf.create_vpc_origin(VpcOriginEndpointConfig=vpc)
    vpc_id = made["VpcOrigin"]["Id"]
    cf.get_vpc_origin(Id=vpc_id)
    cf.list_vpc_origins()
    cf.update_vpc_origin(Id=vpc_id, IfMatch=made["ETag"], VpcOriginEndpointConfig={**vpc, "HTTPPort": 8080})
    spare = cf.create_vpc_origin(VpcOriginEndpointConfig={**vpc, "Name": "fuzz-vpc-spare"})
    cf.delete_vpc_origin(Id=spare["VpcOrigin"]["Id"], IfMatch=spare["ETag"])
    config = direct_config()
    behavior = config["DefaultCacheBehavior"]
    behavior.update(CachePolicyId=cache_id, OriginRequestPolicyId=orp_id, ResponseHeadersPolicyId=rhp_id,
                    RealtimeLogConfigArn=log_arn, FieldLevelEncryptionId=fle_id,
                    TrustedKeyGroups={"Enabled": True, "Quantity": 1, "Items": [group_id]})
    config["Origins"]["Items"][0]["OriginAccessControlId"] = oac_id
    config["Origins"]["Items"].append({"Id": "s3", "DomainName": "bucket.s3.amazonaws.com", "S3OriginConfig": {
        "OriginAccessIdentity": f"origin-access-identity/cloudfront/{oai_id}"}})
    config["Origins"]["Items"].append({"Id": "vpc", "DomainName": "internal.example", "VpcOriginConfig": {
        "VpcOriginId": vpc_id}})
    config["Origins"]["Quantity"] = 3
    primary = cf.create_distribution(DistributionConfig=config)
    primary_id = primary["Distribution"]["Id"]
    cf.list_distributions_by_cache_policy_id(CachePolicyId=cache_id)
    cf.list_distributions_by_origin_request_policy_id(OriginRequestPolicyId=orp_id)
    cf.list_distributions_by_response_headers_policy_id(ResponseHeadersPolicyId=rhp_id)
    cf.list_distributions_by_key_group(KeyGroupId=group_id)
    cf.list_distributions_by_realtime_log_config(RealtimeLogConfigArn=log_arn)
    cf.list_distributions_by_vpc_origin_id(VpcOriginId=vpc_id)
    cf.list_distributions_by_connection_mode(ConnectionMode="direct")
    cf.create_monitoring_subscription(DistributionId=primary_id, MonitoringSubscription={
        "RealtimeMetricsSubscriptionConfig": {"RealtimeMetricsSubscriptionStatus": "Enabled"}})
    cf.get_monitoring_subscription(DistributionId=primary_id)
    spare_dist = cf.create_distribution(DistributionConfig=direct_config())["Distribution"]["Id"]
    cf.create_monitoring_subscription(DistributionId=spare_dist, MonitoringSubscription={
        "RealtimeMetricsSubscriptionConfig": {"RealtimeMetricsSubscriptionStatus": "Disabled"}})
    cf.delete_monitoring_subscription(DistributionId=spare_dist)
    staging = cf.copy_distribution(PrimaryDistributionId=primary_id, Staging=True, IfMatch=primary["ETag"],
                                   CallerReference="fuzz-staging")
    policy = {"StagingDistributionDnsNames": {"Quantity": 1, "Items": [staging["Distribution"]["DomainName"]]},
              "Enabled": True, "TrafficConfig": {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.1}}}
    made = cf.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig=policy)
    policy_id = made["ContinuousDeploymentPolicy"]["Id"]
    cf.get_continuous_deployment_policy(Id=policy_id)
    cf.get_continuous_deployment_policy_config(Id=policy_id)
    cf.list_continuous_deployment_policies()
    made = cf.update_continuous_deployment_policy(Id=policy_id, IfMatch=made["ETag"],
                                                  ContinuousDeploymentPolicyConfig={**policy, "Enabled": False})
    current = cf.get_distribution_config(Id=primary_id)
    updated = cf.update_distribution(Id=primary_id, IfMatch=current["ETag"], DistributionConfig={
        **current["DistributionConfig"], "ContinuousDeploymentPolicyId": policy_id})
    cf.update_distribution_with_staging_config(Id=primary_id, StagingDistributionId=staging["Distribution"]["Id"],
                                               IfMatch=f"{updated['ETag']}, {staging['ETag']}")
    _scenario_trust_and_policies(cf, primary["Distribution"]["ARN"], cf.get_vpc_origin(Id=vpc_id)["VpcOrigin"]["Arn"])
    _scenario_edge_code(cf)
    other = cf.copy_distribution(PrimaryDistributionId=primary_id, Staging=True, CallerReference="fuzz-staging-2")
    spare_policy = cf.create_continuous_deployment_policy(ContinuousDeploymentPolicyConfig={
        **policy, "StagingDistributionDnsNames": {"Quantity": 1, "Items": [other["Distribution"]["DomainName"]]}})
    cf.delete_continuous_deployment_policy(Id=spare_policy["ContinuousDeploymentPolicy"]["Id"],
                                           IfMatch=spare_policy["ETag"])


FUNCTION_CODE = b"""function handler(event) {
    var request = event.request;
    if (request.uri.endsWith('/')) { request.uri += 'index.html'; }
    console.log('rewrote ' + request.uri);
    return request;
}"""
VIEWER_REQUEST = json.dumps({"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "1.2.3.4"},
                             "request": {"method": "GET", "uri": "/docs/", "querystring": {}, "headers": {
                                 "host": {"value": "www.example.com"}}, "cookies": {}}}).encode()
CONNECTION_CODE = b"function connectionHandler(connection) { connection.allow(); }"


def _scenario_edge_code(cf) -> None:
    """CloudFront Functions, connection functions and KeyValueStores (their control plane)."""
    store = cf.create_key_value_store(Name="fuzz-kvs", Comment="fuzz")
    cf.describe_key_value_store(Name="fuzz-kvs")
    cf.list_key_value_stores(MaxItems="5")
    cf.update_key_value_store(Name="fuzz-kvs", Comment="changed", IfMatch=store["ETag"])
    spare = cf.create_key_value_store(Name="fuzz-kvs-spare")
    cf.delete_key_value_store(Name="fuzz-kvs-spare", IfMatch=spare["ETag"])
    config = {"Comment": "fuzz", "Runtime": "cloudfront-js-2.0", "KeyValueStoreAssociations": {
        "Quantity": 1, "Items": [{"KeyValueStoreARN": store["KeyValueStore"]["ARN"]}]}}
    made = cf.create_function(Name="fuzz-function", FunctionConfig=config, FunctionCode=FUNCTION_CODE)
    cf.describe_function(Name="fuzz-function")
    cf.get_function(Name="fuzz-function")
    etag = cf.update_function(Name="fuzz-function", IfMatch=made["ETag"], FunctionConfig=config,
                              FunctionCode=FUNCTION_CODE)["ETag"]
    cf.test_function(Name="fuzz-function", IfMatch=etag, EventObject=VIEWER_REQUEST)
    cf.publish_function(Name="fuzz-function", IfMatch=etag)
    cf.list_functions(Stage="LIVE")
    spare = cf.create_function(Name="fuzz-function-spare", FunctionConfig=config, FunctionCode=FUNCTION_CODE)
    cf.delete_function(Name="fuzz-function-spare", IfMatch=spare["ETag"])
    runtime = {"Comment": "fuzz", "Runtime": "cloudfront-js-2.0"}
    made = cf.create_connection_function(Name="fuzz-connection", ConnectionFunctionConfig=runtime,
                                         ConnectionFunctionCode=CONNECTION_CODE)
    function_id = made["ConnectionFunctionSummary"]["Id"]
    cf.describe_connection_function(Identifier=function_id)
    cf.get_connection_function(Identifier="fuzz-connection")
    etag = cf.update_connection_function(Id=function_id, IfMatch=made["ETag"], ConnectionFunctionConfig=runtime,
                                         ConnectionFunctionCode=CONNECTION_CODE)["ETag"]
    cf.test_connection_function(Id=function_id, IfMatch=etag, ConnectionObject=b"{}")
    cf.publish_connection_function(Id=function_id, IfMatch=etag)
    cf.list_connection_functions(Stage="LIVE")
    cf.list_distributions_by_connection_function(ConnectionFunctionIdentifier=function_id)
    spare = cf.create_connection_function(Name="fuzz-connection-spare", ConnectionFunctionConfig=runtime,
                                          ConnectionFunctionCode=CONNECTION_CODE)
    cf.delete_connection_function(Id=spare["ConnectionFunctionSummary"]["Id"], IfMatch=spare["ETag"])


WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/fuzz/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def _recorded_even_if_refused(call, **params) -> None:
    """A call whose answer is an error by design (a discontinued feature, a domain not yet proved): the
    request is in the corpus all the same."""
    import botocore.exceptions

    try:
        call(**params)
    except botocore.exceptions.ClientError:
        pass


def _scenario_rest_of_the_api(cf, direct_id: str, multi_id: str, tenant_id: str) -> None:
    """Invalidations, web ACLs, domains and certificates, and the discontinued streaming distributions."""
    batch = {"CallerReference": "fuzz-inv", "Paths": {"Quantity": 2, "Items": ["/index.html", "/assets/*"]}}
    made = cf.create_invalidation(DistributionId=direct_id, InvalidationBatch=batch)["Invalidation"]
    cf.get_invalidation(DistributionId=direct_id, Id=made["Id"])
    cf.list_invalidations(DistributionId=direct_id, MaxItems="5")
    made = cf.create_invalidation_for_distribution_tenant(Id=tenant_id, InvalidationBatch=batch)["Invalidation"]
    cf.get_invalidation_for_distribution_tenant(DistributionTenantId=tenant_id, Id=made["Id"])
    cf.list_invalidations_for_distribution_tenant(Id=tenant_id, MaxItems=5)
    etag = cf.get_distribution_config(Id=direct_id)["ETag"]
    etag = cf.associate_distribution_web_acl(Id=direct_id, WebACLArn=WEB_ACL, IfMatch=etag)["ETag"]
    cf.list_distributions_by_web_acl_id(WebACLId=WEB_ACL)
    cf.disassociate_distribution_web_acl(Id=direct_id, IfMatch=etag)
    etag = cf.get_distribution_tenant(Identifier=tenant_id)["ETag"]
    etag = cf.associate_distribution_tenant_web_acl(Id=tenant_id, WebACLArn=WEB_ACL, IfMatch=etag)["ETag"]
    cf.disassociate_distribution_tenant_web_acl(Id=tenant_id, IfMatch=etag)
    cf.verify_dns_configuration(Identifier=tenant_id)
    _recorded_even_if_refused(cf.get_managed_certificate_details, Identifier=tenant_id)
    cf.list_conflicting_aliases(DistributionId=direct_id, Alias="www.fuzz.example")
    cf.list_domain_conflicts(Domain="tenant.fuzz.example", DomainControlValidationResource={"DistributionId": multi_id})
    _recorded_even_if_refused(cf.associate_alias, TargetDistributionId=direct_id, Alias="www.fuzz.example")
    _recorded_even_if_refused(cf.update_domain_association, Domain="tenant.fuzz.example",
                              TargetResource={"DistributionTenantId": tenant_id})
    streaming = {"CallerReference": "fuzz-rtmp", "S3Origin": {"DomainName": "media.s3.amazonaws.com",
                                                              "OriginAccessIdentity": ""},
                 "Comment": "", "TrustedSigners": {"Enabled": False, "Quantity": 0}, "Enabled": True}
    cf.list_streaming_distributions(MaxItems="5")
    _recorded_even_if_refused(cf.create_streaming_distribution, StreamingDistributionConfig=streaming)
    _recorded_even_if_refused(cf.create_streaming_distribution_with_tags, StreamingDistributionConfigWithTags={
        "StreamingDistributionConfig": streaming, "Tags": {"Items": []}})
    for call in (cf.get_streaming_distribution, cf.get_streaming_distribution_config):
        _recorded_even_if_refused(call, Id="EFUZZSTREAM001")
    _recorded_even_if_refused(cf.update_streaming_distribution, Id="EFUZZSTREAM001", IfMatch="E1",
                              StreamingDistributionConfig=streaming)
    _recorded_even_if_refused(cf.delete_streaming_distribution, Id="EFUZZSTREAM001", IfMatch="E1")


CA_BUNDLE_KEY = ("fuzz-bundles", "roots.pem")


def ca_bundle() -> bytes:
    return certificate("fuzz root")



def _scenario_trust_and_policies(cf, distribution_arn: str, vpc_arn: str) -> None:
    """Trust stores (when the server reads S3), resource policies, distributions by owned resource."""
    import botocore.exceptions

    document = '{"Version": "2012-10-17", "Statement": []}'
    cf.put_resource_policy(ResourceArn=distribution_arn, PolicyDocument=document)
    cf.get_resource_policy(ResourceArn=distribution_arn)
    cf.delete_resource_policy(ResourceArn=distribution_arn)
    cf.put_resource_policy(ResourceArn=distribution_arn, PolicyDocument=document)
    cf.list_distributions_by_owned_resource(ResourceArn=vpc_arn)
    source = {"CaCertificatesBundleS3Location": {"Bucket": CA_BUNDLE_KEY[0], "Key": CA_BUNDLE_KEY[1],
                                                 "Region": "us-east-1"}}
    try:
        made = cf.create_trust_store(Name="fuzz-trust", CaCertificatesBundleSource=source)
    except botocore.exceptions.ClientError:
        return  # a server without --s3-endpoint: the request is recorded all the same
    store_id = made["TrustStore"]["Id"]
    cf.get_trust_store(Identifier=store_id)
    cf.list_trust_stores(MaxItems=5)
    cf.update_trust_store(Id=store_id, IfMatch=made["ETag"], CaCertificatesBundleSource=source)
    cf.list_distributions_by_trust_store(TrustStoreIdentifier=store_id)
    spare = cf.create_trust_store(Name="fuzz-trust-spare", CaCertificatesBundleSource=source)
    cf.delete_trust_store(Id=spare["TrustStore"]["Id"], IfMatch=spare["ETag"])


def _deployed(get, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while get()["Status"] != "Deployed":
        if time.monotonic() > deadline:
            raise TimeoutError("the resource was not deployed in time")
        time.sleep(0.1)


# --- the mutations --------------------------------------------------------------------------------------

METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get", "", "G\x00T",
           "X" * 300, "PUT ", "ÿ"]
SEGMENTS = ["", ".", "..", "%2e%2e", "%2F", "%", "%zz", "%ff", "%c0%af", "%00", "%ED%A0%80", "é", "x" * 2000,
            "2020-05-31", "2019-03-26", "connection-group", "distribution", "distribution-tenant",
            "anycast-ip-list", "tagging", "config", "cg_" + "a" * 27, "dt_" + "b" * 27, "E1A2B3C4D5E6F7",
            "arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FE1", "%20", "+", ";x=1"]
QUERY_TEXT = ["", "=", "&", "==", "%", "%zz", "%ff", "%00", "%ED%A0%80", "a" * 3000, "MaxItems", "Marker",
              "Operation", "Tag", "Untag", "WithTags", "Resource", "RoutingEndpoint", "domain", "-1", "0", "101",
              "99999999999999999999", "abc", "true", "ipv4", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Date",
              "X-Amz-Expires", "20261125T000000Z", "AKIDEXAMPLE%2F20261125%2Fus-east-1%2Fcloudfront%2Faws4_request"]
HEADERS = ["if-match", "content-type", "content-length", "content-encoding", "transfer-encoding", "expect",
           "host", "authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token",
           "x-amz-user-agent", "accept", "accept-encoding", "x-amz-meta-x", "x-forwarded-for", "\xff", ""]
HEADER_VALUES = ["", " ", "*", "\t", ",", ",,", '"', '"a,b"', "\\", "E2QWRUHAPOMQZL", "W/\"x\"", "-1", "0",
                 "99999999999999999999", "text/xml; charset=UTF-16", "application/json", "gzip", "chunked",
                 "100-continue", "ÿþ", "Ã©", "x" * 9000, "Mon, 16 Dec 2019 23:48:18 GMT", "20261125T000000Z",
                 "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "UNSIGNED-PAYLOAD"]
PROLOGS = [b'<?xml version="1.0" encoding="UT-8"?>', b'<?xml version="1.0" encoding="UTF-16"?>',
           b'<?xml version="1.0" encoding="utf-16le"?>', b'<?xml version="1.0" encoding="ISO-8859-1"?>',
           b'<?xml version="1.0" encoding="windows-1252"?>', b'<?xml version="1.0" encoding="base64_codec"?>',
           b'<?xml version="1.0" encoding="rot_13"?>', b'<?xml version="1.0" encoding="shift_jis"?>',
           b'<?xml version="1.0" encoding="utf-7"?>', b'<?xml version="1.0" encoding="idna"?>',
           b'<?xml version="1.0" encoding="mbcs"?>', b'<?xml version="1.0" encoding=""?>',
           b'<?xml version="1.0" encoding="\xff"?>', b'<?xml version="1.0" encoding="' + b"a" * 500 + b'"?>',
           b'<?xml version="1.0" standalone="yes"?>', b'<?xml version="1.0" standalone="maybe"?>',
           b'<?xml version="1.1"?>', b'<?xml version="2.0"?>', b'<?xml?>', b'<?xml version="1.0" junk?>',
           b'<?xml version="1.0"?><?xml version="1.0"?>', b'junk<?xml version="1.0"?>', b'\n<?xml version="1.0"?>',
           b'<?pi data?>', b'<!-- comment -->', b'<!-- -- -->', b'<!DOCTYPE a>', b'\xef\xbb\xbf', b'\xff\xfe',
           b'\xfe\xff', b'\x00\x00\xfe\xff', b'<?xml-stylesheet href="x"?>', b'<?XML version="1.0"?>', b'']
TAG_NAMES = [b"x", b"Items", b"Quantity", b"Name", b"Tags", b"p:Name", b"xmlns:a", b"1bad", b"a b", b"\xc3\xa9",
             b"\xff", b"-", b"_" * 300, b"Name/", b"xml"]
ATTRIBUTES = [b' xmlns="urn:x"', b' xmlns=""', b' xmlns:a="urn:a"', b' a="1" a="2"', b" a=1", b' a="<"',
              b' xml:lang="en"', b' xsi:nil="true"', b' xmlns:xml="urn:wrong"', b' b="&#0;"', b' c="&undefined;"',
              b' d="\xff"', b' xmlns:p=""', b' p:q="1"', b" " + b"e" * 1000 + b'="1"']
TEXTS = [b"", b" ", b"x" * 3000, b"cg_" + b"a" * 27, b"-1", b"0", b"2147483648", b"99999999999999999999999",
         b"1e400", b"NaN", b"true", b"TRUE", b"yes", b"ipv4", b"dualstack", b"tenant-only", b"a.example.com",
         b"*.example.com", b"658327ea-f89d-4fab-a63d-7e88639e58f6", b"arn:aws:cloudfront::123456789012:x/y",
         b"2026-11-25T00:00:00Z", b"\xe2\x80\xae", b"\xf0\x9f\x98\xb9", b"\xff", b"<", b"]]>", b"\t\r\n"]
ENTITIES = [b"&amp;", b"&lt;", b"&gt;", b"&quot;", b"&apos;", b"&#65;", b"&#x41;", b"&#0;", b"&#xD800;",
            b"&#x110000;", b"&#99999999999;", b"&undefined;", b"&", b"&#;", b"&#x;", b"&#xFFFE;", b"&#x1F639;",
            b"<![CDATA[x]]>", b"<![CDATA[", b"&#10;", b"&#13;"]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig"]
_TOKENS = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|</?[^>]*>|[^<]+", re.S)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _pick(rng: random.Random, items):
    return items[rng.randrange(len(items))]


def _tokens(body: bytes) -> list[bytes]:
    return _TOKENS.findall(body)


def _mutate_method(request, rng):
    request.method = _pick(rng, METHODS)


def _mutate_path(request, rng):
    parts = request.path.split("/")
    choice = rng.random()
    index = rng.randrange(len(parts))
    if choice < 0.4:
        parts[index] = _pick(rng, SEGMENTS)
    elif choice < 0.6:
        parts.insert(index, _pick(rng, SEGMENTS))
    elif choice < 0.75 and len(parts) > 1:
        del parts[index]
    elif choice < 0.9:
        parts[index] = urllib.parse.quote(parts[index], safe="") if rng.random() < 0.5 else parts[index] + "%"
    else:
        parts.append("")
    request.path = "/".join(parts)
    if rng.random() < 0.05:
        request.path = request.path.lstrip("/")


def _mutate_query(request, rng):
    pairs = [p for p in request.query.split("&") if p] if request.query else []
    choice = rng.random()
    if choice < 0.35 or not pairs:
        pairs.insert(rng.randint(0, len(pairs)), f"{_pick(rng, QUERY_TEXT)}={_pick(rng, QUERY_TEXT)}")
    elif choice < 0.55:
        key, _, _ = pairs[rng.randrange(len(pairs))].partition("=")
        pairs[rng.randrange(len(pairs))] = f"{key}={_pick(rng, QUERY_TEXT)}"
    elif choice < 0.7:
        del pairs[rng.randrange(len(pairs))]
    elif choice < 0.85:
        pairs.append(pairs[rng.randrange(len(pairs))])
    else:
        pairs.append(_pick(rng, QUERY_TEXT))
    request.query = "&".join(pairs)


def _mutate_header(request, rng):
    names = list(request.headers) + HEADERS
    name = _pick(rng, names)
    choice = rng.random()
    if choice < 0.15:
        request.headers.pop(name, None)
    elif choice < 0.3 and name in request.headers:
        value = request.headers[name]
        request.headers[name] = value[: rng.randint(0, len(value))] + _pick(rng, HEADER_VALUES)[:40]
    else:
        request.headers[name] = _pick(rng, HEADER_VALUES)


def _mutate_prolog(request, rng):
    body = _DECLARATION.sub(b"", request.body, count=1) if rng.random() < 0.7 else request.body
    request.body = _pick(rng, PROLOGS) + (_pick(rng, PROLOGS) if rng.random() < 0.2 else b"") + body


def _element_tokens(tokens: list[bytes]) -> list[int]:
    return [i for i, t in enumerate(tokens) if t.startswith(b"<") and t[1:2] not in (b"?", b"!")]


def _mutate_tag(request, rng):
    tokens = _tokens(request.body)
    elements = _element_tokens(tokens)
    if not elements:
        request.body = b"<" + _pick(rng, TAG_NAMES) + b">" + request.body
        return
    index = _pick(rng, elements)
    token = tokens[index]
    closing = token.startswith(b"</")
    match = re.match(rb"</?([^\s/>]*)", token)
    name = match.group(1) if match else b""
    choice = rng.random()
    if choice < 0.3:
        new_name = _pick(rng, TAG_NAMES)
    elif choice < 0.45:
        new_name = name.swapcase()
    elif choice < 0.6:
        new_name = b"p:" + name
    else:
        new_name = name
    token = token.replace(name, new_name, 1) if name else token
    if choice >= 0.6:
        roll = rng.random()
        if roll < 0.3:
            token = b""  # an element left open, or closed twice
        elif roll < 0.5 and not closing:
            token = token[:-1].rstrip(b"/") + b"/>"
        elif roll < 0.75:
            token = token + token
        else:
            # A subtree duplicated: the element and what follows up to its end tag.
            end = next((j for j in range(index + 1, len(tokens)) if tokens[j] == b"</" + name + b">"), index)
            token = b"".join(tokens[index:end + 1]) * 2
            del tokens[index + 1:end + 1]
    tokens[index] = token
    request.body = b"".join(tokens)


def _mutate_attribute(request, rng):
    tokens = _tokens(request.body)
    starts = [i for i in _element_tokens(tokens) if not tokens[i].startswith(b"</")]
    if not starts:
        return
    index = _pick(rng, starts)
    token = tokens[index]
    cut = len(token) - (2 if token.endswith(b"/>") else 1)
    if rng.random() < 0.2 and b' xmlns="' in token:
        token = re.sub(rb' xmlns="[^"]*"', _pick(rng, ATTRIBUTES), token, count=1)
    else:
        token = token[:cut] + _pick(rng, ATTRIBUTES) + token[cut:]
    tokens[index] = token
    request.body = b"".join(tokens)


def _text_positions(tokens: list[bytes]) -> list[int]:
    return [i for i, t in enumerate(tokens) if not t.startswith(b"<")]


def _mutate_text(request, rng):
    tokens = _tokens(request.body)
    texts = _text_positions(tokens)
    if not texts:
        return
    index = _pick(rng, texts)
    replacement = _pick(rng, TEXTS)
    tokens[index] = replacement if rng.random() < 0.7 else tokens[index] + replacement
    request.body = b"".join(tokens)


def _mutate_entity(request, rng):
    tokens = _tokens(request.body)
    places = _text_positions(tokens) or [len(tokens)]
    index = _pick(rng, places)
    if index == len(tokens):
        tokens.append(b"")
    text = tokens[index]
    at = rng.randint(0, len(text))
    tokens[index] = text[:at] + _pick(rng, ENTITIES) + text[at:]
    request.body = b"".join(tokens)


def _mutate_encoding(request, rng):
    text = request.body.decode("utf-8", "replace")
    encoding = _pick(rng, ENCODINGS)
    roll = rng.random()
    if roll < 0.4:  # a declaration that tells the truth
        text = _DECLARATION.sub(b"", request.body).decode("utf-8", "replace")
        text = f'<?xml version="1.0" encoding="{encoding.replace("-sig", "")}"?>' + text
    elif roll < 0.6:  # a declaration that lies
        text = f'<?xml version="1.0" encoding="{_pick(rng, ENCODINGS)}"?>' + \
               _DECLARATION.sub(b"", request.body).decode("utf-8", "replace")
    request.body = text.encode(encoding, "replace")
    if rng.random() < 0.2:
        request.body = request.body[: rng.randint(0, len(request.body))]  # cut mid-character


FRAGMENTS = [b"<", b">", b"</", b"&amp;", b"&#0;", b"\xff", b"\xc3\x28", b"\x00", b"<!DOCTYPE a>",
             b"<![CDATA[x]]>", b"<?pi?>", b"<a:b xmlns:a='u'>", b"\xe2\x80\xae", b"\xf0\x9f"]


def _mutate_bytes(request, rng):
    data = bytearray(request.body)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(data)) if data else 0
        choice = rng.random()
        if choice < 0.4 or not data:
            data[position:position] = _pick(rng, FRAGMENTS)
        elif choice < 0.7:
            del data[position:position + rng.randint(1, 20)]
        else:
            data[min(position, len(data) - 1)] = rng.randrange(256)
    request.body = bytes(data)


PARAM_TEXTS = ["", "x" * 300, "cg_" + "a" * 27, "arn:aws:cloudfront::123456789012:connection-group/cg_x",
               "E1A2B3C4D5E6F7", "tenant-only", "658327ea-f89d-4fab-a63d-7e88639e58f6", "a.example.com", "%ff",
               "../..", "\ud7ff", "ipv4", "dualstack", "-1", "2147483648", "é" * 70, "*"]


def _mutate_value(value, rng):
    if isinstance(value, dict):
        return {k: _mutate_value(v, rng) for k, v in value.items() if rng.random() < 0.9}
    if isinstance(value, list):
        items = [_mutate_value(v, rng) for v in value]
        return items + items[:1] if rng.random() < 0.2 else items[: rng.randint(0, len(items))]
    if isinstance(value, bool):
        return rng.random() < 0.5
    if isinstance(value, int):
        return rng.choice([value, 0, -1, 3, 21, 101, 2**31 - 1, 2**31])
    if isinstance(value, str):
        return value if rng.random() < 0.6 else _pick(rng, PARAM_TEXTS)
    return value


def _mutate_params(request, rng, model):
    operation = model.operation_model(request.operation)
    try:
        method, path, query, headers, body = botocore_request(operation, _mutate_value(request.params, rng))
    except Exception:  # botocore would not serialize what the mutation made: keep the request as it was
        return
    request.method, request.path, request.query, request.body = method, path, query, body
    request.headers.update(headers)


_MUTATORS = {"method": _mutate_method, "path": _mutate_path, "query": _mutate_query, "header": _mutate_header,
             "prolog": _mutate_prolog, "tag": _mutate_tag, "attribute": _mutate_attribute, "text": _mutate_text,
             "entity": _mutate_entity, "encoding": _mutate_encoding, "bytes": _mutate_bytes}
# Body regions weigh more: the XML is where most of a request's bytes are.
_WEIGHTS = {"method": 1, "path": 3, "query": 3, "header": 3, "prolog": 3, "tag": 3, "attribute": 2, "text": 3,
            "entity": 2, "encoding": 2, "bytes": 3, "params": 4}


# --- signing --------------------------------------------------------------------------------------------

def sign(request: Request, key_id: str, secret: str) -> None:
    """Sign the request as it now is with botocore's SigV4 (a fresh date, every header signed)."""
    for name in ("authorization", "x-amz-date", "x-amz-security-token"):
        request.headers.pop(name, None)
    url = "http://127.0.0.1:4599" + request.path + ("?" + request.query if request.query else "")
    aws = botocore.awsrequest.AWSRequest(method=request.method, url=url, data=request.body,
                                         headers=dict(request.headers))
    try:
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret), "cloudfront",
                                "us-east-1").add_auth(aws)
    except Exception:  # a request botocore cannot put in canonical form goes unsigned
        return
    request.headers = {k.lower(): (v.decode("latin-1") if isinstance(v, bytes) else v)
                       for k, v in aws.headers.items()}


AUTH_FIELDS = ["Credential=", "SignedHeaders=", "Signature=", "Credential=AKIDFUZZ/20261125/us-east-1/cloudfront/",
               "Credential=AKIDFUZZ/x/us-east-1/cloudfront/aws4_request", "SignedHeaders=x-amz-date",
               "SignedHeaders=host;;host", "Signature=" + "0" * 64, "Signature=zz", ",,,", "=", "Credential=/////"]


def _mutate_auth(request, rng):
    authorization = request.headers.get("authorization", "")
    choice = rng.random()
    if choice < 0.3 and authorization:
        parts = authorization.split(", ")
        parts[rng.randrange(len(parts))] = _pick(rng, AUTH_FIELDS)
        request.headers["authorization"] = ", ".join(parts)
    elif choice < 0.45:
        request.headers["x-amz-date"] = _pick(rng, ["", "20261125", "19700101T000000Z", "99991231T235959Z",
                                                    "2026-11-25T00:00:00Z", "\xff"])
    elif choice < 0.6:
        request.headers.pop("authorization", None)
    elif choice < 0.8:  # a presigned form with junk in its fields
        request.headers.pop("authorization", None)
        fields = {"X-Amz-Algorithm": _pick(rng, ["AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", ""]),
                  "X-Amz-Credential": _pick(rng, ["AKIDFUZZ/20261125/us-east-1/cloudfront/aws4_request", "", "/"]),
                  "X-Amz-Date": _pick(rng, ["20261125T000000Z", "", "x"]),
                  "X-Amz-Expires": _pick(rng, ["0", "1", "604801", "-1", "99999999999", "x", ""]),
                  "X-Amz-SignedHeaders": _pick(rng, ["host", "", ";"]),
                  "X-Amz-Signature": _pick(rng, ["0" * 64, "", "zz"])}
        extra = urllib.parse.urlencode({k: v for k, v in fields.items() if rng.random() < 0.85})
        request.query = "&".join(p for p in (request.query, extra) if p)
    else:
        request.headers["authorization"] = authorization[: rng.randint(0, len(authorization))]


# --- running --------------------------------------------------------------------------------------------

@dataclass
class Tally:
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    regions: dict[str, int] = field(default_factory=dict)
    operations: set[str] = field(default_factory=set)
    reached: set[str] = field(default_factory=set)  # operations that answered 2xx to a mutated request


def fuzz(app, corpus: list[Request], rng: random.Random, cases: int, *, key: tuple[str, str] | None = None,
         on_answer=None) -> Tally:
    """Send `cases` mutants of the corpus through `app.handle`; `on_answer(request, response, regions)` sees
    each answer (the tests assert on it). With `key` (id, secret), mutants are signed again before sending."""
    tally = Tally()
    regions = list(_WEIGHTS)
    weights = [_WEIGHTS[r] for r in regions]
    models = {"cloudfront": load_service_model("cloudfront"), KVS: load_service_model(KVS),
              LAMBDA: load_service_model(LAMBDA)}
    for _ in range(cases):
        seed = _pick(rng, corpus)
        request = replace(seed, headers=dict(seed.headers))
        chosen = rng.choices(regions, weights, k=rng.randint(1, 3))
        for region in chosen:
            if region == "params":
                _mutate_params(request, rng, models[request.service])
            else:
                _MUTATORS[region](request, rng)
        if key is not None:
            if rng.random() < 0.8:
                sign(request, *key)
            if rng.random() < 0.25:
                _mutate_auth(request, rng)
                chosen = [*chosen, AUTH_REGION]
        response = app.handle(request.method, request.path, request.query, request.headers, request.body)
        tally.cases += 1
        tally.statuses[response.status] = tally.statuses.get(response.status, 0) + 1
        for region in chosen:
            tally.regions[region] = tally.regions.get(region, 0) + 1
        tally.operations.add(seed.operation)
        if 200 <= response.status < 300:
            tally.reached.add(seed.operation)
        if on_answer is not None:
            on_answer(request, response, chosen)
    return tally


class HttpTarget:
    """`handle` over a real socket to a running server, so that mutants pass through the HTTP server and our
    ASGI layer too. The request line and headers go out as given (latin-1); Content-Length is always the
    body's true length, since framing the body is the HTTP server's business and a lie would only stall
    the connection."""

    def __init__(self, url: str, timeout: float = 10.0):
        parsed = urllib.parse.urlsplit(url)
        self.address = (parsed.hostname, parsed.port)
        self.timeout = timeout

    def handle(self, method, path, query, headers, body):
        import http.client
        import socket

        target = (path or "/") + ("?" + query if query else "")
        lines = [f"{method} {target} HTTP/1.1"]
        for name, value in headers.items():
            if name in ("content-length", "transfer-encoding", "connection"):
                continue
            lines.append(f"{name}: {value}")
        lines += [f"content-length: {len(body)}", "connection: close", "", ""]
        head = "\r\n".join(lines).encode("latin-1", "replace")
        with socket.create_connection(self.address, timeout=self.timeout) as connection:
            connection.sendall(head + body)
            response = http.client.HTTPResponse(connection, method=method)
            response.begin()
            answer = _Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        return answer


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes
