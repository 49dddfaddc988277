"""The fair draw's pure core: leximin-fair, quota-keeping, reproducible to the byte, and its reserve rule."""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from praatmee import sortition
from praatmee.quotas import replacement
from praatmee.sortition import Shortfall, distribute, draw, sample

ROOT = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "golden" / "draw.json"
ROLES = ("rol:ouders", "rol:onderwijs", "rol:leiding", "rol:overig")
SECTORS = ("sector:po", "sector:sbo", "sector:so", "sector:vo", "sector:vso")
THEMES = ("thema:dyslexie", "thema:hoogbegaafdheid", "thema:leergedrag")
Pool = Mapping[str, frozenset[str]]
Quotas = Mapping[str, tuple[int, int]]


def synthetic_pool(size: int, seed: int) -> dict[str, frozenset[str]]:
    """Roles skewed (40/30/20/10 %), sectors even, one or two themes each."""
    rng = random.Random(seed)
    return {
        f"p{number:03d}": frozenset(
            [rng.choices(ROLES, [4, 3, 2, 1])[0], rng.choice(SECTORS), *rng.sample(THEMES, rng.randint(1, 2))]
        )
        for number in range(size)
    }


def drawn(pool: Pool, people: Sequence[str], feature: str) -> int:
    return sum(feature in pool[person] for person in people)


def violation(pool: Pool, people: Sequence[str], quotas: Quotas) -> int:
    counts = [(drawn(pool, people, feature), low, high) for feature, (low, high) in quotas.items()]
    return sum(max(0, low - count) + max(0, count - high) for count, low, high in counts)


# --- An independent leximin over explicit panels: plain LPs, no duals, no column generation.


