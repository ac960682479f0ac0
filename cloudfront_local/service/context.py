"""What a handler knows about the call besides its parameters."""
from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings


@dataclass(frozen=True)
class Context:
    account: str
    now: float          # seconds since the epoch, read once per request
    settings: Settings
