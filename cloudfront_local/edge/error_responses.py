"""A distribution's custom error responses: for an error status from the origin (or CloudFront's own 502/503/504
for an origin it cannot reach), the page at ResponsePagePath served with ResponseCode, and the error cached for
ErrorCachingMinTTL (Developer Guide, "Generating custom error responses")."""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ERROR_TTL = 10  # seconds CloudFront caches an error without ErrorCachingMinTTL


@dataclass(frozen=True)
class Rule:
    status: int
    page_path: str | None
    response_code: int | None
    ttl: int


def rule_for(config: dict, status: int) -> Rule | None:
    for item in (config.get("CustomErrorResponses") or {}).get("Items") or []:
        if item.get("ErrorCode") == status:
            code = item.get("ResponseCode")
            return Rule(status, item.get("ResponsePagePath") or None,
                        int(code) if code and str(code).isdigit() else None,
                        int(item["ErrorCachingMinTTL"]) if item.get("ErrorCachingMinTTL") is not None
                        else DEFAULT_ERROR_TTL)
    return None
