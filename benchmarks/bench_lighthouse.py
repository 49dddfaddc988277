"""Lighthouse (mobile, simulated slow 4G) on `/`, `/aanmelden/` and `/bijeenkomsten/` of `praatmee serve`.

Goal (issue 17): performance score 100 and LCP at most 1.2 s on each. The local server compresses and sends
the cache headers as CloudFront does. Lighthouse is the pinned devDependency of package.json (`npm ci`);
without it the bench prints a note and stops. Set PRAATMEE_ORIGIN to measure a server that already runs.
Prints figures; never fails on them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.local_stack import running_serve
from tests.conftest import CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PAGES = ("/", "/aanmelden/", "/bijeenkomsten/")
GOAL_SCORE = 100
GOAL_LCP_S = 1.2


def lighthouse(url: str) -> tuple[float, float, float]:
    """(performance score 0-100, LCP in s, FCP in s) of one page, with Lighthouse's mobile defaults."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--only-categories=performance",
                "--output=json",
                f"--output-path={report}",
                "--quiet",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
            ],
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
            check=True,
            capture_output=True,
        )
        result = json.loads(report.read_text(encoding="utf-8"))
    audits = result["audits"]
    score = result["categories"]["performance"]["score"] * 100
    return (
        score,
        audits["largest-contentful-paint"]["numericValue"] / 1000,
        (audits["first-contentful-paint"]["numericValue"] / 1000),
    )


def main() -> None:
    if not LIGHTHOUSE.is_file():
        print(f"Lighthouse is not installed ({LIGHTHOUSE}): `npm ci` installs it; skipped.")
        return
    with running_serve() as origin:
        print(f"{'page':16} {'score':>6} {'goal':>5} {'LCP s':>6} {'goal':>5} {'FCP s':>6}")
        for path in PAGES:
            score, lcp, fcp = lighthouse(origin + path)
            verdict = "ok" if score >= GOAL_SCORE and lcp <= GOAL_LCP_S else "UNDER GOAL"
            figures = f"{score:6.0f} {GOAL_SCORE:5d} {lcp:6.2f} {GOAL_LCP_S:5.1f} {fcp:6.2f}"
            print(f"{path:16} {figures}  {verdict}")


if __name__ == "__main__":
    main()
