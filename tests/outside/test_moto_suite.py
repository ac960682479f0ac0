"""moto's own CloudFront tests (moto_suite.py) pass against cloudfront-local, but for the listed ones
(moto_expectations.py), each of which fails for its recorded reason.

The first run downloads moto's pinned source archive (about 9 MB) with pip; later runs take it from the cache.
The run itself takes about half a minute.
"""
import pathlib

import pytest

import moto_suite
from moto_expectations import EXPECTED_FAILURES, covers, expectation_for

EXTRACTED_FILES = 12  # moto_suite.VERSION's tests/test_cloudfront, every file of it
COLLECTED = 101       # the tests that run, once EXCLUDED's files are left out


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory):
    cache = getattr(request.config, "cache", None)
    place = pathlib.Path(cache.mkdir("moto-sdist")) if cache is not None else moto_suite.default_cache()
    root = moto_suite.extract(moto_suite.sdist(place), tmp_path_factory.mktemp("moto-cloudfront"))
    folder = root / moto_suite.FOLDER
    assert len(list(folder.iterdir())) == EXTRACTED_FILES
    for name in moto_suite.EXCLUDED:
        assert (folder / name).is_file(), f"{name} is excluded but not in moto's folder"
    return moto_suite.run(root)


def test_every_test_ran(outcomes):
    assert len(outcomes) == COLLECTED
    assert not [o for o in outcomes.values() if o.message.startswith("skipped")]


def test_only_the_listed_tests_fail(outcomes):
    unexpected = {o.test: o.message for o in outcomes.values() if not o.passed and expectation_for(o.test) is None}
    assert unexpected == {}


def test_each_listed_test_fails_for_its_reason(outcomes):
    wrong = {}
    for key, expected in EXPECTED_FAILURES.items():
        cases = [o for o in outcomes.values() if covers(key, o.test)]
        if not cases:
            wrong[key] = "no such test"
        for case in cases:
            if case.passed:
                wrong[case.test] = "passes now: take it out of moto_expectations.py"
            elif expected.fragment not in case.message:
                wrong[case.test] = f"fails otherwise than recorded ({expected.fragment!r}): {case.message}"
    assert wrong == {}
