"""cloudfront-local: a local emulator of the Amazon CloudFront control-plane API."""
__version__ = "0.1.0"

__all__ = ["__version__"]
