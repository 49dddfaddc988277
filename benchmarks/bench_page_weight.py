"""Page weight: per page of the built site, the bytes of everything Chromium loads, raw and gzipped.

Compares with a default Material for MkDocs page built the same way. Budget: at most 60% of the default
(the issue sets 48 KiB gzipped). Then the form page as `praatmee serve` sends it (gzipped as CloudFront does,
the API's seat counts included): every byte it loads, against issue 17's goal of 24 KiB. Prints figures;
never fails on them.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Browser, Request, sync_playwright

from praatmee.laptop.serve import SITE, make_server, site_pages

sys.path.insert(0, str(Path(__file__).parents[1]))
from benchmarks.local_stack import running_serve
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

BUDGET_KIB = 48.0
FORM_GOAL_KIB = 24.0


def build_default_material(folder: Path) -> Path:
    """A one-page site on Material's defaults (search on), the reference the budget is set against."""
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text("# Hallo\n\nEen standaardpagina.\n", encoding="utf-8")
    (folder / "mkdocs.yml").write_text("site_name: Standaard\ntheme:\n  name: material\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet"], cwd=folder, check=True, capture_output=True
    )
    return folder / "site"


def weigh_page(browser: Browser, origin: str, path: str) -> tuple[str, int, int, int, int]:
    """(page, requests, raw bytes, gzipped bytes, requests to other origins) for one page."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(origin + path, wait_until="networkidle")
    ours = [r for r in requests if r.url.startswith(origin)]
    bodies = [response.body() for r in ours if (response := r.response()) is not None]
    page.close()
    raw = sum(len(body) for body in bodies)
    gz = sum(len(gzip.compress(body, 9)) for body in bodies)
    return path, len(requests), raw, gz, len(requests) - len(ours)


def weigh(site: Path, pages: list[str]) -> list[tuple[str, int, int, int, int]]:
    server = make_server("127.0.0.1", 0, site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        rows = [weigh_page(browser, origin, path) for path in pages]
        browser.close()
    server.shutdown()
    return rows


def form_page_transfer() -> list[tuple[str, int]]:
    """(path, body bytes as sent, compressed where the server compresses) of every request the form page
    makes until the network is idle, on a phone, against the whole local stack."""
    with running_serve() as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        requests: list[Request] = []
        page.on("requestfinished", lambda request: requests.append(request))
        page.goto(origin + "/aanmelden/", wait_until="networkidle")
        rows = []
        for request in requests:
            sizes = request.sizes()
            rows.append(
                (request.url.removeprefix(origin), sizes["responseHeadersSize"] + sizes["responseBodySize"])
            )
        browser.close()
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (reference,) = weigh(build_default_material(Path(tmp)), ["/"])
    rows = weigh(SITE, site_pages(SITE))

    print(f"{'page':32} {'requests':>8} {'raw KiB':>9} {'gzip KiB':>9} {'of default':>10}  budget")
    _, ref_requests, ref_raw, ref_gz, ref_other = reference
    print(
        f"{'(default Material page)':32} {ref_requests:8d} {ref_raw / 1024:9.1f} {ref_gz / 1024:9.1f} "
        f"{'100%':>10}  ({ref_other} requests to other origins, not counted in bytes)"
    )
    for path, requests, raw, gz, other in rows:
        verdict = "ok" if gz / 1024 <= BUDGET_KIB and other == 0 else "OVER"
        print(f"{path:32} {requests:8d} {raw / 1024:9.1f} {gz / 1024:9.1f} {gz / ref_gz:10.0%}  {verdict}")
    heaviest = max(rows, key=lambda row: row[3])
    print(f"heaviest page: {heaviest[0]}, {heaviest[3] / 1024:.1f} KiB gzipped (budget {BUDGET_KIB:.0f} KiB)")

    print("\nthe form page with all it loads, as `praatmee serve` sends it (gzipped as CloudFront does):")
    form = form_page_transfer()
    for path, size in form:
        print(f"  {path:48} {size / 1024:6.1f} KiB")
    total = sum(size for _, size in form) / 1024
    verdict = "ok" if total <= FORM_GOAL_KIB else "OVER"
    print(f"form page total: {total:.1f} KiB over the wire (goal {FORM_GOAL_KIB:.0f} KiB)  {verdict}")


if __name__ == "__main__":
    main()
