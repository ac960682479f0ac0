"""The README's first minute, every line as written but for the port: install into a fresh environment, a
built site on --s3-dir, a distribution on it with boto3 and with the AWS CLI, each opened in a real browser
(headless Chromium) at its *.cloudfront.localhost name, then an edit and an invalidation."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from browser import chromium

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SITE = {
    "index.html": '<!doctype html><html><head><title>My site</title><link rel="stylesheet" href="style.css">'
                  '<script src="app.js" defer></script></head><body><h1>Hello</h1><p id="js"></p></body></html>',
    "style.css": "h1 { color: rgb(1, 2, 3); }",
    "app.js": 'document.getElementById("js").textContent = "script ran";',
}


def block(name: str) -> str:
    match = re.search(rf"<!-- quickstart: {name} -->\n```\w+\n(.*?)\n```", README.read_text(), re.S)
    assert match, f"README.md has no quickstart {name} block"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else "the server stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on {port}")


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory) -> Path:
    """A new environment on top of the one the suite runs in, where the install line runs as written; the
    clients it names are already there, so pip builds and installs only the emulator."""
    home = tmp_path_factory.mktemp("quickstart-env")
    venv.create(home, system_site_packages=True, with_pip=True)
    bin_dir = home / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(["bash", "-c", block("install")], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return bin_dir


def _page(driver, url: str) -> dict:
    driver.get(url)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and driver.execute_script("return document.getElementById('js') && "
                                                                "document.getElementById('js').textContent") != "script ran":
        time.sleep(0.05)
    return driver.execute_script("""
        const h1 = document.querySelector('h1'), js = document.getElementById('js');
        return {title: document.title, h1: h1 && h1.textContent, color: h1 && getComputedStyle(h1).color,
                js: js && js.textContent};""")


def _read_open_line(shell: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = shell.stdout.readline()
        assert line, "the shell ended: " + shell.stderr.read()
        if line.startswith("open "):
            return line.split(" ", 1)[1].strip()
    raise AssertionError("the CLI block printed no URL")


def test_a_static_site_in_a_browser(fresh_python, tmp_path):
    work = tmp_path / "project"
    (work / "dist").mkdir(parents=True)
    for name, text in SITE.items():
        (work / "dist" / name).write_text(text)
    port = _free_port()
    env = {**os.environ, "PATH": f"{fresh_python}{os.pathsep}{os.environ['PATH']}", "CLOUDFRONT_LOCAL_PORT": str(port),
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_PAGER": ""}
    env.pop("PYTHONPATH", None)
    for name in [k for k in env if k.startswith("AWS_ENDPOINT_URL")]:
        env.pop(name)
    # The serve block leaves the server running in the background; its own process group lets the test stop it.
    server = subprocess.Popen(["bash", "-c", block("serve") + "\nwait"], cwd=work, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(port, server)
        python = subprocess.run([str(fresh_python / "python3"), "-c", block("boto3").replace("4599", str(port))],
                                cwd=work, env=env, capture_output=True, text=True, timeout=60)
        assert python.returncode == 0, python.stderr
        [boto3_url] = re.findall(r"open (http://\S+)", python.stdout)
        assert re.fullmatch(rf"http://d[a-z0-9]+\.cloudfront\.localhost:{port}/", boto3_url), boto3_url
        with chromium() as driver:
            assert _page(driver, boto3_url) == {"title": "My site", "h1": "Hello", "color": "rgb(1, 2, 3)",
                                                "js": "script ran"}
            # The CLI block, then the edit block, in one shell: the edit names the CLI's distribution by $id.
            shell = subprocess.Popen(["bash"], cwd=work, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            try:
                shell.stdin.write(block("cli").replace("4599", str(port)) + "\n")
                shell.stdin.flush()
                cli_url = _read_open_line(shell)
                assert cli_url != boto3_url
                assert _page(driver, cli_url)["h1"] == "Hello"
                shell.stdin.write(block("edit") + "\nexit\n")
                shell.stdin.flush()
                output, errors = shell.communicate(timeout=120)
                assert shell.returncode == 0, errors
                assert '"Invalidation"' in output and '"/*"' in output, output  # what create-invalidation prints
            finally:
                shell.kill() if shell.poll() is None else None
            # Invalidated, the CLI's distribution answers the edited page; the other one keeps its cached copy.
            assert _page(driver, cli_url)["h1"] == "Hello again"
            assert _page(driver, boto3_url)["h1"] == "Hello"
        assert (work / "buckets" / "site" / "index.html").read_text().strip() == "<h1>Hello again</h1>"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
