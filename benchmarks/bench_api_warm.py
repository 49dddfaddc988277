"""Warm handler time per request, DynamoDB stubbed at the botocore layer (no network, no moto).

3,000 calls each of `POST /api/registrations` (one TransactWriteItems: the `unconfirmed` hold, i.e. the
meeting's condition check, the address marker and the registration; no mail in the headline figure) and
`GET /api/meetings` (one BatchGetItem), after 200 warm-up calls. Logs and metrics are written as in
Lambda (to stdout, here sent to /dev/null). Goal: median at most 0.5 ms for a sign-up. Prints figures;
never fails on them.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from types import SimpleNamespace
from typing import Any

from botocore.stub import Stubber

from benchmarks.handler_env import set_api_environment
from benchmarks.output import quiet_stdout
from praatmee import api, service
from praatmee.dynamo import default_client
from praatmee.edition import load_edition
from praatmee.mail import MailContext
from praatmee.ses import SesSender
from praatmee.ses import default_client as ses_client
from praatmee.store import Store

CALLS = 3_000
LAMBDA_CONTEXT = SimpleNamespace(
    function_name="praatmee-api", memory_limit_in_mb=256, invoked_function_arn="arn", aws_request_id="bench"
)
WARM_UP = 200
STORED = {
    "pk": {"S": "REG#0123456789abcdef0123456789abcdef"},
    "sk": {"S": "REG"},
    "registration_id": {"S": "0123456789abcdef0123456789abcdef"},
    "meeting": {"S": "online"},
    "status": {"S": "unconfirmed"},  # a sign-up's first mail is its confirm link
    "expires_at": {"N": "1800000000"},
    "name": {"S": "Deelnemer"},
    "email": {"S": "p@example.org"},
    "role": {"S": "ouder"},
    "sector": {"S": "vo"},
    "themes": {"L": [{"S": "dyslexie"}, {"S": "leergedrag"}]},
    "created_at": {"S": "2027-01-15T00:00:00.000+00:00"},
}


def event(method: str, path: str, body: Any = None) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
        "requestContext": {"http": {"method": method, "path": path}, "stage": "$default"},
    }


def measure(
    ctx: service.Context, stub: Stubber, make: Any, respond: Any, mailing: MailContext | None = None
) -> list[float]:
    for _ in range(WARM_UP + CALLS):
        respond(stub)
    times = []
    for index in range(WARM_UP + CALLS):
        request = make(index)
        start = time.perf_counter()
        answer = api.lambda_handler(request, LAMBDA_CONTEXT, ctx, mailing)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - start
        assert answer["statusCode"] in (200, 201), answer
        if index >= WARM_UP:
            times.append(elapsed)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"{name:32s} median {statistics.median(ordered) * 1000:6.3f} ms   p99 {p99 * 1000:6.3f} ms"
        f"   ({len(ordered)} calls)"
    )


def main() -> None:
    set_api_environment()
    client = default_client()
    ses = ses_client()
    now = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    ctx = service.Context(
        store=Store("bench", client), edition=load_edition(), hash_key=b"k" * 32, now=lambda: now
    )
    # The same, with the receipt every sign-up sends (SES stubbed too).
    mailing = MailContext(
        store=ctx.store,
        edition=ctx.edition,
        sender=SesSender("aanmelden@praatmee.example.nl", "vragen@example.nl", client_factory=lambda: ses),
        site_origin="https://praatmee.example.nl",
        now=ctx.now,
    )
    counts = {
        "Responses": {
            "bench": [
                {
                    "pk": {"S": f"MEETING#{m.id}"},
                    "capacity": {"N": str(m.capacity)},
                    "placed": {"N": "3"},
                    "waitlist_length": {"N": "0"},
                }
                for m in load_edition().meetings
            ]
        }
    }

    def sign_up(index: int) -> dict[str, Any]:
        body = {
            "meeting": "online",
            "name": "Deelnemer",
            "email": f"p{index}@example.org",
            "role": "ouder",
            "sector": "vo",
            "themes": ["dyslexie", "leergedrag"],
            "privacy_consent": True,
        }
        return event("POST", "/api/registrations", body)

    def sign_up_and_mail(stub: Stubber) -> None:
        stub.add_response("transact_write_items", {})
        # The receipt's send-once mark answers with the registration as it was (ReturnValues ALL_OLD).
        stub.add_response("update_item", {"Attributes": STORED})

    with Stubber(client) as stub, Stubber(ses) as mail_stub, quiet_stdout():
        registrations = measure(ctx, stub, sign_up, lambda s: s.add_response("transact_write_items", {}))
        for _ in range(WARM_UP + CALLS):
            mail_stub.add_response("send_email", {"MessageId": "bench"})
        with_receipt = measure(ctx, stub, lambda i: sign_up(CALLS * 2 + i), sign_up_and_mail, mailing)
        # Every stubbed answer was used: each sign-up wrote, marked its receipt and sent it.
        stub.assert_no_pending_responses()
        mail_stub.assert_no_pending_responses()
        meetings = measure(
            ctx,
            stub,
            lambda _: event("GET", "/api/meetings"),
            lambda s: s.add_response("batch_get_item", counts),
        )
    report("POST /api/registrations", registrations)
    report("  the same, with its receipt", with_receipt)
    report("GET /api/meetings", meetings)
    print("goal: median <= 0.5 ms for a sign-up")


if __name__ == "__main__":
    main()
