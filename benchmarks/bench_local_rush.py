"""A demo rush on the local stack: 1,000 sign-ups from 30 clients at once against `praatmee serve`.

Starts the stack as `make serve` does (`praatmee serve` with the shipped edition, on two free ports of
loopback, the deadline moved a year on if it has passed), then posts the sign-ups over HTTP, 30 at a time.
Prints the total time, p50/p95 of the first and the last hundred answers, how many got no answer within
30 s, the server process's CPU time per sign-up in the first and the last hundred (latency depends on what
else the machine runs; CPU time much less), and its resident memory at start, after 100 and after all
sign-ups, each beside its goal. Never fails on them. `python -m benchmarks.bench_local_rush 300` runs a
shorter rush.
"""

from __future__ import annotations

import collections
import datetime as dt
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIGN_UPS = 1_000
CLIENTS = 30
TIMEOUT = 30.0
SECTOR = {"noord-wolvega": "vo", "zuid-helmond": "po", "midden-utrecht": "so", "online": "vso"}


def free_port() -> int:
    """A free port whose next one is free too (the local AWS listens there)."""
    for _ in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports next to each other")


def open_edition(folder: Path) -> Path:
    """The shipped edition (as `make serve` runs it), a year later when its deadline has passed."""
    text = (ROOT / "functions" / "praatmee" / "meetings.yaml").read_text(encoding="utf-8")
    edition = int(text.split("\nedition: ", 1)[1].split()[0])
    if dt.date.today().year >= edition:
        year = dt.date.today().year + 1
        text = text.replace(f"{edition}-", f"{year}-").replace(f"edition: {edition}", f"edition: {year}")
    path = folder / "meetings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def sign_up(port: int, n: int) -> tuple[float, int]:
    """One sign-up over its own connection: (seconds, status; 0 for no answer within the timeout)."""
    meeting = list(SECTOR)[n % len(SECTOR)]
    body = json.dumps(
        {
            "meeting": meeting,
            "name": f"Deelnemer {n}",
            "email": f"rush-{n}@example.nl",
            "role": "leraar",
            "sector": SECTOR[meeting],
            "themes": ["leergedrag"],
            "privacy_consent": True,
        }
    )
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        connection.request("POST", "/api/registrations", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        answer.read()
        status = answer.status
        connection.close()
    except OSError:
        status = 0
    return time.perf_counter() - start, status


def percentile(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = free_port()
        log = folder / "serve.log"
        env = {
            **os.environ,
            "PRAATMEE_EDITION_FILE": str(open_edition(folder)),
            "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}",
        }
        command = [sys.executable, "-m", "praatmee.laptop.cli", "serve", "--port", str(port)]
        with log.open("w") as output:
            server = subprocess.Popen(
                [*command, "--site-dir", str(folder / "site")],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 120
            while f"http://127.0.0.1:{port}/" not in log.read_text(encoding="utf-8"):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"praatmee serve did not start:\n{log.read_text(encoding='utf-8')}")
                time.sleep(0.2)
            rush(port, server.pid, int(sys.argv[1]) if len(sys.argv) > 1 else SIGN_UPS)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def cpu_seconds(pid: int) -> float:
    """User and system time of the process so far: what it costs, whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rush(port: int, pid: int, sign_ups: int = SIGN_UPS) -> None:
    hundred = min(100, sign_ups // 2)
    phases = [(0, hundred), (hundred, sign_ups - hundred), (sign_ups - hundred, sign_ups)]
    rss = [rss_mib(pid)]
    cpu = [cpu_seconds(pid)]
    times: list[list[float]] = []
    statuses: collections.Counter[int] = collections.Counter()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        for low, high in phases:
            results = list(clients.map(lambda n: sign_up(port, n), range(low, high)))
            times.append([seconds for seconds, _ in results])
            statuses.update(status for _, status in results)
            rss.append(rss_mib(pid))
            cpu.append(cpu_seconds(pid))
    total = time.perf_counter() - start
    first, last = times[0], times[2]
    first_cpu = (cpu[1] - cpu[0]) / hundred * 1000
    last_cpu = (cpu[3] - cpu[2]) / hundred * 1000
    growth = (rss[3] - rss[1]) / max(1, sign_ups - hundred) * 1024
    print(f"local stack rush: {sign_ups:,} sign-ups from {CLIENTS} clients at once (praatmee serve)")
    print(
        f"  total time                  {total:7.1f} s   goal <= 30 s (well under a minute); "
        f"the server's CPU time {cpu[3] - cpu[0]:.1f} s"
    )
    print(
        f"  first hundred p50 / p95     {statistics.median(first):7.2f} s / "
        f"{percentile(first, 0.95):.2f} s   goal p95 <= 2 s"
    )
    print(
        f"  last hundred p50 / p95      {statistics.median(last):7.2f} s / "
        f"{percentile(last, 0.95):.2f} s   goal p95 <= 2 s, as the first"
    )
    print(
        f"  server CPU per sign-up      {first_cpu:7.0f} ms first hundred, {last_cpu:.0f} ms last hundred   "
        "goal: the same (no work that grows with the table)"
    )
    print(f"  no answer within {TIMEOUT:.0f} s       {statuses.pop(0, 0):7d}     goal 0")
    print("  answers: " + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items())))
    print(f"  server RSS at start         {rss[0]:7.0f} MiB")
    print(f"  server RSS after {hundred:<5}      {rss[1]:7.0f} MiB")
    print(
        f"  server RSS after {sign_ups:<5,}      {rss[3]:7.0f} MiB   growth {growth:.1f} KiB per sign-up "
        "after the first hundred   goal <= 20 KiB (flat)"
    )


if __name__ == "__main__":
    main()
