"""`make serve` runs `praatmee serve`: it serves the site on the given port and stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from praatmee.local import ROOT
from tests.conftest import free_port


def test_serve_answers_on_the_chosen_port_and_stops_on_sigint(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "praatmee.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        # The API logs to stdout too; this test reads only the lines `praatmee serve` prints itself.
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in banner

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bijeenkomsten/", timeout=5) as answer:
            assert answer.status == 200
            assert "Regio Noord" in answer.read().decode("utf-8")

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Gestopt." in process.stdout.read()
    finally:
        process.kill()
