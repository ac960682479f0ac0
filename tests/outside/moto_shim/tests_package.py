"""Written as `tests/__init__.py` beside moto's extracted `tests/test_cloudfront/`, in place of moto's own (which
imports moto's configuration): the helpers moto's CloudFront tests take from their `tests` package."""
from functools import wraps

from moto import mock_aws

DEFAULT_ACCOUNT_ID = "123456789012"


def aws_verified(func):
    """moto runs such a test against AWS when asked to; here it always runs against the emulator."""

    @wraps(func)
    def run(**kwargs):
        with mock_aws():
            return func(**kwargs)

    return run