def lp_maximum(cost: np.ndarray, matrix: np.ndarray, row_lower: np.ndarray, free_last: bool) -> float:
    """max cost . x subject to row_lower <= matrix x (the first row an equality), x >= 0 (the last free)."""
    rows, cols = matrix.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols, rows
    lp.col_cost_ = cost
    lp.col_lower_ = np.array([0.0] * (cols - 1) + [-highspy.kHighsInf if free_last else 0.0])
    lp.col_upper_ = np.full(cols, highspy.kHighsInf)
    lp.row_lower_ = row_lower
    lp.row_upper_ = np.array([row_lower[0]] + [highspy.kHighsInf] * (rows - 1))
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    nonzero = [np.flatnonzero(matrix[:, col]) for col in range(cols)]
    lp.a_matrix_.start_ = np.cumsum([0] + [len(index) for index in nonzero]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(nonzero).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([matrix[index, col] for col, index in enumerate(nonzero)])
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.setOptionValue("output_flag", False)
    solver.passModel(lp)
    solver.run()
    assert solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(solver.getInfo().objective_function_value)


def exact_leximin(share: np.ndarray) -> np.ndarray:
    """Leximin probabilities; share[i, p] is what panel p gives entity i. After each maximin, an entity is
    fixed when no distribution keeping the others at their levels lifts it above the level."""
    entities, panels = share.shape
    fixed = np.full(entities, np.nan)
    while np.isnan(fixed).any():
        free = np.isnan(fixed)
        with_level = np.vstack(
            [np.append(np.ones(panels), 0.0), np.hstack([share, -free[:, None].astype(float)])]
        )
        level = lp_maximum(
            np.append(np.zeros(panels), 1.0), with_level, np.append(1.0, np.where(free, 0.0, fixed)), True
        )
        floors = np.append(1.0, np.where(free, level - 1e-9, fixed))
        plain = np.vstack([np.ones(panels), share])
        tight = [
            i for i in np.flatnonzero(free) if lp_maximum(share[i], plain, floors, False) <= level + 1e-7
        ]
        assert tight, "some entity is always tight at the maximin level"
        fixed[tight] = level
    return fixed


def compositions(total: int, bounds: Sequence[int]) -> Iterator[tuple[int, ...]]:
    if not bounds:
        if total == 0:
            yield ()
        return
    for first in range(min(total, bounds[0]) + 1):
        for rest in compositions(total - first, bounds[1:]):
            yield (first, *rest)


@st.composite
def small_cases(pick: st.DrawFn) -> tuple[dict[str, frozenset[str]], dict[str, tuple[int, int]], int]:
    features = ("rol:ouders", "rol:onderwijs", "sector:po", "sector:vo", "thema:dyslexie")
    size = pick(st.integers(2, 12))
    pool = {f"p{number:02d}": pick(st.frozensets(st.sampled_from(features))) for number in range(size)}
    capacity = pick(st.integers(1, size - 1))
    quotas = {}
    for feature in pick(st.lists(st.sampled_from(features), unique=True, max_size=4)):
        low = pick(st.integers(0, capacity))
        quotas[feature] = (low, pick(st.integers(low, capacity)))
    return pool, quotas, capacity


# --- Leximin, certified


@settings(max_examples=50, deadline=None)
@given(small_cases())
def test_probabilities_are_the_exact_leximin_over_every_panel_with_the_least_shortfall(
    case: tuple[dict[str, frozenset[str]], dict[str, tuple[int, int]], int],
) -> None:
    # Given a pool of at most 12 people, any quotas (meetable or not) and a panel size
    pool, quotas, capacity = case
    people = sorted(pool)

    # When the solver distributes
    result = distribute(pool, quotas, capacity)

    # Then its shortfall is the least any panel has, every panel of its lottery has it,
    panels = list(itertools.combinations(people, capacity))
    least = min(violation(pool, panel, quotas) for panel in panels)
    assert result.shortfall == least
    valid = [panel for panel in panels if violation(pool, panel, quotas) == least]
    for panel in result.panels:
        members = [
            m for kind, count in zip(result.types, panel.counts, strict=True) for m in kind.members[:count]
        ]
        assert violation(pool, members, quotas) == least
    # and each person's probability is the exact leximin over all those panels, enumerated
    share = np.array([[person in panel for panel in valid] for person in people], dtype=float)
    expected = exact_leximin(share)
    probabilities = result.probabilities
    assert [probabilities[person] for person in people] == pytest.approx(list(expected), abs=1e-6)
    assert sum(panel.weight for panel in result.panels) == sortition.WEIGHT_TOTAL


def test_on_a_larger_pool_type_probabilities_are_the_leximin_of_the_enumerated_types_lp() -> None:
    # Given 90 people in six types of uneven size and quotas that pull against the pool's make-up
    sizes = {
        ("rol:onderwijs", "sector:po"): 30,
        ("rol:onderwijs", "sector:vo"): 20,
        ("rol:ouders", "sector:po"): 15,
        ("rol:ouders", "sector:vo"): 12,
        ("rol:leiding", "sector:po"): 8,
        ("rol:leiding", "sector:vo"): 5,
    }
    pool = {
        f"{'-'.join(features)}-{number}": frozenset(features)
        for features, size in sizes.items()
        for number in range(size)
    }
    quotas = {"rol:onderwijs": (3, 4), "rol:ouders": (3, 5), "rol:leiding": (2, 3), "sector:po": (4, 6)}
    quotas |= {"sector:vo": (4, 6)}

    # When the solver distributes 10 places
    result = distribute(pool, quotas, 10)

    # Then each type's probability is the exact leximin over every count vector meeting the quotas
    types = [kind.features for kind in result.types]
    counts = [len(kind.members) for kind in result.types]
    as_pool = {str(t): frozenset(features) for t, features in enumerate(types)}
    vectors = [
        vector
        for vector in compositions(10, counts)
        if violation(as_pool, [str(t) for t, count in enumerate(vector) for _ in range(count)], quotas) == 0
    ]
    assert len(vectors) > 50
    share = np.array([[vector[t] / counts[t] for vector in vectors] for t in range(len(types))])
    expected = exact_leximin(share)
    assert [kind.probability for kind in result.types] == pytest.approx(list(expected), abs=1e-6)
    assert min(expected) < max(expected)  # the quotas make it a real leximin, not a uniform lottery


# --- Sampling


def test_ten_thousand_sampled_panels_keep_the_quotas_and_match_the_probabilities() -> None:
    # Given 60 people (4 role groups, 5 sectors, 3 themes), quotas the pool does not mirror, 15 places
    pool = synthetic_pool(60, seed=7)
    quotas = {role: (3, 4) for role in ROLES} | {sector: (2, 4) for sector in SECTORS}
    quotas |= {theme: (4, 8) for theme in THEMES}
    result = distribute(pool, quotas, 15)
    assert result.shortfall == 0
    assert len({round(kind.probability, 6) for kind in result.types}) > 3

    # When 10,000 panels are sampled from that one lottery with 10,000 seeds
    hits: Counter[str] = Counter()
    runs = 10_000
    for number in range(runs):
        selected = sample(result, number.to_bytes(4, "big")).selected
        # Then no panel breaks a quota
        assert len(selected) == 15
        assert violation(pool, selected, quotas) == 0
        hits.update(selected)

    # and everyone's frequency lies within 4 sigma of the computed probability
    for person, probability in result.probabilities.items():
        sigma = math.sqrt(probability * (1 - probability) / runs)
        assert abs(hits[person] / runs - probability) <= 4 * sigma + 1e-12, person


def test_everyone_not_drawn_is_a_reserve_and_the_first_of_a_type_is_its_next_in_line() -> None:
    # Given one type of 12 people and no quotas
    pool = {f"p{number:02d}": frozenset({"rol:ouders"}) for number in range(12)}
    seed = b"next in line"

    # When 5 places are drawn, and with the same seed 6
    five = draw(pool, {}, 5, seed)
    six = draw(pool, {}, 6, seed)

    # Then panel and reserves split the pool, and the sixth place goes to the first reserve of five
    assert sorted(five.selected + five.reserves) == sorted(pool)
    assert set(six.selected) == {*five.selected, five.reserves[0]}
    assert six.reserves == five.reserves[1:]


# --- Shortfalls and the pool that fits


def test_quotas_no_panel_can_meet_give_the_least_shortfall_named_per_feature() -> None:
    # Given only 2 parents where 4 are wanted, and at most 3 teachers on a panel of 6
    pool = {f"ouder-{n}": {"rol:ouders"} for n in range(2)} | {
        f"leraar-{n}": {"rol:onderwijs"} for n in range(8)
    }
    quotas = {"rol:ouders": (4, 6), "rol:onderwijs": (0, 3)}

    # When drawn
    result = draw(pool, quotas, 6, b"seed")

    # Then the draw goes on: both parents sit, and the report names what is missing and what is in excess
    assert len(result.selected) == 6
    assert {"ouder-0", "ouder-1"} <= set(result.selected)
    assert result.distribution.shortfall == 3
    assert result.shortfalls == (Shortfall("rol:onderwijs", 0, 1), Shortfall("rol:ouders", 2, 0))
    assert result.probabilities["ouder-0"] == 1.0
    assert result.probabilities["leraar-0"] == pytest.approx(4 / 8)


def test_meetable_quotas_report_no_shortfall() -> None:
    pool = synthetic_pool(40, seed=3)
    quotas = {role: (1, 5) for role in ROLES}

    result = draw(pool, quotas, 10, b"seed")

    assert result.shortfalls == ()
    assert result.distribution.shortfall == 0


def test_a_pool_that_fits_is_drawn_whole_without_the_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given 5 people for 5 places, and a solver that must not be called
    def no_solver() -> None:
        raise AssertionError("the solver was called")

    monkeypatch.setattr(sortition, "_Highs", no_solver)
    pool = {f"p{n}": {"rol:ouders" if n < 4 else "rol:leiding"} for n in range(5)}

    # When drawn, with a quota the pool cannot meet
    result = draw(pool, {"rol:leiding": (2, 3)}, 5, b"seed")

    # Then everyone is selected with certainty, nobody waits, and the shortfall is still reported
    assert result.selected == ("p0", "p1", "p2", "p3", "p4")
    assert result.reserves == ()
    assert set(result.probabilities.values()) == {1.0}
    assert result.shortfalls == (Shortfall("rol:leiding", 1, 0),)


# --- Reproducible to the byte

SCRIPT = """
import random
from praatmee.sortition import draw
rng = random.Random(11)
roles = ["rol:ouders", "rol:onderwijs", "rol:leiding", "rol:overig"]
themes = ["thema:dyslexie", "thema:hoogbegaafdheid", "thema:leergedrag"]
pool = {}
for number in range(300):
    chance = [rng.random() for theme in themes]
    features = {rng.choice(roles), rng.choice(["sector:po", "sector:vo"])}
    features |= {theme for theme, p in zip(themes, chance) if p < 0.4}  # a set: order by hash seed
    pool[format(rng.getrandbits(64), "016x")] = features
quotas = {role: (4, 7) for role in roles} | {"sector:po": (9, 13), "sector:vo": (9, 13)}
quotas |= {theme: (6, 12) for theme in themes}
print(draw(pool, quotas, 22, bytes.fromhex("5eed")).to_json(), end="")
"""


def test_the_same_draw_gives_the_same_bytes_in_processes_with_other_hash_seeds() -> None:
    # Given three fresh processes whose string hashing (set order) differs
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT],
            env=os.environ | {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT / "functions")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for hash_seed in ("0", "1", "4242")
    ]
    # When each draws the same pool with the same seed
    outputs = [process.communicate(timeout=120) for process in processes]

    # Then they print nothing but the result, and the same bytes
    assert [err for _, err in outputs] == [b""] * 3
    first = outputs[0][0]
    assert [out for out, _ in outputs] == [first] * 3
    assert len(json.loads(first)["selected"]) == 22


