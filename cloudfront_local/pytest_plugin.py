"""pytest plugin (registered through the `pytest11` entry point): the `cloudfront_local` fixture."""
from __future__ import annotations

import pytest


@pytest.fixture
def cloudfront_local():
    """A boto3 CloudFront client answered in-process, on a fresh state for this test alone."""
    import boto3

    from .mock import mock_cloudfront

    with mock_cloudfront():
        yield boto3.client("cloudfront", region_name="us-east-1")
