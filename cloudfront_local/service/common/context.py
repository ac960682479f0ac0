"""What a handler knows about the call besides its parameters."""
from __future__ import annotations

from typing import NamedTuple

from ...config import Settings


class Context(NamedTuple):  # a tuple: made on every request, so it should cost next to nothing
    account: str
    now: float          # seconds since the epoch, read once per request
    settings: Settings
    region: str = "us-east-1"   # the request's signing region (Lambda's resources are regional)
    endpoint: str = ""          # "http://host:port" the caller reached, for URLs in answers
