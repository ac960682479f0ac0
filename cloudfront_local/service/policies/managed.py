"""AWS-managed policies, as GetCachePolicy / GetOriginRequestPolicy / GetResponseHeadersPolicy return them.
The data (`managed.json`) and where each entry comes from are described in docs/behaviour.md."""
from __future__ import annotations

import functools
import json
import pathlib


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads((pathlib.Path(__file__).parent / "managed.json").read_text("utf-8"))


def entries(kind: str) -> list[dict]:
    """[{"Id": ..., "<X>PolicyConfig": {...}}] for kind "cache", "origin_request" or "response_headers"."""
    return _data()[kind]
