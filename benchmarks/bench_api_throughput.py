"""Sign-ups per second through the Lambda handler against the local emulator (moto server, serialised).

moto's DynamoDB backend runs under one lock (`praatmee.laptop.localaws`), as the local stack runs it. Worker
processes stand for concurrent Lambda instances; each calls `praatmee.api.lambda_handler` with its own
boto3 client pointed at the server. Every tenth sign-up is sent twice (a double click; its replay counts
under the first answer's status). Prints the rate, the outcome counts and the counters; never fails on them.
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


def worker(args: tuple[int, str, str]) -> tuple[float, collections.Counter[str]]:
    index, endpoint, table = args
    os.environ.update(environment(endpoint), PRAATMEE_TABLE_NAME=table)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # logs and metrics go to stdout in Lambda; here nowhere
    import datetime as dt

    from praatmee import api, service

    ctx = api.default_context()
    ctx = service.Context(
        ctx.store, ctx.edition, ctx.hash_key, lambda: dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    )
    outcomes: collections.Counter[str] = collections.Counter()
    meetings = list(SECTOR)
    start = time.perf_counter()
    sent = 0
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
        event: dict[str, Any] = {
            "version": "2.0",
            "rawPath": "/api/registrations",
            "rawQueryString": "",
            "headers": {"content-type": "application/json"},
            "body": json.dumps(body),
            "isBase64Encoded": False,
            "requestContext": {"http": {"method": "POST", "path": "/api/registrations"}, "stage": "$default"},
        }
        for _ in range(2 if n % 10 == 0 else 1):
            answer = api.lambda_handler(event, LAMBDA_CONTEXT, ctx)  # type: ignore[arg-type]
            sent += 1
            status = answer["statusCode"]
            outcomes[f"{status} {json.loads(answer['body']).get('status', '')}".strip()] += 1
    return time.perf_counter() - start, outcomes | collections.Counter({"requests": sent})


def run(workers: int, endpoint: str, table: str) -> None:
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.map(worker, [(i + workers * 1000, endpoint, table) for i in range(workers)])
    elapsed = time.perf_counter() - start
    total: collections.Counter[str] = collections.Counter()
    for _, outcome in results:
        total += outcome
    requests = total.pop("requests")
    busiest = max(seconds for seconds, _ in results)
    print(
        f"{workers} worker(s): {requests} requests in {busiest:5.2f} s of handler time "
        f"({elapsed:5.2f} s with process start) = {requests / busiest:6.1f} requests/s"
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
