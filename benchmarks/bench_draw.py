"""Time and peak memory of the fair draw: four meetings of 2,000 applicants each (no AWS, no store).

Applicants have one of 4 role groups, one of 2 sector groups and 1 to 3 of the 3 themes; quotas ask for a
panel that does not mirror the pool (fewer parents and po than signed up). Capacities 30, 30, 30 and 50.
Goals: the four draws together at most 10 s and at most 300 MB peak memory. Peak memory is the process's peak
resident size, measured in a fresh child process around the four draws (imports included, as in a Lambda);
the Python heap's own peak (tracemalloc) is printed beside it. Also: `import praatmee.sortition` in a fresh
process, and what the draw anyone can check adds (the beacon's BLS check; one meeting's bundle built and
verified). Prints figures; never fails on them.
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

APPLICANTS = 2_000
CAPACITIES = (30, 30, 30, 50)
IMPORT_RUNS = 7
ROLES = {"rol:ouders-leerlingen": 45, "rol:onderwijs": 30, "rol:leiding": 15, "rol:overig": 10}
SECTORS = {"sector:po-sbo-so": 60, "sector:vo-vso": 40}
THEMES = ("thema:dyslexie", "thema:hoogbegaafdheid", "thema:leergedrag")

IMPORT = """
import time
start = time.perf_counter()
import praatmee.sortition
print(time.perf_counter() - start)
"""


def pool(meeting: int) -> dict[str, list[str]]:
    """Pseudonymous ids; themes: one for 60 %, two for 30 %, all three for 10 %."""
    rng = random.Random(meeting)
    applicants = {}
    for _ in range(APPLICANTS):
        features = [rng.choices(list(ROLES), list(ROLES.values()))[0]]
        features.append(rng.choices(list(SECTORS), list(SECTORS.values()))[0])
        features += rng.sample(THEMES, rng.choices([1, 2, 3], [60, 30, 10])[0])
        applicants[f"{rng.getrandbits(128):032x}"] = features
    return applicants


def quotas(capacity: int) -> dict[str, tuple[int, int]]:
    share = {
        "rol:ouders-leerlingen": (0.25, 0.35),
        "rol:onderwijs": (0.25, 0.35),
        "rol:leiding": (0.15, 0.25),
    }
    share |= {"rol:overig": (0.1, 0.2), "sector:po-sbo-so": (0.45, 0.55), "sector:vo-vso": (0.45, 0.55)}
    share |= {theme: (0.3, 0.6) for theme in THEMES}
    return {
        feature: (round(low * capacity), round(high * capacity)) for feature, (low, high) in share.items()
    }


def peak_rss_mb() -> float:
    """The process's peak resident size: VmHWM (reset by exec, unlike ru_maxrss, which a child inherits)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child() -> None:
    """The four draws in a fresh process: prints peak RSS before the import, after the four draws and, with
    tracemalloc, the Python heap's peak over a second round."""
    pools = [pool(meeting) for meeting in range(len(CAPACITIES))]
    before = peak_rss_mb()
    from praatmee import sortition

    for meeting, capacity in enumerate(CAPACITIES):
        sortition.draw(pools[meeting], quotas(capacity), capacity, b"bench %d" % meeting)
    after = peak_rss_mb()
    tracemalloc.start()
    for meeting, capacity in enumerate(CAPACITIES):
        sortition.draw(pools[meeting], quotas(capacity), capacity, b"bench %d" % meeting)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{before} {after} {heap_peak}")


