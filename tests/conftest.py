"""Shared pytest set-up: the built site, the local stack and Chromium. The rest: tests/fixtures.py."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from praatmee.edition import EDITION_FILE_VARIABLE, load_edition, parse_edition
from praatmee.laptop.serve import ROOT, build_site

if TYPE_CHECKING:
    from tests.infra_synth import Synth  # imported by the fixtures only: the CDK is slow to import

pytest_plugins = ["tests.fixtures", "tests.room_fixtures"]

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, quiet on a machine without internet (see FIELD-NOTES.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("PRAATMEE_SCREENSHOTS", ROOT / "test-results" / "screenshots"))


def free_port() -> int:
    """A free port of loopback whose next port is free too: `praatmee serve` puts its local AWS there and
    stops at once when that one is taken (a test then sees no banner)."""
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
    raise RuntimeError("no two free ports next to each other on loopback")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with --strict into a folder of its own."""
    site = tmp_path_factory.mktemp("site")
    build_site(site)
    return site


def edition_still_open(folder: Path, *, first_come: bool = True) -> Path:
    """The shipped edition moved to next year, so sign-ups stay open whenever the tests run, with places given
    first come: the browser tests walk the seat, waiting-list and cancel pages (the draw is tested without
    a browser, in test_draw_*)."""
    year = dt.date.today().year + 1
    shipped = load_edition()
    text = (ROOT / "functions" / "praatmee" / "meetings.yaml").read_text(encoding="utf-8")
    text = text.replace(f"{shipped.edition}-", f"{year}-").replace(
        f"edition: {shipped.edition}", f"edition: {year}"
    )
    if first_come:
        text = text.replace("\nallocation: draw\n", "\nallocation: first_come\n")
    path = folder / "meetings.yaml"
    path.write_text(text, encoding="utf-8")
    assert parse_edition(text).registration_closes_at.year == year
    return path


def serve(folder: Path, edition_file: Path) -> Iterator[str]:
    """`praatmee serve` on a free port of loopback with `edition_file`; yields its origin."""
    for origin, _ in serve_process(folder, edition_file):
        yield origin


def serve_process(folder: Path, edition_file: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The same, yielding the origin and the server's process (to read its memory)."""
    port = free_port()
    log = folder / "serve.log"
    env = {**os.environ, EDITION_FILE_VARIABLE: str(edition_file)}
    with log.open("w") as output:
        process = subprocess.Popen(
            # Its own site folder: another stack's edition must not rebuild the pages this one serves.
            [
                sys.executable,
                "-m",
                "praatmee.laptop.cli",
                "serve",
                "--port",
                str(port),
                "--site-dir",
                str(folder / "site"),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while f"{origin}/" not in log.read_text(encoding="utf-8"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"praatmee serve did not start:\n{log.read_text(encoding='utf-8')}")
        time.sleep(0.1)
    yield origin, process
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole product as `make serve` runs it (`praatmee serve`), places given first come."""
    folder = tmp_path_factory.mktemp("serve")
    yield from serve(folder, edition_still_open(folder))


@pytest.fixture(scope="session")
def draw_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same with the edition as shipped: places given by the draw after the deadline."""
    folder = tmp_path_factory.mktemp("serve-draw")
    yield from serve(folder, edition_still_open(folder, first_come=False))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright drives Debian's Chromium; no browser is ever downloaded."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests leave a picture of each state, for a reviewer to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"screenshots of the browser tests: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def synth() -> Synth:
    """The CDK app, synthesised once per session (tests/infra_synth.py)."""
    from tests.infra_synth import synthesize

    return synthesize()


@pytest.fixture(scope="session")
def draw_synth() -> Synth:
    """The same app for an edition whose places are given by the draw."""
    from tests.infra_synth import synthesize

    return synthesize(draw=True)
