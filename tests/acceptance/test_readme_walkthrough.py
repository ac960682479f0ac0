"""The README's walk-throughs, run exactly as written against a live server, with boto3 and the AWS CLI."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough(language: str) -> str:
    match = re.search(rf"<!-- walkthrough: {language} -->\n```\w+\n(.*?)\n```", README.read_text(), re.S)
    assert match, f"README.md has no {language} walk-through"
    return match.group(1)


@pytest.fixture
def environment(server, account):
    # The environment the README's "Point your tools at it" section sets, and nothing else.
    bin_dir = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "AWS_ENDPOINT_URL_CLOUDFRONT": server.url, "AWS_ACCESS_KEY_ID": account,
            "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}


def test_python_walkthrough(environment, tmp_path, client):
    result = subprocess.run([sys.executable, "-c", walkthrough("python")], env=environment, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "onboarded and tore down ['shop', 'blog']" in result.stdout
    assert client.list_distribution_tenants()["DistributionTenantList"] == []
    assert client.list_connection_groups()["ConnectionGroups"] == []
    assert client.list_anycast_ip_lists()["AnycastIpLists"]["Quantity"] == 0


def test_cli_walkthrough(environment, tmp_path, client):
    result = subprocess.run(["bash", "-c", walkthrough("sh")], env=environment, cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "onboarded and tore down cli-shop" in result.stdout
    assert client.list_distributions()["DistributionList"]["Quantity"] == 0
    assert client.list_connection_groups()["ConnectionGroups"] == []