def main() -> None:
    if sys.argv[1:] == ["--memory-child"]:
        memory_child()
        return
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child"], capture_output=True, text=True, check=True
    )
    before, after, heap_peak = (float(part) for part in child.stdout.split())
    imports = [
        float(
            subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True).stdout
        )
        for _ in range(IMPORT_RUNS)
    ]

    from praatmee import sortition

    print(f"fair draw of {len(CAPACITIES)} meetings x {APPLICANTS:,} applicants (capacities {CAPACITIES})")
    total = 0.0
    for meeting, capacity in enumerate(CAPACITIES):
        applicants, wanted = pool(meeting), quotas(capacity)
        started = time.perf_counter()
        distribution = sortition.distribute(applicants, wanted, capacity)
        solved = time.perf_counter() - started
        result = sortition.sample(distribution, b"bench %d" % meeting)
        took = time.perf_counter() - started
        total += took
        lowest = min(kind.probability for kind in distribution.types)
        print(
            f"  meeting {meeting + 1}, {capacity} places  {took:6.2f} s (solver {solved:.2f} s)   "
            f"{len(distribution.types)} types, {len(distribution.panels)} panels, lowest probability "
            f"{lowest:.4f}, shortfall {distribution.shortfall}, {len(result.reserves):,} reserves"
        )
    print(f"  four draws together      {total:6.2f} s   goal <= 10 s")
    print(
        f"  peak memory (RSS)        {after:6.0f} MB (process before the import {before:.0f} MB; "
        f"Python heap peak {heap_peak / 2**20:.1f} MB)   goal <= 300 MB"
    )
    fastest, median = min(imports) * 1000, statistics.median(imports) * 1000
    print(f"  import praatmee.sortition {fastest:5.0f} ms (median {median:.0f} ms; {IMPORT_RUNS} processes)")
    verifiable()


def verifiable() -> None:
    """What the draw anyone can check adds: the beacon's BLS check, and one meeting's bundle built and
    verified (the draw re-run included) for 2,000 applicants."""
    import datetime as dt

    from praatmee import beacon, bundle, commitment, sortition
    from praatmee.edition import load_edition
    from praatmee.table import DrawRecord

    recorded = sorted((Path(__file__).parents[1] / "tests" / "beacon").glob("quicknet-*.json"))
    rounds = [beacon.parse(path.read_bytes()) for path in recorded]
    beacon.verify(rounds[0])  # the library's import and first use
    runs = 50
    started = time.perf_counter()
    for n in range(runs):
        beacon.verify(rounds[n % len(rounds)])
    per_check = (time.perf_counter() - started) / runs * 1000
    print(
        f"verifiable draw: BLS check of a quicknet round {per_check:5.1f} ms "
        f"(py-arkworks-bls12381, {runs} runs)"
    )

    edition = load_edition()
    code = commitment.CodeVersion(
        commit="", clean=False, pyproject_sha256="0" * 64, draw_code_sha256="0" * 64
    )
    made = edition.registration_closes_at - dt.timedelta(days=1)
    promised = commitment.make(edition, "bench", code, made, rounds[-1].number, trial=True)
    lottery = bundle.Lottery(commitment.Reveal.check(promised, rounds[-1], "bench"))
    meeting = edition.meetings[0]
    assert meeting.targets is not None
    wanted = meeting.targets.quotas()
    rng = random.Random(7)
    groups, themes = (
        ["ouders", "leerlingen", "onderwijs", "anderen"],
        ["dyslexie", "hoogbegaafdheid", "leergedrag"],
    )
    applicants = {
        f"{rng.getrandbits(128):032x}": frozenset(
            [f"rol:{rng.choice(groups)}", "school:voortgezet", *(f"thema:{t}" for t in rng.sample(themes, 2))]
        )
        for _ in range(APPLICANTS)
    }
    started = time.perf_counter()
    named = lottery.pseudonyms(applicants)
    drawn = {number: applicants[rid] for number, rid in named.items()}
    result = sortition.draw(drawn, wanted, meeting.capacity, lottery.seed(meeting.id))
    record = DrawRecord(
        meeting.id,
        "2027-03-02T09:00:05+00:00",
        tuple(named[n] for n in result.selected),
        tuple(named[n] for n in result.reserves),
    )
    drew = time.perf_counter() - started
    started = time.perf_counter()
    body = lottery.publish(
        record, bundle.DrawInputs(meeting.id, drawn, wanted, meeting.capacity), result
    ).body
    built = time.perf_counter() - started
    started = time.perf_counter()
    report = bundle.verify(body, promised)
    checked = time.perf_counter() - started
    print(
        f"  one meeting of {APPLICANTS:,}: draw under draw numbers {drew:5.2f} s, bundle "
        f"{built * 1000:4.0f} ms ({len(body) / 1024:.0f} KiB), verify {checked:5.2f} s "
        f"({'holds' if report.holds else 'FAILS'})"
    )


if __name__ == "__main__":
    main()
