"""Cold start of the registration API: importing the handler module in a fresh process.

Figures (min of 21 fresh processes each, timed inside the process around the import):
- baseline: `import boto3; boto3.client("dynamodb")`
- handler: `import praatmee.api`                                   goal: at most 1.1x the baseline (issue 17)
- import and client: `import praatmee.api` + the DynamoDB client the handler makes on its first request,
  and no request: the cold request below minus this is what the first sign-up itself costs.
- cold request: `import praatmee.api` + the first sign-up through the handler (DynamoDB stubbed in
  botocore), which includes importing boto3 and creating the client the handler makes lazily.
  goal: at most 1.3x the baseline
- cold request with receipt: the same, plus the receipt e-mail (the mark in DynamoDB and SES v2 stubbed),
  which creates the SES client and composes the MIME message.
Prints figures; never fails on them.
"""

from __future__ import annotations

import os
import subprocess
import sys

RUNS = 21

BASELINE = """
import time
start = time.perf_counter()
import boto3
boto3.client("dynamodb")
print(time.perf_counter() - start)
"""

HANDLER = """
import time
start = time.perf_counter()
import praatmee.api
print(time.perf_counter() - start)
"""

IMPORT_AND_CLIENT = """
import time
start = time.perf_counter()
import praatmee.api
from praatmee.dynamo import default_client
default_client()
print(time.perf_counter() - start)
"""

COLD_REQUEST = """
import datetime as dt, json, time, types
start = time.perf_counter()
import praatmee.api as api
from botocore.stub import Stubber
from praatmee import service
from praatmee.edition import load_edition
from praatmee.dynamo import default_client
from praatmee.store import Store
client = default_client()
with Stubber(client) as stub:
    stub.add_response("transact_write_items", {})
    now = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    ctx = service.Context(Store("bench", client), load_edition(), b"k" * 32, lambda: now)
    body = {"meeting": "online", "name": "A", "email": "a@example.org", "role": "ouder",
            "sector": "vo", "themes": ["dyslexie"], "privacy_consent": True}
    event = {"version": "2.0", "rawPath": "/api/registrations", "rawQueryString": "",
             "headers": {"content-type": "application/json"}, "body": json.dumps(body),
             "isBase64Encoded": False,
             "requestContext": {"http": {"method": "POST", "path": "/api/registrations"},
                                "stage": "$default"}}
    context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=256, invoked_function_arn="a",
                                    aws_request_id="r")
    answer = api.lambda_handler(event, context, ctx)
assert answer["statusCode"] == 201, answer
print(time.perf_counter() - start)
"""

COLD_REQUEST_WITH_RECEIPT = (
    COLD_REQUEST.replace(
        'stub.add_response("transact_write_items", {})',
        """stub.add_response("transact_write_items", {})
    stub.add_response("update_item", {"Attributes": {
        "registration_id": {"S": "0" * 32}, "meeting": {"S": "online"}, "status": {"S": "unconfirmed"},
        "name": {"S": "A"}, "email": {"S": "a@example.org"}, "created_at": {"S": "2027-01-15T00:00:00+00:00"},
        "expires_at": {"N": "1800000000"},
    }})
    import boto3
    from praatmee.mail import MailContext
    from praatmee.ses import SesSender
    ses = boto3.client("sesv2")
    ses_stub = Stubber(ses)
    ses_stub.add_response("send_email", {"MessageId": "m"})
    ses_stub.activate()
    sender = SesSender("aanmelden@praatmee.example.nl", "vragen@example.nl", client_factory=lambda: ses)""",
    )
    .replace(
        "answer = api.lambda_handler(event, context, ctx)",
        'mailing = MailContext(ctx.store, ctx.edition, sender, "https://praatmee.example.nl", ctx.now)\n'
        "    answer = api.lambda_handler(event, context, ctx, mailing)",
    )
    .replace(
        "print(time.perf_counter() - start)",
        "ses_stub.assert_no_pending_responses()\nprint(time.perf_counter() - start)",
    )
)

ENV = {
    **os.environ,
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "PRAATMEE_TABLE_NAME": "bench",
    "PRAATMEE_EMAIL_HASH_KEY": "k" * 32,
    "PRAATMEE_SITE_ORIGIN": "https://praatmee.example.nl",
    "PRAATMEE_SENDER_ADDRESS": "aanmelden@praatmee.example.nl",
    "PYTHONDONTWRITEBYTECODE": "",
}


def timed(code: str) -> float:
    done = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    timed(HANDLER)  # warm the bytecode caches once, as a deployed bundle would have them
    # Interleaved, so a busy moment of the machine hits all three alike; the minimum is the figure.
    codes = {
        "baseline": BASELINE,
        "handler": HANDLER,
        "client": IMPORT_AND_CLIENT,
        "cold": COLD_REQUEST,
        "receipt": COLD_REQUEST_WITH_RECEIPT,
    }
    runs: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(RUNS):
        for name, code in codes.items():
            runs[name].append(timed(code))
    baseline, handler, client, cold, receipt = (min(runs[name]) for name in codes)
    print(f"baseline import boto3 + dynamodb client: {baseline * 1000:7.1f} ms (min of {RUNS})")
    print(
        f"import praatmee.api:                      {handler * 1000:7.1f} ms  ratio {handler / baseline:.2f}x"
        " (goal <= 1.1x)"
    )
    print(
        f"import + boto3 + client, no request:      {client * 1000:7.1f} ms  ratio {client / baseline:.2f}x",
    )
    print(
        f"import + first sign-up (client created):  {cold * 1000:7.1f} ms  ratio {cold / baseline:.2f}x"
        f" (goal <= 1.3x; the request itself {(cold - client) * 1000:.1f} ms)"
    )
    print(
        f"  + its receipt (SES client, MIME):       {receipt * 1000:7.1f} ms  ratio {receipt / baseline:.2f}x"
    )


if __name__ == "__main__":
    main()
