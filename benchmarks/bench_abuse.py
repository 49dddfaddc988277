"""The abuse of issue 16, replayed against the Lambda handler. Prints figures; never fails on them.

1. Deep JSON: each body goes to `POST /api/registrations` as API Gateway would send it; the store is never
   reached. Goal: 400 `malformed_body` for each, no exception, a refusal in at most 5 ms.
2. The mail cannon: twenty pupils' sign-ups name one victim as guardian, on moto (DynamoDB, SES). Goal: at
   most 3 mails to the victim, none with the attacker's text in its subject; a name with a link refused.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from types import SimpleNamespace
from typing import Any

from benchmarks.handler_env import set_api_environment
from benchmarks.output import quiet_stdout

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
    set_api_environment()
    from praatmee import service
    from praatmee.edition import load_edition
    from praatmee.store import Store

    now = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    ctx = service.Context(store=Store("bench"), edition=load_edition(), hash_key=b"k" * 32, now=lambda: now)
    with quiet_stdout():  # logs and metrics go to stdout, as in Lambda; here they would hide the figures
        lines = [measure(label, body, ctx) for label, body in BODIES.items()]
        lines += mail_cannon()
    print("\n".join(lines))


def mail_cannon() -> list[str]:
    from email import message_from_string
    from email.policy import default

    from moto import mock_aws
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from praatmee import api, service
    from praatmee.edition import Allocation, load_edition
    from praatmee.mail import MailContext
    from praatmee.ses import SesSender
    from praatmee.store import Store

    victim, sender, site = (
        "slachtoffer@example.org",
        "aanmelden@praatmee.example.nl",
        "https://praatmee.example.nl",
    )
    bait = "Geef je toestemming? Betaal vandaag"
    with mock_aws():
        import boto3

        store = Store("bench", boto3.client("dynamodb", region_name="eu-west-1"))
        store.create_table()
        edition = load_edition()
        store.seed(edition)
        edition = edition.model_copy(update={"allocation": Allocation.FIRST_COME})
        ses = boto3.client("sesv2", region_name="eu-west-1")
        ses.create_email_identity(EmailIdentity=sender)
        now = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
        ctx = service.Context(store=store, edition=edition, hash_key=b"k" * 32, now=lambda: now)
        mailing = MailContext(
            store=store,
            edition=edition,
            sender=SesSender(sender, "vragen@example.nl", client_factory=lambda: ses),
            site_origin=site,
            now=ctx.now,
        )
        statuses = []
        for number in range(20):
            name = f"{bait} {number}" + (" via http://pay.example/0" if number == 0 else "")
            body = {
                "meeting": "online", "name": name, "email": f"kind{number}@example.org", "role": "leerling",
                "sector": "vo", "themes": ["dyslexie"], "privacy_consent": True, "under_16": True,
                "guardian": {"name": "Petra", "email": victim, "consent": True},
            }  # fmt: skip
            request = event(json.dumps(body))
            statuses.append(api.lambda_handler(request, LAMBDA_CONTEXT, ctx, mailing)["statusCode"])  # type: ignore[arg-type]
        mails = [
            m
            for m in ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages
            if victim in str(m.destinations)
        ]
        subjects = [
            str(message_from_string(m.raw_data, policy=default)["Subject"])
            if hasattr(m, "raw_data")
            else str(m.subject)
            for m in mails
        ]
    baited = sum("Betaal" in subject for subject in subjects)
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    return [
        f"{'mail cannon':>20}: 20 sign-ups naming one guardian: answers {counts}",
        f"{'':>20}  mails to the victim: {len(mails)} (goal: at most 3); subjects with the attacker's text: "
        f"{baited} (goal: 0)",
    ]


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


if __name__ == "__main__":
    main()
