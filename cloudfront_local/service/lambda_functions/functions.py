"""Functions: CreateFunction, the reads, the two updates and DeleteFunction. $LATEST is the function's record;
every change renews its RevisionId, and State/LastUpdateStatus are at once what Lambda's waiters wait for."""
from __future__ import annotations

import base64
import re

from ..common import s3_objects
from ..common.context import Context
from ..common.errors import InvalidArgument
from ..common.registry import operation
from . import code, names, versions, zips
from .names import FUNCTION, LATEST, SERVICE, VERSION, InvalidParameterValueException, ResourceConflictException

DISTRIBUTION = "distribution"  # the kind CloudFront's distributions are stored under (references.KIND)

# Members a configuration takes as given (the model's shapes check their types and ranges).
_AS_GIVEN = ("Role", "Handler", "Description", "Timeout", "MemorySize", "Runtime", "DeadLetterConfig", "KMSKeyArn")
# Members of Lambda's that the functions run here cannot have: a clear refusal, rather than a setting that
# would silently do nothing at the edge.
_UNSUPPORTED = {
    "Layers": "layers", "FileSystemConfigs": "file systems", "ImageConfig": "container images",
    "CodeSigningConfigArn": "code signing", "CapacityProviderConfig": "capacity providers",
    "DurableConfig": "durable functions", "TenancyConfig": "tenant isolation", "AcceleratorConfig": "accelerators",
    "RuntimeConfig": "runtime configurations", "PublishTo": "PublishTo",
}
_ENV_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
_RESERVED_ENV = {"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
                 "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                 "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
                 "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"}
MAX_ENVIRONMENT = 4096  # "Environment variables: 4 KB, for all environment variables associated with the function"


def _package(ctx: Context, params: dict, source: dict) -> bytes:
    """The zip a request carries (ZipFile) or names in S3 (read from --s3-endpoint); Lambda's error otherwise."""
    if params.get("PackageType") == "Image" or source.get("ImageUri"):
        raise InvalidParameterValueException("cloudfront-local runs .zip deployment packages only (PackageType "
                                             "Zip), as Lambda@Edge does: container images are not supported.")
    if source.get("ZipFile") is not None:
        return source["ZipFile"]
    if source.get("S3Bucket") and source.get("S3Key"):
        try:
            return s3_objects.read(ctx, source["S3Bucket"], source["S3Key"], ctx.region, source.get("S3ObjectVersion"),
                                   max_bytes=zips.MAX_ZIPPED)
        except InvalidArgument as error:
            raise InvalidParameterValueException(f"Error occurred while GetObject. {error.message}") from None
    raise InvalidParameterValueException("Please provide a source for function code.")


def _environment(given: dict | None) -> dict | None:
    if given is None:
        return None
    variables = given.get("Variables") or {}
    bad = sorted(key for key in variables if not _ENV_KEY.fullmatch(key))
    if bad:
        raise InvalidParameterValueException(f"The environment variable name {bad[0][:100]!r} is not valid: names "
                                             "start with a letter and hold letters, digits and underscores.")
    reserved = sorted(set(variables) & _RESERVED_ENV)
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you have "
            "provided contains reserved keys that are currently not supported for modification. Reserved keys "
            f"used in this request: {', '.join(reserved)}")
    if sum(len(k.encode()) + len(v.encode()) for k, v in variables.items()) > MAX_ENVIRONMENT:
        raise InvalidParameterValueException("Lambda was unable to configure your environment variables because the "
                                             "environment variables you have provided exceeded the 4KB limit.")
    return {"Variables": dict(variables)} if variables else None


