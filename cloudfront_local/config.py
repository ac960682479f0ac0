"""Settings, from command-line flags or CLOUDFRONT_LOCAL_* environment variables (flags win)."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

DEFAULT_PORT = 4599
DEFAULT_ACCOUNT = "123456789012"
# Per-account quotas; where each number comes from is in docs/behaviour.md.
DEFAULT_CONNECTION_GROUP_QUOTA = 100
DEFAULT_ANYCAST_IP_LIST_QUOTA = 10
DEFAULT_DISTRIBUTION_QUOTA = 500
DEFAULT_DISTRIBUTION_TENANT_QUOTA = 10_000
# The rest of AWS's per-account quotas, from CloudFront's quotas page (docs/behaviour.md, "Quotas").
DEFAULT_QUOTAS = {
    "cache_policy": 20, "origin_request_policy": 20, "response_headers_policy": 20,
    "origin_access_control": 100, "origin_access_identity": 100, "public_key": 10, "key_group": 10,
    "field_level_encryption_config": 10, "field_level_encryption_profile": 10, "realtime_log_config": 150,
    "continuous_deployment_policy": 20, "vpc_origin": 25, "trust_store": 20,
    "function": 100, "connection_function": 100, "key_value_store": 50,
}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # A listener for viewers alone; 0 picks a free port, -1 (default) none: the API's port answers viewers by
    # their Host, so a second server never fails on a port the first holds.
    edge_port: int = -1
    edge_tls_port: int = -1             # viewer traffic over HTTPS; 0 picks a free port, -1 (default) none
    state: str | None = None            # None: a fresh in-memory state; a path: a durable SQLite file
    deploy_delay: float = 0.0           # seconds from a change until its Status reads Deployed
    default_account: str = DEFAULT_ACCOUNT
    connection_group_quota: int = DEFAULT_CONNECTION_GROUP_QUOTA
    anycast_ip_list_quota: int = DEFAULT_ANYCAST_IP_LIST_QUOTA
    distribution_quota: int = DEFAULT_DISTRIBUTION_QUOTA
    distribution_tenant_quota: int = DEFAULT_DISTRIBUTION_TENANT_QUOTA
    cache_policy_quota: int = DEFAULT_QUOTAS["cache_policy"]
    origin_request_policy_quota: int = DEFAULT_QUOTAS["origin_request_policy"]
    response_headers_policy_quota: int = DEFAULT_QUOTAS["response_headers_policy"]
    origin_access_control_quota: int = DEFAULT_QUOTAS["origin_access_control"]
    origin_access_identity_quota: int = DEFAULT_QUOTAS["origin_access_identity"]
    public_key_quota: int = DEFAULT_QUOTAS["public_key"]
    key_group_quota: int = DEFAULT_QUOTAS["key_group"]
    field_level_encryption_config_quota: int = DEFAULT_QUOTAS["field_level_encryption_config"]
    field_level_encryption_profile_quota: int = DEFAULT_QUOTAS["field_level_encryption_profile"]
    realtime_log_config_quota: int = DEFAULT_QUOTAS["realtime_log_config"]
    continuous_deployment_policy_quota: int = DEFAULT_QUOTAS["continuous_deployment_policy"]
    vpc_origin_quota: int = DEFAULT_QUOTAS["vpc_origin"]
    trust_store_quota: int = DEFAULT_QUOTAS["trust_store"]
    function_quota: int = DEFAULT_QUOTAS["function"]
    connection_function_quota: int = DEFAULT_QUOTAS["connection_function"]
    key_value_store_quota: int = DEFAULT_QUOTAS["key_value_store"]
    credentials: str | None = None      # a TOML file of keys: with it, every request must be signed
    max_body_bytes: int = 1024 * 1024   # larger request bodies are refused before they are read
    s3_endpoint: str | None = None      # where S3 objects that requests name are read (CA bundles)
    s3_dir: str | None = None           # local buckets: each subdirectory a bucket, each file an object
    # Website hosting of local buckets: (bucket, index document suffix, error document key or None) triples.
    # Given as a mapping {bucket: (index, error)}, "BUCKET=INDEX[,ERROR]" strings, or such strings in one
    # whitespace-separated text (the environment variable); kept as a tuple so Settings stays hashable.
    s3_website: tuple = ()
    log_requests: bool = True
    log_format: str = "text"            # the edge's line per viewer request: "text" or "json"
    request_log_size: int = 1000        # viewer requests kept for GET /_cloudfront-local/requests (a ring)
    # CloudFront's logs of viewer requests (edge/standard_logs.py, edge/realtime_logs.py): how often waiting
    # lines are written out, how many may wait, where real-time records go.
    log_flush_seconds: float = 5.0
    log_buffer_lines: int = 10_000
    kinesis_endpoint: str | None = None  # a Kinesis endpoint (moto, LocalStack) real-time records are put to
    log_dir: str | None = None           # without one, real-time records go to a file per stream here
    lambda_workers: int = 8             # Lambda@Edge worker processes at once, across function versions
    # A WebSocket connection at the edge with no byte from the origin for this long is closed: CloudFront's
    # 10 minutes (quotas page, "Origin response timeout (idle timeout)"); shorter for tests.
    websocket_idle_seconds: float = 600.0

    def __post_init__(self):
        object.__setattr__(self, "s3_website", websites(self.s3_website))

    def website(self, bucket: str) -> tuple[str, str | None] | None:
        """The (index document suffix, error document key) of a local bucket with website hosting, else None."""
        return next(((index, error) for name, index, error in self.s3_website if name == bucket), None)

    @classmethod
    def from_env(cls, environ=None, **overrides) -> "Settings":
        """Defaults, then CLOUDFRONT_LOCAL_<FIELD> from the environment, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            raw = environ.get("CLOUDFRONT_LOCAL_" + spec.name.upper())
            if raw is not None and raw != "":
                values[spec.name] = _convert(spec.name, raw, type(getattr(cls, spec.name)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        if not (len(self.default_account) == 12 and self.default_account.isdigit()):
            raise ValueError("the default account must be 12 digits")
        if not 0 <= self.deploy_delay < 366 * 24 * 3600:  # also refuses nan and inf
            raise ValueError("the deploy delay must be a number of seconds from 0 to a year")
        if not 0 <= self.port <= 65535:
            raise ValueError("the port must be from 0 to 65535")
        if not -1 <= self.edge_port <= 65535:
            raise ValueError("the edge port must be from 0 to 65535, or -1 for no edge listener of its own")
        if not -1 <= self.edge_tls_port <= 65535:
            raise ValueError("the edge TLS port must be from 0 to 65535, or -1 for none")
        if self.lambda_workers < 1:
            raise ValueError("the Lambda worker count must be at least 1")
        if not 0 < self.websocket_idle_seconds < 366 * 24 * 3600:  # also refuses nan and inf
            raise ValueError("the WebSocket idle timeout must be a number of seconds above 0, up to a year")
        if self.log_format not in ("text", "json"):
            raise ValueError(f"the log format is text or json, not {self.log_format!r}")
        if self.request_log_size < 0:
            raise ValueError("the request log size cannot be negative")
        if self.max_body_bytes < 1:
            raise ValueError("the body size limit must be positive")
        if not 0 < self.log_flush_seconds <= 24 * 3600:  # also refuses nan
            raise ValueError("the log flush interval must be from a moment to a day, in seconds")
        if self.log_buffer_lines < 1:
            raise ValueError("the log buffer must hold at least one line")
        if self.log_dir is not None and not os.path.isdir(self.log_dir):
            raise ValueError(f"the log directory {self.log_dir!r} is not a directory")
        if self.s3_dir is not None and not os.path.isdir(self.s3_dir):
            raise ValueError(f"the S3 directory {self.s3_dir!r} is not a directory")
        for name in quota_fields():
            if getattr(self, name) < 0:
                raise ValueError(f"the {name.replace('_', ' ')} cannot be negative")


def quota_fields() -> list[str]:
    return [spec.name for spec in fields(Settings) if spec.name.endswith("_quota")]


def websites(value) -> tuple:
    """Website configurations as (bucket, index, error or None) triples. S3 refuses an index document
    suffix that is empty or holds a slash (PutBucketWebsite, IndexDocument.Suffix); so do we."""
    if isinstance(value, str):
        value = value.split()
    if isinstance(value, dict):
        items = []
        for bucket, documents in value.items():
            if isinstance(documents, str):
                documents = (documents,)
            documents = tuple(documents)
            if not 1 <= len(documents) <= 2:
                raise ValueError(f"the website of bucket {bucket!r} takes (index document, error document)")
            items.append((bucket, documents[0], documents[1] if len(documents) > 1 else None))
    else:
        items = []
        for item in value or ():
            if isinstance(item, (tuple, list)) and len(item) == 3:
                items.append(tuple(item))
                continue
            if not isinstance(item, str) or "=" not in item:
                raise ValueError(f"a website is BUCKET=INDEX[,ERROR], not {item!r}")
            bucket, _, documents = item.partition("=")
            index, _, error = documents.partition(",")
            items.append((bucket, index, error or None))
    for bucket, index, error in items:
        if not isinstance(bucket, str) or not bucket:
            raise ValueError("a website needs the bucket's name")
        if not isinstance(index, str) or not index or "/" in index:
            raise ValueError(f"the index document of bucket {bucket!r} must be a name without '/', not {index!r}")
        if error is not None and (not isinstance(error, str) or not error):
            raise ValueError(f"the error document of bucket {bucket!r} must be an object key")
    return tuple((bucket, index, error) for bucket, index, error in items)


def _convert(name: str, raw: str, kind: type):
    if name in ("state", "credentials", "s3_endpoint", "s3_dir", "s3_website", "kinesis_endpoint", "log_dir"):
        return raw
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    try:
        return kind(raw)
    except ValueError:
        raise ValueError(f"CLOUDFRONT_LOCAL_{name.upper()}={raw!r} is not a {kind.__name__}") from None
