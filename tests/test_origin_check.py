"""Only requests that came through CloudFront get an answer from the API and the room: the secret origin
header is checked first, before any routing, body or table (issue 16, "the firewall cannot be walked around").
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from praatmee import api, origin, room, service
from praatmee.laptop import serve
from praatmee.settings import get_origin_settings
from tests.fixtures import REGION, Api, FakeLambdaContext, first_come_edition, http_event

SECRET = "s" * 48
PREVIOUS = "p" * 48


@pytest.fixture(autouse=True)
def fresh_origin_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("PRAATMEE_ORIGIN_SECRET", "PRAATMEE_ORIGIN_SECRET_ARN", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    get_origin_settings.cache_clear()
    yield
    get_origin_settings.cache_clear()


@pytest.fixture
def secret_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRAATMEE_ORIGIN_SECRET", SECRET)


class Untouchable:
    """A store (or room) that fails the test when anything on it is used."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"touched {name} of the store before the origin check")


def untouchable_context() -> service.Context:
    return service.Context(store=Untouchable(), edition=first_come_edition(), hash_key=b"k" * 32)  # type: ignore[arg-type]


def refused(raw: dict[str, Any]) -> bool:
    errors = json.loads(raw["body"])["errors"]
    return raw["statusCode"] == 403 and errors[0]["code"] == origin.CODE and "website" in errors[0]["message"]


@pytest.mark.parametrize(
    "headers", [{}, {origin.HEADER: "wrong"}, {origin.HEADER: SECRET[:-1]}, {origin.HEADER: ""}]
)
@pytest.mark.parametrize(
    "event",
    [
        lambda h: http_event("GET", "/api/meetings", headers=h),
        lambda h: http_event(
            "POST", "/api/registrations", body="{not json", content_type="application/json", headers=h
        ),
    ],
)
def test_a_request_without_cloudfronts_header_is_refused_before_the_store_or_the_body_is_touched(
    secret_set: None, monkeypatch: pytest.MonkeyPatch, headers: dict[str, str], event: Any
) -> None:
    # Given the API with a store that fails when touched, and no default context to fall back on
    monkeypatch.setattr(api, "default_context", Untouchable)
    # When a request comes without the right header (straight to execute-api)
    raw = api.lambda_handler(event(headers), FakeLambdaContext(), untouchable_context())  # type: ignore[arg-type]
    # Then a short Dutch 403, not the body's 400 and not a read of the table
    assert refused(raw)
    assert raw["headers"]["Cache-Control"] == "no-store"


def test_the_room_refuses_a_request_without_cloudfronts_header_before_signing_in_or_reading(
    secret_set: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room, "default_room", Untouchable)
    event = http_event("GET", "/organisatie/", headers={origin.HEADER: "wrong"})

    raw = room.lambda_handler(event, FakeLambdaContext(), Untouchable())  # type: ignore[arg-type]

    assert refused(raw)


def test_a_request_through_cloudfront_is_answered(secret_set: None, client: Api) -> None:
    answer = client.call(http_event("GET", "/api/meetings", headers={origin.HEADER: SECRET}))

    assert answer.status == 200
    assert len(answer.json["meetings"]) == 4


def test_on_aws_the_current_and_the_previous_value_of_the_secret_pass_during_a_rotation(
    client: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the secret in Secrets Manager halfway a rotation (inside the store fixture's moto)
    secrets = boto3.client("secretsmanager", region_name=REGION)
    value = json.dumps({"current": SECRET, "previous": PREVIOUS})
    arn = secrets.create_secret(Name="praatmee-origin", SecretString=value)["ARN"]
    monkeypatch.setenv("PRAATMEE_ORIGIN_SECRET_ARN", arn)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "praatmee-api")

    def status(value: str) -> int:
        return client.call(http_event("GET", "/api/meetings", headers={origin.HEADER: value})).status

    # Then both values pass, and nothing else does
    assert status(SECRET) == 200
    assert status(PREVIOUS) == 200
    assert status("x" * 48) == 403


def test_on_lambda_without_a_configured_secret_every_request_is_refused(
    client: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "praatmee-api")

    answer = client.call(http_event("GET", "/api/meetings", headers={origin.HEADER: SECRET}))

    assert answer.status == 403


def test_the_local_server_adds_the_header_as_cloudfront_does_and_replaces_a_visitors_own(
    tmp_path: Path,
) -> None:
    # Given the local server with a handler that records what it is handed
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event["headers"])
        return {"statusCode": 200, "body": "{}"}

    server = serve.make_server("127.0.0.1", 0, tmp_path, api=handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # When a visitor calls the API with a made-up header of the same name
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.server_port}/api/meetings", headers={"X-Praatmee-Origin": "forged"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.shutdown()
        server.server_close()
    # Then the handler sees only the local stack's own value, the one it configures for the functions
    assert seen[0][origin.HEADER] == serve.ORIGIN_SECRET
    assert serve.ORIGIN_HEADER == origin.HEADER
