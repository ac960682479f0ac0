"""The settings a function here never has (none of them can be made), answered as Lambda answers for a function
without them, so that clients that read every setting (Terraform's aws_lambda_function) find them unset."""
from __future__ import annotations

from ..common.registry import operation
from . import names
from .names import SERVICE, ResourceNotFoundException

NO_RESOURCE = "The resource you requested does not exist."


def _named(ctx, tx, params):
    named = names.parse(ctx, params["FunctionName"], params.get("Qualifier"))
    names.qualified(ctx, tx, named)
    return named


@operation("GetFunctionCodeSigningConfig", SERVICE)
def get_code_signing(ctx, tx, params):
    named = _named(ctx, tx, params)
    return {"CodeSigningConfigArn": "", "FunctionName": named.name}


@operation("GetFunctionConcurrency", SERVICE)
def get_concurrency(ctx, tx, params):
    _named(ctx, tx, params)
    return {}


@operation("GetRuntimeManagementConfig", SERVICE)
def get_runtime_management(ctx, tx, params):
    named = _named(ctx, tx, params)
    return {"UpdateRuntimeOn": "Auto", "FunctionArn": names.function_arn(ctx, ctx.account, named.name)}


@operation("GetFunctionRecursionConfig", SERVICE)
def get_recursion(ctx, tx, params):
    _named(ctx, tx, params)
    return {"RecursiveLoop": "Terminate"}


@operation("ListAliases", SERVICE)
def list_aliases(ctx, tx, params):
    _named(ctx, tx, params)
    return {"Aliases": []}


@operation("GetAlias", SERVICE)
def get_alias(ctx, tx, params):
    named = _named(ctx, tx, {"FunctionName": params["FunctionName"]})
    raise ResourceNotFoundException(f"Alias not found: {names.function_arn(ctx, ctx.account, named.name)}"
                                    f":{params['Name']}")


@operation("GetFunctionUrlConfig", SERVICE)
def get_url(ctx, tx, params):
    _named(ctx, tx, params)
    raise ResourceNotFoundException(NO_RESOURCE)


@operation("ListFunctionUrlConfigs", SERVICE)
def list_urls(ctx, tx, params):
    _named(ctx, tx, params)
    return {"FunctionUrlConfigs": []}


@operation("GetFunctionEventInvokeConfig", SERVICE)
def get_event_invoke(ctx, tx, params):
    named = _named(ctx, tx, params)
    raise ResourceNotFoundException(f"The function {names.function_arn(ctx, ctx.account, named.name, named.qualifier)}"
                                    " doesn't have an EventInvokeConfig")


@operation("ListFunctionEventInvokeConfigs", SERVICE)
def list_event_invoke(ctx, tx, params):
    _named(ctx, tx, params)
    return {"FunctionEventInvokeConfigs": []}


@operation("GetProvisionedConcurrencyConfig", SERVICE)
def get_provisioned(ctx, tx, params):
    _named(ctx, tx, params)
    raise names.errors.ProvisionedConcurrencyConfigNotFoundException("No Provisioned Concurrency Config found for "
                                                                     "this function")


@operation("ListProvisionedConcurrencyConfigs", SERVICE)
def list_provisioned(ctx, tx, params):
    _named(ctx, tx, params)
    return {"ProvisionedConcurrencyConfigs": []}
