"""Lambda@Edge code from moto's Lambda, for mock_cloudfront(lambda_api=False): when boto3's Lambda clients are
left to moto's mock_aws, the edge and CloudFront's association checks read a version's code and configuration
from moto's backend instead of our store. moto keeps no public API for a function's zip, so this reads its
backend objects (moto 5: lambda_backends[account][region].get_function, LambdaFunction.code_bytes)."""
from __future__ import annotations

import base64


def version(region: str, account: str, name: str, number: str) -> dict | None:
    """The version as the "lambda-version" doc of our own store holds it, or None if moto has none."""
    try:
        from moto.awslambda.models import lambda_backends
    except ImportError:  # moto not installed: nothing to read
        return None
    try:
        function = lambda_backends[account][region].get_function(name, number)
        code = function.code_bytes
    except Exception:  # moto's answer for a function or version it does not have, whatever its class
        return None
    if str(function.version) != number or not isinstance(code, bytes):
        return None
    variables = dict(function.environment_vars or {})
    return {
        "FunctionName": name, "Version": number, "Region": region,
        "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{name}:{number}",
        "Runtime": function.run_time, "Handler": function.handler, "Timeout": int(function.timeout),
        "MemorySize": int(function.memory_size), "CodeSha256": function.code_sha_256, "CodeSize": len(code),
        "Environment": {"Variables": variables} if variables else {},
        "Code": base64.b64encode(code).decode(),
    }
