"""`moto.core`'s constants the CloudFront tests import: the emulator's default account is moto's too."""
DEFAULT_ACCOUNT_ID = "123456789012"
