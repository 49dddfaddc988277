"""`make bench` runs every benchmark as `python -m benchmarks.<name>` from the repository root, without any
PYTHONPATH: each must import that way (run as a script, `benchmarks.output` was not found and `make bench`
stopped at the first one). Their figures are printed by `make bench`, never checked here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_bench_runs_each_benchmark_as_a_module_of_the_benchmarks_package() -> None:
    recipe = re.search(r"^bench:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert recipe is not None
    assert "-m benchmarks.$$(basename $$script .py)" in recipe.group(1)


def test_every_benchmark_imports_as_make_bench_runs_it() -> None:
    # Given every benchmark, imported as `python -m` would, from the root and without a PYTHONPATH
    modules = sorted(f"benchmarks.{path.stem}" for path in (ROOT / "benchmarks").glob("bench_*.py"))
    assert len(modules) >= 10
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    code = "import importlib, sys\nfor name in sys.argv[1:]: importlib.import_module(name)"

    # Then each imports (their `main` runs only as `__main__`)
    done = subprocess.run(
        [sys.executable, "-c", code, *modules], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
