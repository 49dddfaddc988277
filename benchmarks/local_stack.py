"""The local stack for the benchmarks that measure pages as a browser gets them: `praatmee serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_serve() -> Iterator[str]:
    """`praatmee serve` on a free port, as `make serve` runs it; yields its origin."""
    if origin := os.environ.get("PRAATMEE_ORIGIN"):
        yield origin.rstrip("/")
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "serve.log"
        with log.open("w") as output:
            command = [sys.executable, "-m", "praatmee.laptop.cli", "serve", "--port", str(port)]
            process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        origin = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while f"{origin}/" not in log.read_text(encoding="utf-8"):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f"praatmee serve did not start:\n{log.read_text(encoding='utf-8')}")
            time.sleep(0.2)
        try:
            yield origin
        finally:
            process.terminate()
            process.wait(timeout=20)
