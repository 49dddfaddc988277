"""Issue 16: a script signs up 30 invented addresses for Wolvega's 30 seats (places first come).

Runs the API's Lambda handler on moto (DynamoDB seeded from the edition file, as the local stack does) and
prints how many seats and waiting-list places the invented addresses hold, how fast they were taken, and what
the next real person gets. Goal: 0 seats held by addresses nobody confirmed. Prints figures; never fails.
Works on any version of the code (only the handler's contract is used), so it gives the before and after.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import time
import types
from typing import Any

import boto3
from moto import mock_aws

for name, value in {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "PRAATMEE_TABLE_NAME": "praatmee-bench",
    "PRAATMEE_EMAIL_HASH_KEY": "bench-key-0123456789abcdef0123456789abcdef",
    "PRAATMEE_SITE_ORIGIN": "https://praatmee.example.nl",
    "PRAATMEE_SENDER_ADDRESS": "aanmelden@praatmee.example.nl",
    "POWERTOOLS_LOG_LEVEL": "WARNING",  # the figures, not a log line per sign-up
}.items():
    os.environ.setdefault(name, value)

from praatmee import api, service  # noqa: E402 - after the fake AWS settings
from praatmee.edition import Allocation, load_edition  # noqa: E402
from praatmee.store import Store  # noqa: E402

WOLVEGA = "noord-wolvega"


def event(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/registrations",
        "rawQueryString": "",
        "headers": {"host": "praatmee.example.nl", "content-type": "application/json"},
        "requestContext": {
            "http": {"method": "POST", "path": "/api/registrations", "sourceIp": "192.0.2.1"},
            "requestId": "bench",
            "stage": "$default",
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def sign_up(ctx: service.Context, email: str) -> str:
    body = {
        "meeting": WOLVEGA,
        "name": "Nep Persoon",
        "email": email,
        "role": "ouder",
        "sector": "vo",
        "themes": ["dyslexie"],
        "privacy_consent": True,
    }
    context = types.SimpleNamespace(
        function_name="praatmee-api", memory_limit_in_mb=256, invoked_function_arn="arn", aws_request_id="b"
    )
    answer = api.lambda_handler(event(body), context, ctx)  # type: ignore[arg-type]
    return str(json.loads(answer["body"]).get("status", answer["statusCode"]))


def main() -> None:
    with mock_aws():
        store = Store(os.environ["PRAATMEE_TABLE_NAME"], boto3.client("dynamodb"))
        store.create_table()
        store.seed(load_edition())
        edition = load_edition().model_copy(update={"allocation": Allocation.FIRST_COME})
        ctx = service.Context(
            store=store,
            edition=edition,
            hash_key=os.environ["PRAATMEE_EMAIL_HASH_KEY"].encode(),
            now=lambda: dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC),
        )
        with contextlib.redirect_stdout(io.StringIO()):  # the metrics' records, one per sign-up
            start = time.perf_counter()
            statuses = [sign_up(ctx, f"nep{i}@example.org") for i in range(30)]
            seconds = time.perf_counter() - start
            counts = store.meeting_counts([WOLVEGA])[WOLVEGA]
            real = sign_up(ctx, "echt.persoon@example.org")
    print(f"30 invented addresses signed up in {seconds:.2f} s; their answers: {sorted(set(statuses))}")
    print(f"seats held by invented addresses: {counts.placed} of {counts.capacity} (goal 0)")
    print(f"waiting-list places held by invented addresses: {counts.waitlist_length} (goal 0)")
    print(f"the next real person signing up gets: {real} (goal: not waitlisted)")


if __name__ == "__main__":
    main()
