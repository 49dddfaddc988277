"""Sign-ups, then confirmations, per second through the Lambda handler against the local emulator (moto
server, serialised). Places are given first come here, so the confirmations race for the seats and the
waiting list: that is where a seat is taken, since a sign-up only holds its marker until it is confirmed.

moto's DynamoDB backend runs under one lock (`praatmee.laptop.localaws`), as the local stack runs it. Worker
processes stand for concurrent Lambda instances; each calls `praatmee.api.lambda_handler` with its own
boto3 client pointed at the server. Every tenth sign-up is sent twice (a double click; its replay counts
under the first answer's status). Between the two phases, untimed, each worker writes a confirm token for its
sign-ups, as a resent confirm mail does (the real token is only in the mail). Prints the rates, the outcome
counts and the counters; never fails on them.
"""

from __future__ import annotations

import collections
import json
import logging
import multiprocessing
import os
import socket
import time
from types import SimpleNamespace
from typing import Any

SIGN_UPS_PER_WORKER = 150
LAMBDA_CONTEXT = SimpleNamespace(
    function_name="praatmee-api", memory_limit_in_mb=256, invoked_function_arn="arn", aws_request_id="bench"
)
SECTOR = {"noord-wolvega": "vo", "zuid-helmond": "po", "midden-utrecht": "so", "online": "vso"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "PRAATMEE_TABLE_NAME": "praatmee-bench",
        "PRAATMEE_EMAIL_HASH_KEY": "k" * 32,
        "PRAATMEE_SITE_ORIGIN": "https://praatmee.example.nl",
        "PRAATMEE_SENDER_ADDRESS": "aanmelden@praatmee.example.nl",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def event(path: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
        "requestContext": {"http": {"method": "POST", "path": path}, "stage": "$default"},
    }


Phase = tuple[float, collections.Counter[str]]


def worker(args: tuple[int, str, str]) -> tuple[Phase, Phase]:
    index, endpoint, table = args
    os.environ.update(environment(endpoint), PRAATMEE_TABLE_NAME=table)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # logs and metrics go to stdout in Lambda; here nowhere
    import datetime as dt
    import secrets

    from praatmee import api, service
    from praatmee.edition import Allocation
    from praatmee.table import registration_key

    ctx = api.default_context()
    edition = ctx.edition.model_copy(update={"allocation": Allocation.FIRST_COME})
    ctx = service.Context(ctx.store, edition, ctx.hash_key, lambda: dt.datetime(2027, 1, 15, tzinfo=dt.UTC))

    def call(path: str, body: dict[str, Any], outcomes: collections.Counter[str]) -> dict[str, Any]:
        answer = api.lambda_handler(event(path, body), LAMBDA_CONTEXT, ctx)  # type: ignore[arg-type]
        data: dict[str, Any] = json.loads(answer["body"])
        outcomes[f"{answer['statusCode']} {data.get('status', '')}".strip()] += 1
        outcomes["requests"] += 1
        return data

    signed_up: collections.Counter[str] = collections.Counter()
    meetings = list(SECTOR)
    ids: list[str] = []
    start = time.perf_counter()
    for n in range(SIGN_UPS_PER_WORKER):
        meeting = meetings[(index + n) % len(meetings)]
        body = {
            "meeting": meeting,
            "name": "Deelnemer",
            "email": f"w{index}-{n}@example.org",
            "role": "leraar",
            "sector": SECTOR[meeting],
            "themes": ["leergedrag"],
            "privacy_consent": True,
        }
        for _ in range(2 if n % 10 == 0 else 1):
            answer = call("/api/registrations", body, signed_up)
        ids.append(answer["id"])
    sign_up_time = time.perf_counter() - start

    tokens = {registration_id: secrets.token_urlsafe(32) for registration_id in ids}
    for registration_id, token in tokens.items():
        ctx.store.client.update_item(
            TableName=table,
            Key=registration_key(registration_id),
            UpdateExpression="SET confirm_token_hash = :hash",
            ExpressionAttributeValues={":hash": {"S": service.token_hash(token)}},
        )

    confirmed: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()
    for registration_id, token in tokens.items():
        call("/api/confirmations", {"registration_id": registration_id, "token": token}, confirmed)
    return (sign_up_time, signed_up), (time.perf_counter() - start, confirmed)


def run(workers: int, endpoint: str, table: str) -> None:
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.map(worker, [(i + workers * 1000, endpoint, table) for i in range(workers)])
    for step, phases in (("sign-ups", [r[0] for r in results]), ("confirmations", [r[1] for r in results])):
        total: collections.Counter[str] = collections.Counter()
        for _, outcome in phases:
            total += outcome
        requests = total.pop("requests")
        busiest = max(seconds for seconds, _ in phases)
        print(
            f"{workers} worker(s), {step:>13}: {requests} requests in {busiest:5.2f} s of handler time "
            f"= {requests / busiest:6.1f} requests/s"
        )
        print("   outcomes: " + ", ".join(f"{name}: {count}" for name, count in sorted(total.items())))


def main() -> None:
    from moto.server import ThreadedMotoServer

    from praatmee.edition import load_edition
    from praatmee.laptop.localaws import local_moto
    from praatmee.store import Store

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(environment(endpoint))
    with local_moto():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            import boto3

            for workers in (1, 4):
                store = Store(f"praatmee-bench-{workers}", boto3.client("dynamodb"))
                store.create_table()
                store.seed(load_edition())
                run(workers, endpoint, store.table_name)
                counts = store.meeting_counts(list(SECTOR))
                print(
                    "   seats taken/capacity (waiting): "
                    + ", ".join(
                        f"{m} {c.placed}/{c.capacity} ({c.waitlist_length})" for m, c in counts.items()
                    )
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
