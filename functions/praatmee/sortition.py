"""The fair draw's pure core: leximin-fair selection under min-max quotas, and a seeded, verifiable sample.

Method (Flanigan et al., Nature 596:548, 2021), over *types*: people with the same quota features are
interchangeable, so a panel is a count per type. Column generation: a master LP over the panels found so far
prices the types; a MIP finds the best panel at those prices; when none improves, the types with a positive
price cannot rise any more and are fixed at the level reached (leximin), and the rest is raised again.
Quotas no panel meets never stop the draw: every panel has the smallest total shortfall (missing + excess).

Determinism: labels, types and panels are sorted; HiGHS runs single-threaded with a fixed random seed; the
distribution is rounded to integer weights before sampling; the seed picks a panel and ranks people through
HMAC-SHA256, in integer arithmetic. No `random`, no set or dict order, so no dependence on PYTHONHASHSEED.
"""

from __future__ import annotations

import bisect
import hmac
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import accumulate

import numpy as np
from highspy import HighsModelStatus, HighsVarType, ObjSense, kHighsInf

# The public `highspy.Highs` prints a banner on stdout when made, before any option can silence it.
from highspy._core import _Highs

from praatmee.quotas import Pool, Quotas, kind_of, sorted_quotas

METHOD = "praatmee-sortition/1: leximin over types (HiGHS 1.16), HMAC-SHA256 sampling, weights in billionths"
WEIGHT_TOTAL = 10**9  # a distribution's integer weights add up to this
PRICE_TOLERANCE = 1e-9  # a new panel must beat the master's level by more than this
FIX_TOLERANCE = 1e-6  # a type whose price exceeds this is fixed (the prices of unfixed types add up to 1)
FIX_MARGIN = (
    1e-9  # a fixed level sits this far below the level reached: rounding never makes an LP infeasible
)
HIGHS_OPTIONS: dict[str, bool | int | float | str] = {
    "output_flag": False,
    "threads": 1,
    "parallel": "off",
    "random_seed": 0,
    "mip_rel_gap": 0.0,
    "mip_abs_gap": 1e-10,
    "primal_feasibility_tolerance": 1e-9,
    "dual_feasibility_tolerance": 1e-9,
}


@dataclass(frozen=True)
class PoolType:
    """People with the same quota features (sorted); each of them has `probability` of being drawn."""

    features: tuple[str, ...]
    members: tuple[str, ...]
    probability: float


@dataclass(frozen=True)
class Panel:
    counts: tuple[int, ...]  # people drawn per type, in the order of `Distribution.types`
    weight: int  # the panel's chance, in units of 1 / WEIGHT_TOTAL


@dataclass(frozen=True)
class Shortfall:
    feature: str
    missing: int  # people below the feature's minimum
    excess: int  # people above its maximum


@dataclass(frozen=True)
class Distribution:
    """A lottery over panels; every panel has `shortfall` (the smallest total possible), mostly 0."""

    capacity: int
    quotas: tuple[tuple[str, int, int], ...]  # (feature, min, max), sorted
    types: tuple[PoolType, ...]
    panels: tuple[Panel, ...]
    shortfall: int

    @property
    def probabilities(self) -> dict[str, float]:
        return {person: kind.probability for kind in self.types for person in kind.members}


