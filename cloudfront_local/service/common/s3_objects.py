"""Reading an S3 object a request names (a trust store's CA bundle, a key value store's import), from the S3
endpoint the user gave with --s3-endpoint: bounded in size and time, and refused clearly without an endpoint."""
from __future__ import annotations

from .context import Context
from .errors import InvalidArgument

MAX_BYTES = 1024 * 1024
TIMEOUT = 5.0


def read(ctx: Context, bucket: str, key: str, region: str, version: str | None = None,
         max_bytes: int = MAX_BYTES) -> bytes:
    # Imported here: an S3 client costs a tenth of a second to import, and most runs never read S3.
    import botocore.config
    import botocore.exceptions
    import botocore.session

    endpoint = ctx.settings.s3_endpoint
    if not endpoint:
        raise InvalidArgument(f"cloudfront-local cannot read s3://{bucket}/{key}: start it with --s3-endpoint "
                              "naming an S3 endpoint (moto, MinIO, LocalStack) that holds the object.")
    session = botocore.session.get_session()
    client = session.create_client(
        "s3", region_name=region or "us-east-1", endpoint_url=endpoint,
        aws_access_key_id="cloudfront-local", aws_secret_access_key="cloudfront-local",
        config=botocore.config.Config(connect_timeout=TIMEOUT, read_timeout=TIMEOUT, retries={"max_attempts": 1},
                                      s3={"addressing_style": "path"}))
    try:
        answer = client.get_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
        body = answer["Body"].read(max_bytes + 1)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise InvalidArgument(f"s3://{bucket}/{key} could not be read from {endpoint}: {error}") from None
    if len(body) > max_bytes:
        raise InvalidArgument(f"s3://{bucket}/{key} is larger than {max_bytes} bytes.")
    return body
