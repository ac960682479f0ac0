import itertools
import os

import boto3
import botocore.config
import pytest

from postgres_cluster import Cluster, binaries
from serving import RunningServer

# Tests run against local servers only: never let a stray AWS configuration leak in.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

_accounts = itertools.count(100000000000 + os.getpid() % 1000 * 100000)


@pytest.fixture(scope="session")
def server():
    with RunningServer() as running:
        yield running


def make_client(url: str, account: str | None = None, **config):
    """A boto3 CloudFront client for `url`. A 12-digit access key id makes calls land in that account."""
    return boto3.client(
        "cloudfront",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=account or "AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=botocore.config.Config(retries={"max_attempts": 1}, **config),
    )


@pytest.fixture
def account() -> str:
    """A fresh account for each test, so tests never see each other's resources."""
    return str(next(_accounts))


@pytest.fixture
def stranger(server):
    """A client of another fresh account, for what must stay invisible across accounts."""
    return make_client(server.url, str(next(_accounts)))


@pytest.fixture
def client(server, account):
    return make_client(server.url, account)


@pytest.fixture
def raw_client(server, account):
    """A client that skips boto3's own parameter checks, to send what boto3 would refuse to."""
    return make_client(server.url, account, parameter_validation=False)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for this test session. Without the server binaries the tests that
    need it skip, except in CI (CI=true), where they must run."""
    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries are missing in CI: .ci/run installs them")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = Cluster()
    yield cluster
    cluster.stop()


def fails(call, code: str, status: int | None = None, **params) -> str:
    """Call a boto3 operation that must fail with `code` (and `status`); returns the error message."""
    import botocore.exceptions

    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**params)
    error = excinfo.value.response
    assert error["Error"]["Code"] == code, error
    if status is not None:
        assert error["ResponseMetadata"]["HTTPStatusCode"] == status, error
    return error["Error"]["Message"]
