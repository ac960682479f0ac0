"""Stand-in for the `moto` package while moto's own CloudFront tests run against cloudfront-local.

moto's tests decorate themselves with `mock_aws`; here every activation is a `mock_cloudfront` (the emulator
in-process, on a fresh state, as moto's mock is) in which the account already holds the origin access
identity the tests' example distributions name. Nothing of moto itself is imported or needed: this package is
on sys.path only for that run (tests/outside/moto_suite.py).
"""
from __future__ import annotations

import contextlib
import threading

import boto3

from cloudfront_local import mock_cloudfront
from cloudfront_local.service.access.origin_access_identities import ORIGIN_ACCESS_IDENTITY

# moto's example distributions name `origin-access-identity/cloudfront/00000000000001`, which moto never checks.
# CloudFront refuses a distribution naming an identity that does not exist (InvalidOriginAccessIdentity), so
# without it nearly every distribution test would stop at its first call; with it they reach what they test.
SEEDED_IDENTITY = "00000000000001"
_seeding = threading.Lock()


def _seed_identity() -> None:
    family = ORIGIN_ACCESS_IDENTITY
    new_id = family.new_id
    with _seeding:
        # Family is a frozen dataclass shared by the whole process: swap its id maker for this one create only.
        object.__setattr__(family, "new_id", lambda: SEEDED_IDENTITY)
        try:
            boto3.client("cloudfront", region_name="us-east-1").create_cloud_front_origin_access_identity(
                CloudFrontOriginAccessIdentityConfig={"CallerReference": "moto-suite-seed", "Comment": ""})
        finally:
            object.__setattr__(family, "new_id", new_id)


class mock_aws(contextlib.ContextDecorator):  # noqa: N801 - moto's name
    """`@mock_aws` or `with mock_aws():`, as moto's CloudFront tests use it."""

    def __new__(cls, func=None):
        if func is not None:  # bare @mock_aws
            return cls()(func)
        return super().__new__(cls)

    def __enter__(self):
        self._mock = mock_cloudfront().start()
        _seed_identity()
        return self

    def __exit__(self, *exc):
        self._mock.stop()
        return False


__all__ = ["mock_aws"]
