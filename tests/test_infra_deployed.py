"""Checks against a deployed stack: opt-in, skipped unless PRAATMEE_DEPLOYED_URL is set (README, Deploy).

    PRAATMEE_DEPLOYED_URL=https://d1234.cloudfront.net .venv/bin/pytest -m deployed
    (and PRAATMEE_DEPLOYED_API_URL=<the ApiDirectUrl output> for the direct-call check; with the API's own
    domain the execute-api address is off and that output is gone: use https://<API_DOMAIN>)

The concurrency test writes real registrations, so it needs a second opt-in with a bounded count:
    PRAATMEE_DEPLOYED_CONCURRENCY=60 (at most MAX_CONCURRENCY) and preferably a throwaway deployment.
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest

from infra import names

URL = os.environ.get("PRAATMEE_DEPLOYED_URL", "").rstrip("/")
API_URL = os.environ.get("PRAATMEE_DEPLOYED_API_URL", "").rstrip("/")
# WAF blocks an IP after WAF_RATE_LIMIT requests in five minutes: stay well below it.
MAX_CONCURRENCY = names.WAF_RATE_LIMIT // 2
TIMEOUT = 15

pytestmark = [
    pytest.mark.deployed,
    pytest.mark.skipif(not URL, reason="set PRAATMEE_DEPLOYED_URL to test a deployed stack"),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(
    path: str, *, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(URL + path, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(request, timeout=TIMEOUT) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def is_real_deployment(url: str) -> bool:
    """HTTPS and not this machine: the local stack runs on moto, which is not safe under concurrency."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address
        loopback = host == "localhost" or host.endswith(".localhost")
    return parts.scheme == "https" and not loopback


def test_the_url_is_a_real_https_deployment() -> None:
    assert is_real_deployment(URL), f"{URL} is not a deployed stack"


def test_pages_carry_the_security_headers() -> None:
    status, headers, _ = fetch("/")
    assert status == 200
    assert int(headers["strict-transport-security"].split("max-age=")[1].split(";")[0]) >= 31_536_000
    assert headers["content-security-policy"] == names.CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_directory_urls_work() -> None:
    status, headers, _ = fetch("/doel")
    assert status == 301
    assert headers["location"] == "/doel/"
    status, _, body = fetch("/doel/")
    assert status == 200
    assert b"<html" in body


def test_plain_http_is_redirected_to_https() -> None:
    request = urllib.request.Request("http://" + URL.removeprefix("https://") + "/")
    with pytest.raises(urllib.error.HTTPError) as refused:
        OPENER.open(request, timeout=TIMEOUT)
    assert refused.value.code == 301
    assert refused.value.headers["location"].startswith("https://")


def test_api_lists_the_seeded_meetings() -> None:
    status, _, body = fetch("/api/meetings")
    assert status == 200
    meetings = json.loads(body)["meetings"]
    assert {m["id"] for m in meetings} >= {"noord-wolvega", "zuid-helmond", "midden-utrecht", "online"}


def test_an_unknown_page_gets_the_dutch_404_page_and_the_api_keeps_its_json_404() -> None:
    status, headers, body = fetch("/bestaat-niet/")
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert "max-age=60" in headers["cache-control"]
    assert 'lang="nl"' in body.decode()
    status, headers, _ = fetch("/api/bestaat-niet")
    assert status == 404
    assert headers["content-type"].startswith("application/json")


@pytest.mark.skipif(
    not API_URL,
    reason="set PRAATMEE_DEPLOYED_API_URL: the ApiDirectUrl output, or https://<API_DOMAIN> when the API "
    "has its own domain (its execute-api address is off)",
)
def test_a_direct_call_to_the_api_skipping_cloudfront_is_refused() -> None:
    request = urllib.request.Request(API_URL + "/api/meetings")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=TIMEOUT)
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["errors"][0]["code"] == "not_through_site"


def test_form_posts_from_other_sites_are_refused() -> None:
    status, _, _ = fetch(
        "/api/registrations",
        method="POST",
        body=b"meeting=online",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"},
    )
    assert status == 403


def seats(meeting_id: str) -> dict[str, Any]:
    _, _, body = fetch("/api/meetings")
    found: dict[str, Any] = next(m for m in json.loads(body)["meetings"] if m["id"] == meeting_id)
    return found


def register(meeting_id: str) -> str:
    """One sign-up with a unique address; retries a 503 a few times, as the browser tells people to."""
    body = {
        "meeting": meeting_id,
        "name": "Concurrency Test",
        "email": f"praatmee-load-{uuid.uuid4().hex}@example.org",
        "role": "anders",
        "sector": "vo",
        "themes": ["dyslexie"],
        "privacy_consent": True,
        "under_16": False,
    }
    for _ in range(4):
        status, _, answer = fetch(
            "/api/registrations",
            method="POST",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Origin": URL},
        )
        if status != 503:
            break
    assert status == 201, (status, answer[:200])
    result: str = json.loads(answer)["status"]
    return result


def test_concurrent_sign_ups_on_real_dynamodb_hold_no_seat_until_confirmed() -> None:
    """Sign-ups at once all get their answer, and none takes a seat or a waiting-list place before its
    address is confirmed. The confirm step (where seats are taken) cannot run here: its link goes to the
    invented addresses. The seat race itself is proven on moto under real threads (test_confirmation.py,
    test_store_concurrency.py)."""
    count = int(os.environ.get("PRAATMEE_DEPLOYED_CONCURRENCY", "0"))
    if not count:
        pytest.skip("writes registrations: set PRAATMEE_DEPLOYED_CONCURRENCY to a count to run it")
    assert 0 < count <= MAX_CONCURRENCY, f"keep the count at most {MAX_CONCURRENCY} (WAF rate limit)"
    assert is_real_deployment(URL), "only against real DynamoDB: never a local URL"
    meeting_id = os.environ.get("PRAATMEE_DEPLOYED_MEETING", "online")
    before = seats(meeting_id)

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: register(meeting_id), range(count)))

    after = seats(meeting_id)
    assert statuses == ["unconfirmed"] * count
    assert after["seats_left"] == before["seats_left"]
    assert after["waitlist_length"] == before["waitlist_length"]
