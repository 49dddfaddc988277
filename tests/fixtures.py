"""Fixtures of the registration API tests: moto DynamoDB, a seeded store, and a way to call the handler."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import boto3
import pytest
from moto import mock_aws

from praatmee import api, service
from praatmee.edition import Edition, Sector, load_edition
from praatmee.mail import MailContext
from praatmee.settings import get_settings
from praatmee.store import Store

TABLE = "praatmee-test"
SITE = "https://praatmee.example.nl"
SENDER = "aanmelden@praatmee.example.nl"
HASH_KEY = "test-key-0123456789abcdef0123456789abcdef"
# Well before the deadline (1 March 2027, Europe/Amsterdam).
BEFORE_DEADLINE = dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)


@dataclass
class FakeLambdaContext:
    function_name: str = "praatmee-api"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:praatmee-api"
    aws_request_id: str = "test-request"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def codes(self) -> list[str]:
        return [error["code"] for error in self.json["errors"]]


@dataclass
class Clock:
    now: dt.datetime = BEFORE_DEADLINE

    def __call__(self) -> dt.datetime:
        return self.now


def valid_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "meeting": "online",
        "name": "Saskia de Vries",
        "email": "saskia.devries@example.org",
        "role": "ouder",
        "sector": "vo",
        "themes": ["dyslexie"],
        "privacy_consent": True,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def http_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    all_headers = {"host": "praatmee.example.nl", **(headers or {})}
    if content_type is not None:
        all_headers["content-type"] = content_type
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode()
        base64_encoded = True
    path, _, query = path.partition("?")
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        **({"queryStringParameters": dict(parse_qsl(query))} if query else {}),
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "praatmee.example.nl",
            "domainPrefix": "praatmee",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "pytest",
            },
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "15/Jan/2027:12:00:00 +0000",
            "timeEpoch": 1800000000000,
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


@dataclass
class Api:
    """Calls the Lambda handler the way API Gateway would; it sends mail only with a `mailing`."""

    ctx: service.Context
    mailing: MailContext | None = None
    calls: list[Answer] = field(default_factory=list)

    def call(self, event: dict[str, Any]) -> Answer:
        raw = api.lambda_handler(event, FakeLambdaContext(), self.ctx, self.mailing)  # type: ignore[arg-type]
        body = raw.get("body") or ""
        if raw.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        headers = {key.lower(): value for key, value in (raw.get("headers") or {}).items()}
        answer = Answer(status=int(raw["statusCode"]), headers=headers, text=body)
        self.calls.append(answer)
        return answer

    def get(self, path: str) -> Answer:
        return self.call(http_event("GET", path))

    def post_json(self, path: str, body: Any) -> Answer:
        return self.call(http_event("POST", path, body=json.dumps(body), content_type="application/json"))

    def register(self, **changes: Any) -> Answer:
        return self.post_json("/api/registrations", valid_body(**changes))

    def post_form(
        self,
        path: str,
        fields: list[tuple[str, str]],
        *,
        origin: str | None = SITE,
        base64_encoded: bool = True,
    ) -> Answer:
        headers = {"origin": origin} if origin is not None else {}
        encoded = urlencode(fields)
        body: str | bytes = encoded.encode() if base64_encoded else encoded
        return self.call(
            http_event(
                "POST", path, body=body, content_type="application/x-www-form-urlencoded", headers=headers
            )
        )


@pytest.fixture
def api_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Environment of the function, with fake AWS credentials so nothing can reach AWS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "PRAATMEE_TABLE_NAME": TABLE,
        "PRAATMEE_EMAIL_HASH_KEY": HASH_KEY,
        "PRAATMEE_SITE_ORIGIN": SITE,
        "PRAATMEE_SENDER_ADDRESS": SENDER,
        "POWERTOOLS_METRICS_NAMESPACE": "Praatmee",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    get_settings.cache_clear()
    api.default_context.cache_clear()
    api.default_mail_context.cache_clear()
    yield
    get_settings.cache_clear()
    api.default_context.cache_clear()
    api.default_mail_context.cache_clear()


@pytest.fixture
def api_log() -> Iterator[io.StringIO]:
    """Everything the API logs, formatted as Lambda would write it (JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(api.logger.registered_handler.formatter)
    api.logger.addHandler(handler)
    yield stream
    api.logger._logger.removeHandler(handler)


@pytest.fixture
def edition() -> Edition:
    return load_edition()


def make_store(table: str = TABLE, **options: Any) -> Store:
    """A table like the infrastructure's, seeded from the edition file (call inside `mock_aws`)."""
    options.setdefault("sleep", lambda _: None)
    store = Store(table, boto3.client("dynamodb", region_name="eu-west-1"), **options)
    store.create_table()
    store.seed(load_edition())
    return store


@pytest.fixture
def store(api_settings: None) -> Iterator[Store]:
    with mock_aws():
        yield make_store()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(store: Store, edition: Edition, clock: Clock) -> service.Context:
    return service.Context(store=store, edition=edition, hash_key=HASH_KEY.encode(), now=clock)


@pytest.fixture
def client(ctx: service.Context) -> Api:
    return Api(ctx)


@pytest.fixture
def fill_meeting(ctx: service.Context) -> Callable[[str, int], list[str]]:
    """Given helper: `n` other people take seats at a meeting; returns their registration ids."""

    def fill(meeting: str, n: int) -> list[str]:
        from praatmee.models import RegistrationRequest

        sector = next(s for s in Sector if s in ctx.edition.meeting(meeting).audience)  # type: ignore[union-attr]
        ids = []
        for i in range(n):
            request = RegistrationRequest.model_validate(
                valid_body(meeting=meeting, sector=sector, email=f"filler{i}@example.org")
            )
            ids.append(service.register(ctx, request).answer.id)
        return ids

    return fill
