"""moto's own CloudFront tests (getmoto/moto, Apache-2.0), run unmodified against cloudfront-local.

The tests are not committed here (nothing fetched from another repository is): they come from moto's source
distribution on the package index, pinned by version and by the archive's sha256, which is checked before the
archive is opened. The archive is cached (the pytest cache, or a directory in the system's temp dir); the tests
are extracted to a fresh directory for every run, beside a stand-in `moto` package (moto_shim/moto: `mock_aws`
is `mock_cloudfront`) and a stand-in `tests/__init__.py` (moto_shim/tests_package.py), and run by pytest in a
subprocess. moto itself is never installed or imported.

    python3 tests/outside/moto_suite.py     # run them, print each failure and whether it is the expected one

tests/outside/test_moto_suite.py runs them in the test suite and checks the outcome against
moto_expectations.EXPECTED_FAILURES.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass

VERSION = "5.2.5"
SHA256 = "391857257d5dac144334013c2c10e599def5f0562f553e979160140bd7bd9cf6"
ARCHIVE = f"moto-{VERSION}.tar.gz"
FOLDER = "tests/test_cloudfront"  # inside the archive's top directory

HERE = pathlib.Path(__file__).resolve().parent
SHIM = HERE / "moto_shim"
REPOSITORY = HERE.parent.parent

# Files of moto's folder that are not run, and why.
EXCLUDED = {
    "test_server.py": "drives moto's own HTTP server (moto.server.create_backend_app), not a CloudFront client",
    "test_cloudfront_integration.py": "needs the Resource Groups Tagging API, another AWS service; inside "
                                      "mock_cloudfront its calls would go to the network",
}


def default_cache() -> pathlib.Path:
    return pathlib.Path(tempfile.gettempdir()) / "cloudfront-local-moto-sdist"


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sdist(cache: pathlib.Path) -> pathlib.Path:
    """The pinned archive, from the cache or downloaded by pip into it; its sha256 checked either way."""
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / ARCHIVE
    if archive.exists() and _sha256(archive) == SHA256:
        return archive
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        requirement = pathlib.Path(scratch) / "requirements.txt"
        # --require-hashes: pip refuses anything else; the source build pip does for metadata is the only
        # reason a build backend is fetched, and nothing is installed.
        requirement.write_text(f"moto=={VERSION} --hash=sha256:{SHA256}\n")
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--require-hashes",
             "--disable-pip-version-check", "-q", "-r", str(requirement), "-d", scratch],
            capture_output=True, text=True, timeout=600)
        fetched = pathlib.Path(scratch) / ARCHIVE
        if result.returncode != 0 or not fetched.exists():
            raise RuntimeError(f"pip could not download {ARCHIVE}:\n{result.stdout}\n{result.stderr}")
        if _sha256(fetched) != SHA256:
            raise RuntimeError(f"{ARCHIVE} does not have the pinned sha256 {SHA256}")
        os.replace(fetched, archive)
    return archive


def extract(archive: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    """moto's CloudFront test folder, as it is in the archive, under `into`/tests, with the stand-ins beside it."""
    if _sha256(archive) != SHA256:
        raise RuntimeError(f"{archive} does not have the pinned sha256 {SHA256}")
    prefix = f"moto-{VERSION}/{FOLDER}/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        if not members:
            raise RuntimeError(f"{archive} has no {FOLDER}")
        for member in members:
            name = member.name[len(prefix):]
            if "/" in name:
                continue  # the folder is flat; anything deeper is not moto's CloudFront tests
            target = into / FOLDER / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
    shutil.copyfile(SHIM / "tests_package.py", into / "tests" / "__init__.py")
    (into / "pytest.ini").write_text("[pytest]\n")  # this run's own configuration, not the project's
    return into


@dataclass(frozen=True)
class Outcome:
    test: str      # "test_cloudfront_keys.py::test_list_public_keys", moto's file and test id
    passed: bool
    message: str   # the failure's or error's report, whole ("" when passed)

    @property
    def summary(self) -> str:
        return self.message.splitlines()[0] if self.message else ""


def run(root: pathlib.Path) -> dict[str, Outcome]:
    """Run the extracted folder in a subprocess; every test's outcome by its id."""
    report = root / "report.xml"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("AWS_") and name != "PYTEST_ADDOPTS"}
    env.update({
        # The emulator's default account is moto's (123456789012): no access key that would pick another.
        "AWS_CONFIG_FILE": str(root / "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": str(root / "no-aws-config"),
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SHIM), str(REPOSITORY), os.environ.get("PYTHONPATH")])),
    })
    command = [sys.executable, "-m", "pytest", FOLDER, "-q", "-p", "no:cacheprovider", "-c", "pytest.ini",
               "--rootdir", str(root), f"--junitxml={report}", "-o", "junit_family=xunit2"]
    command += [arg for name in EXCLUDED for arg in ("--ignore", f"{FOLDER}/{name}")]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=900)
    if not report.exists():
        raise RuntimeError(f"pytest wrote no report ({result.returncode}):\n{result.stdout[-4000:]}\n"
                           f"{result.stderr[-4000:]}")
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname").rsplit(".", 1)[-1]
        test = f"{module}.py::{case.get('name')}"
        problem = next((case.find(tag) for tag in ("failure", "error", "skipped") if case.find(tag) is not None),
                       None)
        if problem is None:
            outcomes[test] = Outcome(test, True, "")
            continue
        # The report's message is pytest's summary of the error, which shortens long values; the text's "E" lines
        # have them whole (its other lines are the test's source, which must not count as what it answered).
        errors = [line[1:].strip() for line in (problem.text or "").splitlines() if line.startswith("E ")]
        text = "\n".join(filter(None, [problem.get("message"), *errors])).strip() or problem.tag
        outcomes[test] = Outcome(test, False, ("skipped: " if problem.tag == "skipped" else "") + text)
    return outcomes


def main() -> int:
    from moto_expectations import EXPECTED_FAILURES, expectation_for

    with tempfile.TemporaryDirectory() as scratch:
        outcomes = run(extract(sdist(default_cache()), pathlib.Path(scratch)))
    for outcome in sorted(outcomes.values(), key=lambda o: o.test):
        if outcome.passed:
            continue
        expected = expectation_for(outcome.test)
        verdict = "expected" if expected and expected.fragment in outcome.message else "UNEXPECTED"
        print(f"{verdict:10} {expected.kind if expected else '-':4} {outcome.test}\n           {outcome.summary}")
    failed = sum(not o.passed for o in outcomes.values())
    print(f"{len(outcomes) - failed} passed, {failed} failed; {len(EXPECTED_FAILURES)} entries expected to fail")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
