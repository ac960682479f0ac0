"""cloudfront-local: a local emulator of the Amazon CloudFront control-plane API."""
__version__ = "0.1.0"

__all__ = ["__version__", "mock_cloudfront"]


def __getattr__(name):
    # The mock imports botocore's endpoint machinery; load it only for those who ask for it.
    if name == "mock_cloudfront":
        from .mock import mock_cloudfront

        return mock_cloudfront
    raise AttributeError(name)
