"""What the handler answers to bodies made to break it (issue 16): deep JSON, with the time to refuse it.

Each body goes to `POST /api/registrations` through the Lambda handler, as API Gateway would send it; the
store is never reached (the body is refused before). Goal: a 400 for each, no exception, and a refusal in
at most 5 ms for the largest body the API reads (16 KB of brackets). Prints figures; never fails on them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

LAMBDA_CONTEXT = SimpleNamespace(
    function_name="praatmee-api", memory_limit_in_mb=256, invoked_function_arn="arn", aws_request_id="bench"
)
ROUNDS = 20
BODIES = {
    '"[" * 1000': "[" * 1000,
    "depth 33, closed": "[" * 33 + "]" * 33,
    "depth 5000, closed": "[" * 5000 + "]" * 5000,
    '{"a": nested 900': '{"a":' * 900 + "1" + "}" * 900,
    '"[" * 16384': "[" * 16_384,
}


def event(body: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": "/api/registrations",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {"http": {"method": "POST", "path": "/api/registrations"}, "stage": "$default"},
    }


def main() -> None:
    os.environ.update(
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        PRAATMEE_TABLE_NAME="bench",
        PRAATMEE_EMAIL_HASH_KEY="k" * 32,
        PRAATMEE_SITE_ORIGIN="https://praatmee.example.nl",
        PRAATMEE_SENDER_ADDRESS="aanmelden@praatmee.example.nl",
        POWERTOOLS_METRICS_NAMESPACE="Praatmee",
    )
    from praatmee import service
    from praatmee.edition import load_edition
    from praatmee.store import Store

    now = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    ctx = service.Context(store=Store("bench"), edition=load_edition(), hash_key=b"k" * 32, now=lambda: now)
    with quiet_stdout():  # logs and metrics go to stdout, as in Lambda; here they would hide the figures
        lines = [measure(label, body, ctx) for label, body in BODIES.items()]
    print("\n".join(lines))


def measure(label: str, body: str, ctx: Any) -> str:
    from praatmee import api

    api.lambda_handler(event("{}"), LAMBDA_CONTEXT, ctx)  # type: ignore[arg-type]  # warm: imports done
    times, outcome = [], ""
    for _ in range(ROUNDS):
        started = time.perf_counter()
        try:
            answer = api.lambda_handler(event(body), LAMBDA_CONTEXT, ctx)  # type: ignore[arg-type]
            outcome = f"{answer['statusCode']} {json.loads(answer['body'])['errors'][0]['code']}"
        except BaseException as exc:  # the figure before the fix: an exception (Lambda: a 500)
            outcome = f"exception {type(exc).__name__}"
        times.append((time.perf_counter() - started) * 1000)
    took = statistics.median(times)
    return f"{label:>20}: {outcome:<28} median {took:.1f} ms  (goal: 400 malformed_body, at most 5 ms)"


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


if __name__ == "__main__":
    main()
