"""Quotas and the reserve rule of the fair draw, in plain Python: the registration API uses the rule when a
seat is freed after the draw, without loading the solver (`sortition`, which needs HiGHS and numpy)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

Pool = Mapping[str, Iterable[str]]  # person id -> feature labels
Quotas = Mapping[str, tuple[int, int]]  # feature label -> (min, max) people on a panel


def sorted_quotas(quotas: Quotas) -> tuple[tuple[str, int, int], ...]:
    """The quotas as sorted (feature, min, max); refuses a range that is not 0 <= min <= max."""
    for feature, (low, high) in quotas.items():
        if not 0 <= low <= high:
            raise ValueError(f"quota for {feature!r} must have 0 <= min <= max, not ({low}, {high})")
    return tuple(sorted((feature, low, high) for feature, (low, high) in quotas.items()))


def kind_of(features: Iterable[str], labels: frozenset[str]) -> tuple[str, ...]:
    """A person's type: the quota labels among their features, sorted."""
    if isinstance(features, str):
        raise TypeError(f"features must be a collection of labels, not the string {features!r}")
    return tuple(sorted(labels.intersection(features)))


def replacement(
    panel: Pool, leaving: str | None, reserves: Sequence[tuple[str, Iterable[str]]], quotas: Quotas
) -> str | None:
    """Who takes the seat `leaving` frees: the first reserve of the same type (same quota features), else
    the first reserve whose entry keeps every quota met, else the first reserve; None if there is none.
    With `leaving` None (organisers added a seat) the rule starts at its second step."""
    checked = sorted_quotas(quotas)
    labels = frozenset(feature for feature, _, _ in checked)
    candidates = [(person, kind_of(features, labels)) for person, features in reserves]
    if leaving is not None:
        kind = kind_of(panel[leaving], labels)
        for person, features in candidates:
            if features == kind:
                return person
    staying = Counter(
        label for person in sorted(panel) if person != leaving for label in kind_of(panel[person], labels)
    )
    for person, features in candidates:
        if all(low <= staying[feature] + (feature in features) <= high for feature, low, high in checked):
            return person
    return candidates[0][0] if candidates else None


def missed(panel: Pool, quotas: Quotas) -> tuple[tuple[str, int, int], ...]:
    """Each quota a panel does not meet, as (feature, people missing, people in excess), sorted."""
    checked = sorted_quotas(quotas)
    labels = frozenset(feature for feature, _, _ in checked)
    drawn = Counter(label for person in sorted(panel) for label in kind_of(panel[person], labels))
    return tuple(
        (feature, max(0, low - drawn[feature]), max(0, drawn[feature] - high))
        for feature, low, high in checked
        if not low <= drawn[feature] <= high
    )


def left_over(quotas: Quotas, panel: Pool) -> dict[str, tuple[int, int]]:
    """The quotas for adding people to `panel`: what its members already count for is taken off."""
    checked = sorted_quotas(quotas)
    labels = frozenset(feature for feature, _, _ in checked)
    drawn = Counter(label for person in sorted(panel) for label in kind_of(panel[person], labels))
    return {
        feature: (max(0, low - drawn[feature]), max(0, high - drawn[feature]))
        for feature, low, high in checked
    }