def golden_input() -> tuple[dict[str, list[str]], dict[str, tuple[int, int]]]:
    pool = {
        f"{number:04x}": [ROLES[number % 4], SECTORS[number % 3], *THEMES[: 1 + number % 3]]
        for number in range(16)
    }
    return pool, {"rol:ouders": (1, 2), "rol:overig": (1, 1), "sector:po": (2, 3), "thema:leergedrag": (1, 2)}


def test_a_fixed_input_reproduces_the_golden_file() -> None:
    # Given the fixed input of tests/golden/draw.json; after a deliberate change of method, rewrite it with:
    # PYTHONPATH=functions python -c "from tests.test_sortition import *; GOLDEN.write_text(golden_draw())"
    expected = GOLDEN.read_text(encoding="utf-8")

    # When drawn, then the result is that file, byte for byte
    assert golden_draw() == expected


def golden_draw() -> str:
    pool, quotas = golden_input()
    return draw(pool, quotas, 6, b"praatmee golden").to_json()


@settings(max_examples=5, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_order_of_pool_features_and_quotas_does_not_matter(rng: random.Random) -> None:
    # Given the golden input, with people, their features and the quotas in another order
    pool, quotas = golden_input()
    shuffled_pool = {
        person: rng.sample(pool[person], len(pool[person])) for person in rng.sample(list(pool), 16)
    }
    shuffled_quotas = dict(rng.sample(list(quotas.items()), len(quotas)))

    # When drawn, then the result is the same, byte for byte
    assert draw(shuffled_pool, shuffled_quotas, 6, b"praatmee golden").to_json() == golden_draw()


# --- Replacement after the draw

QUOTAS = {"rol:ouders": (1, 2), "sector:po": (1, 2)}
PANEL = {
    "a": {"rol:ouders", "sector:po"},
    "b": {"rol:onderwijs", "sector:vo"},
    "c": {"rol:ouders", "sector:vo"},
}


def test_a_leaver_is_replaced_by_the_first_reserve_of_the_same_type() -> None:
    reserves = [("x", {"rol:onderwijs", "sector:po"}), ("y", {"rol:ouders", "sector:po", "thema:dyslexie"})]

    # y has a's quota features (a theme without a quota does not count), though x comes first and would fit
    assert replacement(PANEL, "a", reserves, QUOTAS) == "y"


def test_without_one_of_the_same_type_the_first_reserve_that_keeps_every_quota_met() -> None:
    reserves = [("x", {"rol:onderwijs", "sector:vo"}), ("y", {"rol:onderwijs", "sector:po"})]

    # Without a (the only po), x would leave sector:po below its minimum; y keeps it met
    assert replacement(PANEL, "a", reserves, QUOTAS) == "y"


def test_when_no_reserve_keeps_the_quotas_the_first_reserve_and_none_without_reserves() -> None:
    reserves = [("x", {"rol:onderwijs", "sector:vo"}), ("y", {"rol:ouders", "sector:vo"})]

    assert replacement(PANEL, "a", reserves, QUOTAS) == "x"
    assert replacement(PANEL, "a", [], QUOTAS) is None


# --- Refused input


@pytest.mark.parametrize(
    ("quotas", "capacity", "error"),
    [
        ({"rol:ouders": (3, 2)}, 5, ValueError),
        ({"rol:ouders": (-1, 2)}, 5, ValueError),
        ({}, -1, ValueError),
    ],
)
def test_malformed_quotas_or_capacity_are_refused(
    quotas: dict[str, tuple[int, int]], capacity: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        distribute({"p": {"rol:ouders"}}, quotas, capacity)


def test_a_string_is_not_taken_for_a_set_of_features() -> None:
    with pytest.raises(TypeError):
        distribute({"p": "rol:ouders"}, {}, 1)