def _configure(doc: dict, params: dict) -> dict:
    """`doc` with the configuration members a request sets."""
    for member, what in _UNSUPPORTED.items():
        if params.get(member):
            raise InvalidParameterValueException(f"cloudfront-local does not support {what} ({member}).")
    vpc = params.get("VpcConfig") or {}
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        raise InvalidParameterValueException("cloudfront-local does not support VpcConfig: Lambda@Edge functions "
                                             "cannot be in a VPC either.")
    changed = dict(doc)
    for member in _AS_GIVEN:
        if member in params:
            changed[member] = params[member]
    if "Environment" in params:
        environment = _environment(params["Environment"])
        changed.pop("Environment", None)
        if environment:
            changed["Environment"] = environment
    if params.get("TracingConfig", {}).get("Mode"):
        changed["TracingConfig"] = {"Mode": params["TracingConfig"]["Mode"]}
    if params.get("EphemeralStorage"):
        changed["EphemeralStorage"] = {"Size": params["EphemeralStorage"]["Size"]}
    if params.get("SnapStart", {}).get("ApplyOn"):
        changed["SnapStart"] = {"ApplyOn": params["SnapStart"]["ApplyOn"], "OptimizationStatus": "Off"}
    if params.get("LoggingConfig"):
        changed["LoggingConfig"] = {**changed.get("LoggingConfig", {}), **params["LoggingConfig"]}
    return changed


def _with_code(doc: dict, package: bytes) -> dict:
    runtime = zips.check_runtime(doc.get("Runtime"))
    zips.check_handler(runtime, doc.get("Handler"), zips.members(package))
    return {**doc, "Code": base64.b64encode(package).decode(), "CodeSize": len(package),
            "CodeSha256": zips.sha256(package)}


def _checked(doc: dict) -> dict:
    """A configuration change re-checked against the code it keeps: a new Handler or Runtime must still find
    its module in the zip."""
    runtime = zips.check_runtime(doc.get("Runtime"))
    zips.check_handler(runtime, doc.get("Handler"), zips.members(base64.b64decode(doc["Code"])))
    return doc


def _changed(ctx: Context, doc: dict) -> dict:
    return {**doc, "RevisionId": names.revision(), "LastModified": names.timestamp(ctx.now),
            "State": "Active", "LastUpdateStatus": "Successful"}


