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


@pytest.fixture(scope="module")
def own_server():
    # Alternate domain names are unique across CloudFront, not per account: the walk-throughs' names
    # (shop.example.com, ...) would collide with other tests' on the shared server.
    from serving import RunningServer

    with RunningServer() as running:
        yield running


@pytest.fixture
def server(own_server):
    return own_server


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


def example(name: str) -> str:
    match = re.search(rf"<!-- example: {name} -->\n```\w+\n(.*?)\n```", README.read_text(), re.S)
    assert match, f"README.md has no {name} example"
    return match.group(1)


def test_function_and_key_value_store_examples(tmp_path):
    """"Point your tools at it", then the CloudFront Functions and KeyValueStore keys examples, as written but
    for the port, on a server of their own (they use the default account)."""
    from serving import RunningServer

    with RunningServer() as server:
        script = "\n".join(example(name) for name in ("connect", "functions", "kvs"))
        script = script.replace("http://127.0.0.1:4599", server.url)
        script += "\nprint(kvs.get_key(KvsARN=store['ARN'], Key='example.com')['Value'])"
        result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tenant-a"


def test_simulated_dns_example(tmp_path):
    """The simulated DNS example: a tenant's domain verified and its managed certificate issued."""
    from serving import RunningServer

    with RunningServer() as server:
        script = "\n".join(example(name) for name in ("connect", "dns")).replace("http://127.0.0.1:4599", server.url)
        result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == 0, result.stderr


def test_edge_example(tmp_path):
    """The edge example, as written but for the ports: a page of a real origin server through the edge."""
    import functools
    import http.server
    import threading

    from serving import RunningServer

    (tmp_path / "index.html").write_text("hello from the origin")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with RunningServer() as server:
            script = "\n".join(example(name) for name in ("connect", "edge", "edge-tenant"))
            # Viewers and the API on one port, as the README says.
            script = script.replace("http://127.0.0.1:4599", server.url)
            assert "4598" not in script
            script = script.replace('"HTTPPort": 8080', f'"HTTPPort": {origin.server_address[1]}')
            script += "\nprint(answer.status_code, answer.headers['X-Cache'], answer.text)"
            result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                                    timeout=120)
    finally:
        origin.shutdown()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "200 Miss from cloudfront hello from the origin"


def test_lambda_edge_example(tmp_path):
    """The Lambda@Edge example after the edge example, as written but for the ports: a Node.js function from an
    in-memory zip, published, attached on viewer-request, and its redirect seen by a viewer."""
    import functools
    import http.server
    import threading

    from serving import RunningServer

    (tmp_path / "index.html").write_text("hello from the origin")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    try:
        with RunningServer() as server:
            script = "\n".join(example(name) for name in ("connect", "edge", "lambda-edge"))
            script = script.replace("http://127.0.0.1:4599", server.url)
            script = script.replace('"HTTPPort": 8080', f'"HTTPPort": {origin.server_address[1]}')
            # /index.html is not /old: the function hands it on, and the origin answers it.
            script += ("\npage = requests.get(f'{server}/index.html', headers={'Host': moved['DomainName']})"
                       .replace("{server}", server.url))
            script += "\nprint(functions.get_function(FunctionName='redirects')['Configuration']['Runtime'], page.text)"
            result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                                    timeout=120)
            logged = list(server.lines)
    finally:
        origin.shutdown()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nodejs20.x hello from the origin"
    assert not [line for line in logged if "internal error" in line]