@dataclass(frozen=True)
class Draw:
    distribution: Distribution
    seed: bytes
    panel: int  # index of the drawn panel in `distribution.panels`
    selected: tuple[str, ...]  # sorted
    reserves: tuple[str, ...]  # everyone else, first reserve first
    shortfalls: tuple[Shortfall, ...]  # of the drawn panel, by feature

    @property
    def probabilities(self) -> dict[str, float]:
        return self.distribution.probabilities

    def to_json(self) -> str:
        """Everything needed to re-run and check the draw, as canonical JSON (same draw, same bytes)."""
        d = self.distribution
        data = {
            "method": METHOD,
            "capacity": d.capacity,
            "quotas": {feature: [low, high] for feature, low, high in d.quotas},
            "types": [asdict(kind) for kind in d.types],
            "panels": [asdict(panel) for panel in d.panels],
            "shortfall": d.shortfall,
            "seed": self.seed.hex(),
            "panel": self.panel,
            "selected": self.selected,
            "reserves": self.reserves,
            "shortfalls": [asdict(shortfall) for shortfall in self.shortfalls],
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def draw(pool: Pool, quotas: Quotas, capacity: int, seed: bytes) -> Draw:
    """The fair draw: a pure function of its arguments."""
    return sample(distribute(pool, quotas, capacity), seed)


def distribute(pool: Pool, quotas: Quotas, capacity: int) -> Distribution:
    """The leximin-fair lottery over panels of `capacity` people; everyone when the pool fits."""
    if capacity < 0:
        raise ValueError(f"capacity {capacity} is negative")
    checked = sorted_quotas(quotas)
    labels = frozenset(feature for feature, _, _ in checked)
    groups: dict[tuple[str, ...], list[str]] = {}
    for person in sorted(pool):
        groups.setdefault(kind_of(pool[person], labels), []).append(person)
    features = sorted(groups)
    members = [groups[key] for key in features]
    sizes = [len(people) for people in members]
    if len(pool) <= capacity:
        shortfall, weighted = _total_shortfall(features, sizes, checked), [(tuple(sizes), 1.0)]
    else:
        shortfall, weighted = _leximin(features, sizes, checked, capacity)
    weighted.sort()
    weights = _integer_weights([weight for _, weight in weighted])
    panels = [Panel(counts, weight) for (counts, _), weight in zip(weighted, weights, strict=True) if weight]
    types = [
        PoolType(key, tuple(people), sum(p.weight * p.counts[t] for p in panels) / (WEIGHT_TOTAL * sizes[t]))
        for t, (key, people) in enumerate(zip(features, members, strict=True))
    ]
    return Distribution(capacity, checked, tuple(types), tuple(panels), shortfall)


def sample(distribution: Distribution, seed: bytes) -> Draw:
    """Draw one panel with the seed, then within each type the people ranked first by HMAC(seed, id).

    Everyone not drawn is a reserve, in the same ranking across all types: so each type's own queue keeps
    the order in which its people would have been drawn, and the first reserve of a type is its next in line.
    """
    point = int.from_bytes(_mac(seed, b"panel")[:8], "big") * WEIGHT_TOTAL >> 64  # uniform in [0, total)
    index = bisect.bisect_right(list(accumulate(panel.weight for panel in distribution.panels)), point)
    panel = distribution.panels[index]
    ranked = [
        sorted((_mac(seed, b"person\0" + person.encode()), person) for person in kind.members)
        for kind in distribution.types
    ]
    selected = sorted(
        person for queue, count in zip(ranked, panel.counts, strict=True) for _, person in queue[:count]
    )
    reserves = sorted(
        entry for queue, count in zip(ranked, panel.counts, strict=True) for entry in queue[count:]
    )
    shortfalls = _shortfalls(
        [kind.features for kind in distribution.types], panel.counts, distribution.quotas
    )
    return Draw(
        distribution, seed, index, tuple(selected), tuple(person for _, person in reserves), shortfalls
    )


def _mac(seed: bytes, message: bytes) -> bytes:
    return hmac.digest(seed, b"praatmee-sortition/" + message, "sha256")


def _shortfalls(
    features: Sequence[tuple[str, ...]], counts: Sequence[int], quotas: Sequence[tuple[str, int, int]]
) -> tuple[Shortfall, ...]:
    drawn = Counter[str]()
    for kind, count in zip(features, counts, strict=True):
        if count:
            drawn.update(dict.fromkeys(kind, count))
    return tuple(
        Shortfall(feature, max(0, low - drawn[feature]), max(0, drawn[feature] - high))
        for feature, low, high in quotas
        if not low <= drawn[feature] <= high
    )


def _total_shortfall(
    features: Sequence[tuple[str, ...]], counts: Sequence[int], quotas: Sequence[tuple[str, int, int]]
) -> int:
    return sum(s.missing + s.excess for s in _shortfalls(features, counts, quotas))


def _integer_weights(weights: Sequence[float]) -> list[int]:
    """Weights as integers adding up to WEIGHT_TOTAL (largest remainder): sampling never compares floats."""
    clipped = [max(0.0, weight) for weight in weights]
    total = sum(clipped)
    scaled = [weight / total * WEIGHT_TOTAL for weight in clipped]
    result = [int(value) for value in scaled]
    by_remainder = sorted(range(len(scaled)), key=lambda i: (result[i] - scaled[i], i))
    for i in by_remainder[: WEIGHT_TOTAL - sum(result)]:
        result[i] += 1
    return result


def _highs() -> _Highs:
    solver = _Highs()
    for name, value in HIGHS_OPTIONS.items():
        solver.setOptionValue(name, value)
    return solver


def _run(solver: _Highs) -> None:
    solver.run()
    if solver.getModelStatus() != HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS ended with {solver.modelStatusToString(solver.getModelStatus())}")


def _add_rows(solver: _Highs, lows: Sequence[float], highs: Sequence[float]) -> None:
    starts = np.zeros(len(lows), np.int32)
    solver.addRows(
        len(lows), np.array(lows, float), np.array(highs, float), 0, starts, starts[:0], np.zeros(0)
    )


def _add_column(solver: _Highs, cost: float, low: float, high: float, entries: Mapping[int, float]) -> None:
    rows = sorted(entries)
    values = np.array([entries[row] for row in rows], float)
    solver.addCol(cost, low, high, len(rows), np.array(rows, np.int32), values)


def _panel_model(
    features: Sequence[tuple[str, ...]],
    sizes: Sequence[int],
    quotas: Sequence[tuple[str, int, int]],
    capacity: int,
) -> _Highs:
    """The MIP whose solutions are panels. Columns: a count per type, then per quota a missing and an excess
    count. Rows: the capacity, one per quota, and last the total shortfall (unbounded for now)."""
    mip = _highs()
    last = len(quotas) + 1
    _add_rows(
        mip,
        [capacity, *(low for _, low, _ in quotas), 0],
        [capacity, *(high for _, _, high in quotas), kHighsInf],
    )
    for kind, size in zip(features, sizes, strict=True):
        _add_column(
            mip, 0.0, 0.0, size, {0: 1.0} | {1 + q: 1.0 for q, quota in enumerate(quotas) if quota[0] in kind}
        )
    for q in range(len(quotas)):
        _add_column(mip, 1.0, 0.0, kHighsInf, {1 + q: 1.0, last: 1.0})  # missing
        _add_column(mip, 1.0, 0.0, kHighsInf, {1 + q: -1.0, last: 1.0})  # excess
    integral = np.full(len(sizes), HighsVarType.kInteger.value, np.uint8)
    mip.changeColsIntegrality(len(sizes), np.arange(len(sizes), dtype=np.int32), integral)
    return mip


def _solved_panel(mip: _Highs, types: int) -> tuple[int, ...]:
    _run(mip)
    return tuple(round(value) for value in mip.getSolution().col_value[:types])


def _leximin(
    features: Sequence[tuple[str, ...]],
    sizes: Sequence[int],
    quotas: Sequence[tuple[str, int, int]],
    capacity: int,
) -> tuple[int, list[tuple[tuple[int, ...], float]]]:
    """The smallest total shortfall, and the leximin distribution over panels that have it (float weights)."""
    types, slacks = len(sizes), 2 * len(quotas)
    mip = _panel_model(features, sizes, quotas, capacity)
    first = _solved_panel(mip, types)  # minimises the total shortfall
    shortfall = _total_shortfall(features, first, quotas)
    mip.changeRowBounds(len(quotas) + 1, -kHighsInf, shortfall)
    mip.changeColsCost(slacks, np.arange(types, types + slacks, dtype=np.int32), np.zeros(slacks))
    mip.changeObjectiveSense(ObjSense.kMaximize)  # from now on: the panel worth most at the master's prices

    # Master LP, minimising -z. Columns: the level z, then a weight per panel. Row 0: the weights add up to 1;
    # row 1 + t: type t's probability minus z while t is free (so >= z), else at least its fixed level.
    master = _highs()
    master.setOptionValue("solver", "simplex")  # vertex duals: a positive one means the type is tight
    _add_rows(master, [1.0] + [0.0] * types, [1.0] + [kHighsInf] * types)
    _add_column(master, -1.0, -kHighsInf, kHighsInf, {1 + t: -1.0 for t in range(types)})
    panels: list[tuple[int, ...]] = []

    def add(panel: tuple[int, ...]) -> None:
        if sum(panel) != capacity or _total_shortfall(features, panel, quotas) != shortfall:
            raise RuntimeError(f"HiGHS returned a panel outside the model: {panel}")
        panels.append(panel)
        _add_column(
            master, 0.0, 0.0, kHighsInf, {0: 1.0} | {1 + t: c / sizes[t] for t, c in enumerate(panel) if c}
        )

    add(first)
    fixed = [False] * types
    while not all(fixed):
        while True:  # column generation: raise the free types' level as far as any panel allows
            _run(master)
            duals = master.getSolution().row_dual
            prices = [max(0.0, duals[1 + t]) / sizes[t] for t in range(types)]
            mip.changeColsCost(types, np.arange(types, dtype=np.int32), np.array(prices))
            best = _solved_panel(mip, types)
            worth = sum(price * count for price, count in zip(prices, best, strict=True))
            if worth <= -duals[0] + PRICE_TOLERANCE or best in panels:
                break
            add(best)
        level = master.getSolution().col_value[0]
        free = [t for t in range(types) if not fixed[t]]
        # A positive price means tight in every optimum: cannot rise further. The prices of the free types add
        # up to 1, so one exceeds the tolerance; the fallback only guards the loop against odd duals.
        for t in [t for t in free if duals[1 + t] > FIX_TOLERANCE] or [max(free, key=lambda t: duals[1 + t])]:
            fixed[t] = True
            master.changeCoeff(1 + t, 0, 0.0)
            master.changeRowBounds(1 + t, max(0.0, level - FIX_MARGIN), kHighsInf)
    return shortfall, list(zip(panels, master.getSolution().col_value[1:], strict=True))