@operation("CreateFunction", SERVICE)
def create_function(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"])
    if named.qualifier:
        raise InvalidParameterValueException("CreateFunction takes an unqualified function name.")
    name = named.name
    existing = tx.get(FUNCTION, ctx.account, name)
    if existing is not None:
        where = "" if existing.doc.get("Region") == ctx.region else f" (in {existing.doc.get('Region')})"
        raise ResourceConflictException(f"Function already exist: {name}{where}")
    if not params.get("Role"):
        raise InvalidParameterValueException("Role is required: the ARN of the function's execution role.")
    package = _package(ctx, params, params.get("Code") or {})
    doc = {
        "FunctionName": name, "FunctionArn": names.function_arn(ctx, ctx.account, name), "Description": "",
        "Timeout": 3, "MemorySize": 128, "Version": LATEST, "TracingConfig": {"Mode": "PassThrough"},
        "PackageType": "Zip", "Architectures": params.get("Architectures") or ["x86_64"],
        "EphemeralStorage": {"Size": 512}, "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    doc = _with_code(_configure(doc, params), package)
    doc = {**_changed(ctx, doc), "Region": ctx.region, "Tags": dict(params.get("Tags") or {}), "Policy": {},
           "_last_version": 0}
    from .tags import check_tags
    check_tags(doc["Tags"])
    record = tx.insert(FUNCTION, ctx.account, name, doc)
    if params.get("Publish"):
        return names.configuration(versions.publish(ctx, tx, record))
    return names.configuration(doc)


@operation("GetFunction", SERVICE)
def get_function(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"], params.get("Qualifier"))
    doc = names.qualified(ctx, tx, named)
    latest = names.function(ctx, tx, named.name).doc
    answer = {"Configuration": names.configuration(doc),
              "Code": {"RepositoryType": "S3",
                       "Location": code.location(ctx.endpoint, ctx.account, named.name, doc["Version"], ctx.now)}}
    if latest.get("Tags"):
        answer["Tags"] = dict(latest["Tags"])
    return answer


@operation("GetFunctionConfiguration", SERVICE)
def get_function_configuration(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"], params.get("Qualifier"))
    return names.configuration(names.qualified(ctx, tx, named))


@operation("ListFunctions", SERVICE)
def list_functions(ctx, tx, params):
    items, after = [], 0
    every = params.get("FunctionVersion") == "ALL"
    while True:
        batch = tx.page(FUNCTION, ctx.account, after, 500, {"Region": ctx.region})
        for record in batch:
            if every:
                items.extend(versions.listing(ctx, tx, record))
            else:
                items.append(([record.doc["FunctionName"], 0], names.configuration(record.doc)))
        if len(batch) < 500:
            break
        after = batch[-1].seq
    items.sort(key=lambda item: item[0])
    functions, following = versions.page(items, params.get("Marker"), params.get("MaxItems"), "ListFunctions")
    answer = {"Functions": functions}
    if following:
        answer["NextMarker"] = following
    return answer


def _latest_for_update(ctx: Context, tx, params: dict):
    named = names.parse(ctx, params["FunctionName"])
    if named.qualifier not in (None, LATEST):
        raise InvalidParameterValueException("Only $LATEST can be updated: versions are immutable.")
    record = names.function(ctx, tx, named.name)
    names.check_revision(record.doc, params.get("RevisionId"))
    return record


@operation("UpdateFunctionCode", SERVICE)
def update_function_code(ctx, tx, params):
    record = _latest_for_update(ctx, tx, params)
    if params.get("PublishTo"):
        raise InvalidParameterValueException("cloudfront-local does not support PublishTo.")
    doc = _with_code(record.doc, _package(ctx, {}, params))
    if params.get("Architectures"):
        doc["Architectures"] = params["Architectures"]
    if params.get("DryRun"):
        return names.configuration(doc)
    record = tx.replace(record, _changed(ctx, doc))
    if params.get("Publish"):
        return names.configuration(versions.publish(ctx, tx, record))
    return names.configuration(record.doc)


@operation("UpdateFunctionConfiguration", SERVICE)
def update_function_configuration(ctx, tx, params):
    record = _latest_for_update(ctx, tx, params)
    doc = _checked(_configure(record.doc, params))
    return names.configuration(tx.replace(record, _changed(ctx, doc)).doc)


REPLICATED = ("Lambda was unable to delete {arn} because it is a replicated function. Please see our documentation "
              "for Deleting Lambda@Edge Functions and Replicas.")


def _refuse_if_used(ctx: Context, tx, doc: dict) -> None:
    """A version a distribution of the account associates cannot go, as Lambda answers for the replicas
    Lambda@Edge keeps of it."""
    reference = f"lambda-version:{ctx.account}:{doc['FunctionName']}:{doc['Version']}"
    if tx.page(DISTRIBUTION, ctx.account, 0, 1, {"_uses": reference}):
        raise InvalidParameterValueException(REPLICATED.format(arn=doc["FunctionArn"]))


@operation("DeleteFunction", SERVICE)
def delete_function(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"], params.get("Qualifier"))
    record = names.function(ctx, tx, named.name)
    if named.qualifier == LATEST:
        raise InvalidParameterValueException("$LATEST version cannot be deleted without deleting all versions and "
                                             "aliases.")
    if named.qualifier is not None:
        if not named.qualifier.isdigit():
            raise names.not_found(ctx, named.name, named.qualifier)
        version = names.version(ctx, tx, named.name, named.qualifier)
        _refuse_if_used(ctx, tx, version.doc)
        tx.delete(version)
        policies = dict(record.doc.get("Policy") or {})
        if policies.pop(named.qualifier, None) is not None:
            tx.replace(record, {**record.doc, "Policy": policies})
        return {}
    every = versions.all_versions(ctx, tx, named.name)
    for version in every:
        _refuse_if_used(ctx, tx, version.doc)
    for version in every:
        tx.delete(version)
    tx.delete(record)
    return {}


__all__ = ["VERSION", "create_function"]
