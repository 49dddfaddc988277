"""Only requests that came through CloudFront reach the API and the room.

The HTTP API's own `execute-api` address is public, and calls to it skip every WAF rule. CloudFront adds a
secret header to each request it sends to the API (an origin custom header, its value from Secrets Manager);
both handlers check it first, before routing, reading a body or touching DynamoDB, and refuse the rest.

The secret is JSON: `{"current": "..."}`, with `"previous"` beside it during a rotation (README, Deploy), so
both values pass while CloudFront's copy changes. Locally `make serve` plays CloudFront: it sets the value
itself and adds the header to every request it hands to the handlers.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

HEADER = "x-praatmee-origin"
# The one Dutch message of this refusal (texts.py is full; this is its only caller).
MESSAGE = "Deze vraag kwam niet via de website. Ga naar de website en probeer het daar opnieuw."
CODE = "not_through_site"


def refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """A 403 answer for a request without CloudFront's header (or with a wrong one), else None."""
    from praatmee.settings import get_origin_settings

    accepted = get_origin_settings().accepted()
    if accepted is None:
        return None
    # API Gateway (payload 2.0) hands header names over in lower case.
    given = str((event.get("headers") or {}).get(HEADER, "")).encode()
    # Compare with every accepted value, without stopping early: the time taken tells nothing.
    matches = [hmac.compare_digest(given, value) for value in accepted]
    if given and any(matches):
        return None
    body = {"errors": [{"field": None, "code": CODE, "message": MESSAGE}]}
    return {
        "statusCode": 403,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(body, ensure_ascii=False),
    }
