"""Lambda@Edge, origin response, on the site's (S3) behaviour only: a page S3 does not have gets the site's
Dutch 404 page with status 404 and a short cache life. The API's and the room's own 404s and 403s are never
seen here, unlike CloudFront's distribution-wide custom error responses, which would replace their JSON.

Shipped alone (standard library only) with the built `404.html` beside it (infra/notfound.py, at synth).
S3 answers 403, not 404, for a missing key: CloudFront's access control may not list the bucket.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

PAGE_FILE = Path(__file__).with_name("404.html")
MISSING = ("403", "404")
# Short: a page published after the miss shows up within a minute.
CACHE_CONTROL = "public, max-age=60"


@cache
def page() -> str:
    return PAGE_FILE.read_text(encoding="utf-8")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = event["Records"][0]["cf"]["response"]
    if response["status"] not in MISSING:
        return response  # untouched, headers and all
    response["status"] = "404"
    response["statusDescription"] = "Not Found"
    response["body"] = page()
    response["bodyEncoding"] = "text"
    headers = response.setdefault("headers", {})
    # S3's error is XML of its own length; CloudFront sets the length of the new body.
    headers.pop("content-length", None)
    headers["content-type"] = [{"key": "Content-Type", "value": "text/html; charset=utf-8"}]
    headers["cache-control"] = [{"key": "Cache-Control", "value": CACHE_CONTROL}]
    return response
