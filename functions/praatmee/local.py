"""The local stack behind `make serve`: builds the site and serves it on loopback."""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"


def build_site(site: Path = SITE) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter running mkdocs, no outside input
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
    )


class SiteHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        # Paths only, never query strings: they could carry personal data later on.
        sys.stderr.write(f"{self.command} {self.path.split('?', 1)[0]} {args[1] if len(args) > 1 else ''}\n")


def site_pages(site: Path = SITE) -> list[str]:
    """The URL path of every page of a built site (`/`, `/doel/`, ...), in a stable order."""
    pages = []
    for index in site.rglob("index.html"):
        folder = index.parent.relative_to(site)
        if "assets" not in folder.parts:
            pages.append("/" if folder == Path() else f"/{folder.as_posix()}/")
    return sorted(pages)


def make_server(host: str, port: int, site: Path = SITE) -> ThreadingHTTPServer:
    handler = functools.partial(SiteHandler, directory=str(site))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(host: str = "127.0.0.1", port: int = 8000) -> int:
    build_site()
    server = make_server(host, port)

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() blocks until serve_forever returns, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Praat mee draait op http://{host}:{server.server_port}/  (stoppen: Ctrl-C)", flush=True)
    with server:
        server.serve_forever()
    print("Gestopt.", flush=True)
    return 0
