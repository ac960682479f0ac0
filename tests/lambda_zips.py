"""Deployment packages for Lambda tests, made in memory as a build step would make them."""
from __future__ import annotations

import io
import zipfile

NODE_PASS_THROUGH = "exports.handler = async (event) => event.Records[0].cf.request;\n"
PYTHON_PASS_THROUGH = "def handler(event, context):\n    return event['Records'][0]['cf']['request']\n"
ROLE = "arn:aws:iam::123456789012:role/edge-lambda"


def package(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def node(source: str = NODE_PASS_THROUGH, name: str = "index.js") -> bytes:
    return package({name: source})


def python(source: str = PYTHON_PASS_THROUGH, name: str = "app.py") -> bytes:
    return package({name: source})
