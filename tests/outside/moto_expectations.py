"""Which of moto's CloudFront tests (moto_suite.VERSION) fail against cloudfront-local, and why.

Every other test must pass. Each entry must fail, with `fragment` in its failure's report, so the list
cannot rot: a test that starts passing, or fails for another reason, fails tests/outside/test_moto_suite.py.

kind:
  "moto"  moto asserts what moto does and CloudFront does not; docs/behaviour.md, "Outside test suites", gives
          the source for what CloudFront does. These stay.
  "bug"   the emulator differs from CloudFront: to fix, then to take out of this list.
  "open"  no source found settles what CloudFront does; we keep our answer until one does.

An id ending in "*" stands for every test id it begins (the parametrized cases of one test).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    kind: str
    fragment: str
    why: str


D = "test_cloudfront_distributions.py::"
EXPECTED_FAILURES: dict[str, Expected] = {
    # -- emulator bugs -------------------------------------------------------------------------------
    D + "test_create_distribution_s3_minimum[cn-north-1-aws-cn]": Expected(
        "bug", "arn:aws-cn:",
        "a client of the China partition (signing for cn-north-1) gets arn:aws: ARNs; CloudFront in China "
        "answers arn:aws-cn:"),
    # -- what moto does and CloudFront does not --------------------------------------------------------
    D + "test_create_distribution_s3_minimum[us-west-1-aws]": Expected(
        "moto", "assert {'Enabled': F",
        "ActiveTrustedSigners with no signers: moto answers Items: [], CloudFront leaves Items out"),
    "test_cloudfront.py::test_update_distribution_trusted_signers": Expected(
        "moto", "InconsistentQuantities",
        "sets TrustedSigners Items without their Quantity, which CloudFront refuses"),
    D + "test_get_distribution_config": Expected(
        "moto", "assert False is True",
        "expects Compress true for a create that leaves it out (and IsIPV6Enabled true); CloudFront answers "
        "Compress false"),
    D + "test_create_distribution_with_field_level_encryption_and_real_time_log_config_arn": Expected(
        "moto", "NoSuchFieldLevelEncryptionConfig",
        "names a field-level encryption config that does not exist"),
    D + "test_create_distribution_with_origins": Expected(
        "moto", "OriginShieldRegion' failed to satisfy constraint",
        "OriginShieldRegion \"east\" is not a region"),
    "test_cloudfront.py::test_update_distribution": Expected(
        "moto", "The domain name 'alias1' is not valid.", "aliases that are not domain names"),
    D + "test_create_distribution_with_additional_fields[aliases0-*": Expected(
        "moto", "The domain name 'alias1' is not valid.", "aliases that are not domain names"),
    D + "test_create_distribution_with_additional_fields[aliases1-*": Expected(
        "moto", "The specified quantity of Aliases (2) does not match the actual quantity supplied (1).",
        "Aliases Quantity 2 with one item"),
    D + "test_create_distribution_custom_config[ssl_protocols0]": Expected(
        "moto", "The specified quantity of OriginSslProtocols (2)", "OriginSslProtocols Quantity 2 with one item"),
    D + "test_create_distribution_returns_etag": Expected(
        "moto", "assert 14 == 13", "moto's ETags are 13 characters; CloudFront's are 14 (E2QWRUHAPOMQZL)"),
    D + "test_get_distribution": Expected(
        "moto", "assert 14 == 13", "moto's ETags are 13 characters; CloudFront's are 14 (E2QWRUHAPOMQZL)"),
    D + "test_delete_distribution_random_etag": Expected(
        "moto", "PreconditionFailed", "deletes with IfMatch \"anything\" (moto: \"Etag validation is not "
        "implemented yet\")"),
    D + "test_add_new_gateway_basic": Expected(
        "moto", "PreconditionFailed", "updates with IfMatch \"1\""),
    "test_cloudfront_invalidation.py::test_create_invalidation_with_single_path": Expected(
        "moto", "assert 'Completed' == 'COMPLETED'", "moto's invalidation status is COMPLETED, CloudFront's Completed"),
    "test_cloudfront_invalidation.py::test_create_invalidation_with_multiple_paths": Expected(
        "moto", "assert 'Completed' == 'COMPLETED'", "moto's invalidation status is COMPLETED, CloudFront's Completed"),
    "test_cloudfront_invalidation.py::test_list_invalidations": Expected(
        "moto", "assert 'Completed' == 'COMPLETED'", "moto's invalidation status is COMPLETED, CloudFront's Completed"),
    "test_cloudfront_invalidation.py::test_list_invalidations__no_entries": Expected(
        "moto", "NoSuchDistribution", "lists the invalidations of a distribution that does not exist"),
    "test_cloudfront_keys.py::test_list_public_keys": Expected(
        "moto", "The encoded public key is not a PEM-encoded public key.", "EncodedKey \"some data\""),
    "test_cloudfront_keyvaluestores.py::test_update_key_value_store": Expected(
        "moto", "PreconditionFailed", "updates with the store's ARN as IfMatch"),
    "test_cloudfront_keyvaluestores.py::test_delete_key_value_store": Expected(
        "moto", "PreconditionFailed", "deletes with the store's ARN as IfMatch"),
    "test_cloudfront_oac.py::test_create_origin_access_control": Expected(
        "moto", "KeyError: 'Items'", "an empty ListOriginAccessControls: moto answers Items: [], CloudFront "
        "leaves Items out"),
    "test_cloudfront_oac.py::test_update_origin_access_control": Expected(
        "moto", "InvalidIfMatchVersion", "updates without IfMatch"),
    # -- not settled ---------------------------------------------------------------------------------
    D + "test_delete_distribution_without_ifmatch": Expected(
        "open", "assert 404 == 400",
        "DeleteDistribution of an id that does not exist, without IfMatch: moto answers InvalidIfMatchVersion, "
        "we NoSuchDistribution; which check CloudFront makes first is not documented"),
    "test_cloudfront_keyvaluestores.py::test_create_key_value_store": Expected(
        "open", "+ lue-store/test",
        "CreateKeyValueStore's Location: moto ends it with the store's Id, we with its Name (the key the "
        "model's KeyValueStore paths take); no AWS answer found"),
}


def expectation_for(test: str) -> Expected | None:
    if test in EXPECTED_FAILURES:
        return EXPECTED_FAILURES[test]
    for key, expected in EXPECTED_FAILURES.items():
        if key.endswith("*") and test.startswith(key[:-1]):
            return expected
    return None


def covers(key: str, test: str) -> bool:
    return test == key or (key.endswith("*") and test.startswith(key[:-1]))
