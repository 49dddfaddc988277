"""Time and peak memory of exporting 50,000 registrations (no AWS: the scan's pages are made in memory).

Goals: the workbook at most 2.5 s, the CSV files at most 0.15 s, peak memory at most 200 MB.
Peak memory is the process's peak resident size (what Lambda bills and limits), measured in a fresh child
process around one whole export; the Python heap's own peak (tracemalloc) is printed beside it.
Prints figures; never fails on them.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from praatmee import exports, workbook
from praatmee.dynamo import Item
from praatmee.edition import Edition, Role, Theme, load_edition
from praatmee.models import RegistrationStatus
from praatmee.table import ExportRecord, NewRegistration, exported

REGISTRATIONS = 50_000
PAGE = 2_000  # about what one 1 MB page of the scan holds
NOW = dt.datetime(2027, 2, 1, 5, 0, tzinfo=dt.UTC)


def pages(edition: Edition, count: int = REGISTRATIONS, seed: int = 5) -> Iterator[list[Item]]:
    """Registrations as the scan returns them: every meeting, every status, some with every field."""
    rng = random.Random(seed)
    meetings = list(edition.meetings)
    statuses = [RegistrationStatus.PLACED] * 6 + [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING_GUARDIAN,
        RegistrationStatus.CANCELLED,
    ]
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    page: list[Item] = []
    for number in range(count):
        meeting = meetings[number % len(meetings)]
        status = rng.choice(statuses)
        pupil = status is RegistrationStatus.PENDING_GUARDIAN
        data: dict[str, Any] = {
            "name": f"Deelnemer {number} van Dijk-Özdemir",
            "email": f"deelnemer.{number}@example.org",
            "role": Role.LEERLING.value if pupil else rng.choice(list(Role)).value,
            "sector": rng.choice(sorted(meeting.audience)).value,
            "themes": rng.sample([t.value for t in Theme], rng.randint(1, 3)),
            "privacy_consent": True,
            "under_16": pupil,
        }
        if rng.random() < 0.4:
            data["organisation"] = f"Openbare basisschool De Regenboog {number % 300}"
        if rng.random() < 0.2:
            data["needs"] = "Vegetarisch eten, en graag een plek vlak bij de deur (rolstoel)."
        if pupil:
            data["guardian"] = {"name": f"Ouder {number}", "email": f"ouder.{number}@example.org"}
            data["guardian"]["consent"] = True
        if status is RegistrationStatus.CANCELLED:
            data = {k: v for k, v in data.items() if k in {"role", "sector", "themes", "under_16"}}
        new = NewRegistration(
            id=f"{number:032x}",
            meeting=meeting.id,
            email_hash="0" * 64,
            fingerprint="0" * 64,
            token_hash="0" * 64,
            created_at=(start + dt.timedelta(seconds=30 * number)).isoformat(timespec="milliseconds"),
            expires_at=edition.expires_at,
            data=data,
        )
        ticket = number if status is RegistrationStatus.WAITLISTED else None
        page.append(new.item(status, ticket))
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def records(scan: Iterable[list[Item]]) -> Iterator[list[ExportRecord]]:
    """The scan's pages as the store hands them to the export (`Store.export_records`)."""
    for page in scan:
        yield [exported(item) for item in page]


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def peak_rss_mb() -> float:
    """The process's peak resident size: VmHWM (reset by exec, unlike ru_maxrss, which a child inherits)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child() -> None:
    """One whole export in a fresh process: prints peak RSS before and after, then with tracemalloc the
    Python heap's peak (a second export: tracemalloc itself costs memory and time)."""
    edition = load_edition()
    before = peak_rss_mb()
    export = exports.build_export(edition, records(pages(edition)), NOW)
    after = peak_rss_mb()
    size = sum(len(content) for content, _ in export.files.values())
    del export
    tracemalloc.start()
    exports.build_export(edition, records(pages(edition)), NOW)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{before} {after} {heap_peak} {size}")


def main() -> None:
    if sys.argv[1:] == ["--memory-child"]:
        memory_child()
        return
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child"], capture_output=True, text=True, check=True
    )
    before, after, heap_peak, size = (float(part) for part in child.stdout.split())

    edition = load_edition()
    items = list(pages(edition))
    started = time.perf_counter()
    meetings = exports.collect(edition, records(items))
    read = time.perf_counter() - started
    started = time.perf_counter()
    tables = [exports.rows(edition, meeting) for meeting in meetings]
    shape = time.perf_counter() - started
    rows = sum(len(table) for table in tables)

    csv_best, csv_median = best_of(5, lambda: [exports.write_csv(table) for table in tables])
    xlsx_best, xlsx_median = best_of(2, lambda: workbook.write_xlsx(edition, meetings, tables))
    whole_best, _ = best_of(1, lambda: exports.build_export(edition, records(items), NOW))

    print(f"export of {REGISTRATIONS:,} registrations ({rows:,} rows; cancelled ones are only counted)")
    print(f"  read the scan's items   {read:6.2f} s")
    print(f"  shape the rows          {shape:6.2f} s")
    print(f"  CSV files               {csv_best:6.3f} s (median {csv_median:.3f} s)   goal <= 0.15 s")
    print(f"  XLSX workbook           {xlsx_best:6.2f} s (median {xlsx_median:.2f} s)   goal <= 2.5 s")
    print(f"  whole export, in memory {whole_best:6.2f} s")
    print(
        f"  peak memory (RSS)       {after:6.0f} MB (process at start {before:.0f} MB; "
        f"Python heap peak {heap_peak / 2**20:.0f} MB)   goal <= 200 MB"
    )
    print(f"  files                   {size / 2**20:6.1f} MB")


if __name__ == "__main__":
    main()
