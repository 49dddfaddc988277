"""`make serve` survives a demo rush: flat memory under many sign-ups, and a 4xx (never a traceback and
silence) for a malformed or half-sent request. Speed is printed by benchmarks/bench_local_rush.py."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

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
