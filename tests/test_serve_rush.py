"""`make serve` survives a demo rush: flat memory under many sign-ups, and a 4xx (never a traceback and
silence) for a malformed or half-sent request. Speed is printed by benchmarks/bench_local_rush.py."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from praatmee.laptop.serve import LocalServer, make_server
from tests.conftest import edition_still_open, serve_process

CLIENTS = 30
# Each sign-up keeps a few items and one mail in memory (about 20 KiB); moto's copies used to keep megabytes.
GROWTH_PER_SIGN_UP = 200 * 1024
SECTOR = {"noord-wolvega": "vo", "zuid-helmond": "po", "midden-utrecht": "so", "online": "vso"}


@pytest.fixture(scope="module")
def rush_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A stack of its own, with the edition as shipped (sign-ups held for the draw)."""
    folder = tmp_path_factory.mktemp("serve-rush")
    yield from serve_process(folder, edition_still_open(folder, first_come=False))


def resident_bytes(process: subprocess.Popen[bytes]) -> int:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def sign_ups(origin: str, numbers: range) -> list[int]:
    def one(n: int) -> int:
        meeting = list(SECTOR)[n % len(SECTOR)]
        body = {
            "meeting": meeting, "name": f"Drukte {n}", "email": f"drukte-{n}@example.nl", "role": "leraar",
            "sector": SECTOR[meeting], "themes": ["leergedrag"], "privacy_consent": True,
        }  # fmt: skip
        request = urllib.request.Request(
            origin + "/api/registrations", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return int(answer.status)

    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        return list(clients.map(one, numbers))


def test_the_local_stack_keeps_its_memory_flat_under_a_rush_of_sign_ups(
    rush_stack: tuple[str, subprocess.Popen[bytes]],
) -> None:
    origin, process = rush_stack
    # Given a stack that has taken 150 sign-ups (its caches and pools warm)
    assert set(sign_ups(origin, range(150))) == {201}
    before = resident_bytes(process)

    # When 300 more arrive from 30 clients at once (checked per 50, so a leak fails early)
    for start in range(150, 450, 50):
        assert set(sign_ups(origin, range(start, start + 50))) == {201}

        # Then the server grows by a few items and a mail per sign-up, not by copies of the table
        growth = (resident_bytes(process) - before) / (start + 50 - 150)
        assert growth < GROWTH_PER_SIGN_UP, f"{growth / 1024:.0f} KiB per sign-up after {start + 50}"


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[LocalServer]:
    """The local server itself, in this process, with a short read limit and a stand-in for the API."""
    (tmp_path / "index.html").write_text("<!doctype html><title>Praat mee</title>", encoding="utf-8")

    def api(event: dict[str, object], context: object) -> dict[str, object]:
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": "{}"}

    server = make_server("127.0.0.1", 0, tmp_path, api=api, read_limit=1.0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def send(server: LocalServer, raw: bytes) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
    connection.sendall(raw)
    return connection


def answer(connection: socket.socket) -> tuple[int, bytes]:
    """The status and body of the answer, read until the server closes the connection."""
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    connection.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"POST /api/registrations HTTP/1.1\r\nContent-Length: abc\r\n\r\n{}", 400),
        (b"POST /api/registrations HTTP/1.1\r\nContent-Length: -5\r\n\r\n{}", 400),
        (b"POST /api/registrations HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n{}", 413),
        (b"GET /%00 HTTP/1.1\r\n\r\n", 400),
        (b"GET /aanmelden/%0a HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/9\r\n\r\n", 400),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET nowhere HTTP/1.1\r\n\r\n", 400),
    ],
)
def test_a_malformed_request_gets_a_dutch_4xx_answer_not_a_traceback_and_silence(
    local_server: LocalServer, raw: bytes, status: int
) -> None:
    # When a client sends a request no server can read
    connection = send(local_server, raw)

    # Then it gets an answer: a 4xx with a Dutch message (the API's JSON error list under /api/)
    got, body = answer(connection)
    assert got == status
    if b"/api/" in raw:
        assert json.loads(body)["errors"][0]["message"].startswith(("De server", "Het verzoek"))
    else:
        assert b'lang="nl"' in body


def test_a_half_sent_body_gets_408_and_holds_no_one_else_up(local_server: LocalServer) -> None:
    # Given twenty clients that announce a body and stop sending halfway
    threads_before = threading.active_count()
    stalled = [
        send(local_server, b"POST /api/registrations HTTP/1.1\r\nContent-Type: application/json\r\n"
             b"Content-Length: 100\r\n\r\n{\"meeting\": ")
        for _ in range(20)
    ]  # fmt: skip

    # When someone else signs up and opens a page meanwhile
    fresh = send(local_server, b"POST /api/registrations HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
    page = send(local_server, b"GET / HTTP/1.1\r\n\r\n")

    # Then they get their answers, and each stalled client gets a 408 and is let go (no thread kept)
    assert answer(fresh)[0] == 201
    assert answer(page)[0] == 200
    for connection in stalled:
        status, body = answer(connection)
        assert status == 408
        assert json.loads(body)["errors"][0]["code"] == "request_timeout"
    while threading.active_count() > threads_before:  # their threads end (pytest's timeout guards this)
        time.sleep(0.05)


def test_a_burst_of_connections_waits_in_the_queue_instead_of_being_refused(tmp_path: Path) -> None:
    # Given a local server that has not yet come round to accepting (as when every thread is busy)
    (tmp_path / "index.html").write_text("<!doctype html><title>Praat mee</title>", encoding="utf-8")
    server = make_server("127.0.0.1", 0, tmp_path)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        # When a hundred clients connect at once (the standard library's queue of 5 left most hanging)
        burst = [socket.create_connection(("127.0.0.1", server.server_port), timeout=5) for _ in range(100)]
        for connection in burst:
            connection.sendall(b"GET / HTTP/1.1\r\n\r\n")
        serving.start()

        # Then each was queued, and each gets its page once the server takes it
        assert [answer(connection)[0] for connection in burst] == [200] * 100
    finally:
        if serving.is_alive():  # shutdown() waits for a serve_forever that never started
            server.shutdown()
        server.server_close()
