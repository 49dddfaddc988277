"""Lighthouse (mobile, simulated slow 4G) on `/`, `/aanmelden/` and `/bijeenkomsten/` of `praatmee serve`.

Goal (issue 17): performance score 100 and LCP at most 1.2 s on each (the median of three runs). The local
server compresses and sends the cache headers as CloudFront does. Lighthouse is the pinned devDependency of
package.json (`npm ci`); without it the bench prints a note and stops. Set PRAATMEE_ORIGIN to measure a server
that already runs. Prints figures; never fails on them.
"""

from __future__ import annotations

import json
import os
import statistics
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
RUNS = 3


def lighthouse(url: str) -> dict[str, float]:
    """Score (0-100), LCP and FCP (s), TBT (ms) and CLS of one page, with Lighthouse's mobile defaults."""
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
    return {
        "score": result["categories"]["performance"]["score"] * 100,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
    }


def main() -> None:
    if not LIGHTHOUSE.is_file():
        print(f"Lighthouse is not installed ({LIGHTHOUSE}): `npm ci` installs it; skipped.")
        return
    with running_serve() as origin:
        print(
            f"median of {RUNS} runs per page (Lighthouse's advice: single runs vary with the machine's load)"
        )
        heads = f"{'score':>6} {'goal':>5} {'LCP s':>6} {'goal':>5} {'FCP s':>6} {'TBT ms':>7} {'CLS':>5}"
        print(f"{'page':16} {heads}")
        for path in PAGES:
            runs = [lighthouse(origin + path) for _ in range(RUNS)]
            m = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            verdict = "ok" if m["score"] >= GOAL_SCORE and m["lcp"] <= GOAL_LCP_S else "UNDER GOAL"
            figures = f"{m['score']:6.0f} {GOAL_SCORE:5d} {m['lcp']:6.2f} {GOAL_LCP_S:5.1f} {m['fcp']:6.2f}"
            spread = ", ".join(f"{run['score']:.0f}/{run['lcp']:.2f}s" for run in runs)
            print(f"{path:16} {figures} {m['tbt']:7.0f} {m['cls']:5.2f}  {verdict}  (runs: {spread})")


if __name__ == "__main__":
    main()
