"""The bundle of one draw: all anyone needs to re-run it and see that it holds, and nothing personal.

One bundle per DrawRecord (a meeting's draw, or a second pass under its own label), written *before* the
record into the export bucket as `exports/loting/<label>.json`, canonical JSON (sorted keys, no spaces), with
`<label>.json.sha256` beside it in `sha256sum` form. A failed upload therefore leaves the meeting undrawn, and
the next run draws it again from the same inputs. It holds the pseudonymous pool (each draw number with the
person's categories and computed probability), the quotas and seats, the drand round with its signature, the
revealed secret and the seed, the panel and the reserve order: no name, e-mail address or registration id.

`verify` needs no AWS and no network: it checks the secret against the committed hash, the round against the
commitment and the chain's key, recomputes the seed, and re-runs `sortition.draw` (a pure function of pool,
quotas, seats and seed) to compare probabilities, panel and reserve order. It names each thing that differs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError

from praatmee import beacon, commitment
from praatmee.commitment import Commitment, CommitmentBroken, Reveal, canonical, sha256
from praatmee.lottery_texts import COMMITMENT_TEXTS, VERIFY_TEXTS

if TYPE_CHECKING:
    from praatmee import sortition
    from praatmee.bucket import ExportBucket
    from praatmee.edition import Edition
    from praatmee.settings import DrawSettings
    from praatmee.table import DrawRecord

FORMAT = "praatmee-loting/1"
FOLDER = "exports/loting/"
JSON_TYPE = "application/json"
SHA_TYPE = "text/plain; charset=utf-8"
# Probabilities come from an LP solved in floating point; a verifier on another processor may differ in
# the last bits. The panel itself follows from integer weights and HMACs, and is compared exactly.
TOLERANCE = 1e-9
NAMED = 5  # a problem names at most this many draw numbers


def key(label: str) -> str:
    """`exports/loting/zuid-helmond.json`; a second pass `zuid-helmond/2` becomes `zuid-helmond.2.json`."""
    return f"{FOLDER}{label.replace('/', '.')}.json"


@dataclass(frozen=True)
class DrawInputs:
    """What one draw was a function of, besides its seed: the pool by draw number, quotas and seats; for a
    second pass, who was drawn before (by draw number), whom its quotas already count."""

    label: str
    pool: Mapping[str, Iterable[str]]
    quotas: Mapping[str, tuple[int, int]]
    seats: int
    before: Mapping[str, Iterable[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Published:
    label: str
    key: str
    sha256: str
    body: bytes


def build(record: DrawRecord, inputs: DrawInputs, reveal: Reveal, result: sortition.Draw) -> bytes:
    """The bundle of `record`, the draw of `inputs` seeded by `reveal` (`result`: what `sortition.draw`
    gave, under draw numbers), as canonical JSON. The reserve order is the draw's ranking, also for a second
    pass, whose record keeps none (its people stay reserves of their first choice)."""
    number = reveal.number
    round_ = reveal.beacon_round
    probabilities = result.probabilities
    data = {
        "format": FORMAT,
        "edition": reveal.commitment.edition,
        "meeting": record.meeting,
        "label": inputs.label,
        "choice": record.choice,
        "before": [
            {"number": person, "categories": sorted(inputs.before[person])}
            for person in sorted(inputs.before)
        ],
        "drawn_at": record.drawn_at,
        "commitment_sha256": reveal.commitment.sha256,
        "beacon": {
            "chain_hash": reveal.commitment.beacon.chain_hash,
            **round_.as_json(),
        },
        "secret": reveal.secret,
        "seed": reveal.seed(inputs.label).hex(),
        "method": _method(),
        "quotas": {feature: [low, high] for feature, (low, high) in sorted(inputs.quotas.items())},
        "seats": inputs.seats,
        "pool": [
            {
                "number": person,
                "categories": sorted(inputs.pool[person]),
                "probability": probabilities[person],
            }
            for person in sorted(inputs.pool)
        ],
        "panel": sorted(number(rid) for rid in record.selected),
        "reserves": list(result.reserves),
        "shortfalls": [list(shortfall) for shortfall in record.shortfalls],
    }
    return canonical(data)


def _method() -> str:
    from praatmee import sortition  # the solver: on the draw's asset and the laptop only

    return sortition.METHOD


@dataclass
class Lottery:
    """The verifiable draw of one run: the reveal that seeds it and names its people, and where its bundles
    go (None: kept in `published` only)."""

    reveal: Reveal
    bucket: ExportBucket | None = None
    published: dict[str, Published] = field(default_factory=dict)

    def seed(self, label: str) -> bytes:
        return self.reveal.seed(label)

    def number(self, registration_id: str) -> str:
        return self.reveal.number(registration_id)

    def pseudonyms(self, registration_ids: Iterable[str]) -> dict[str, str]:
        """Registration id by draw number; two people with one number (about 1 in 10^8 for 2,000) stop it."""
        ids = set(registration_ids)
        named = {self.number(rid): rid for rid in sorted(ids)}
        if len(named) != len(ids):
            raise RuntimeError("two applicants got the same draw number")
        return named

    def publish(self, record: DrawRecord, inputs: DrawInputs, result: sortition.Draw) -> Published:
        body = build(record, inputs, self.reveal, result)
        done = Published(inputs.label, key(inputs.label), sha256(body), body)
        if self.bucket is not None:
            self.bucket.put(done.key, body, JSON_TYPE)
            name = done.key.rsplit("/", 1)[-1]
            self.bucket.put(f"{done.key}.sha256", f"{done.sha256}  {name}\n".encode(), SHA_TYPE)
        self.published[inputs.label] = done
        return done


def scheduled_lottery(settings: DrawSettings, edition: Edition, get: beacon.Get | None = None) -> Lottery:
    """On AWS: the published commitment, the edition checked against it, the committed round fetched from
    drand and verified, the draw secret; bundles into the export bucket."""
    from praatmee.bucket import ExportBucket

    promised = commitment.required()
    differences = promised.differences(edition)
    if differences:
        raise CommitmentBroken(COMMITMENT_TEXTS["changed"].format(lines="\n".join(differences)))
    secret = settings.draw_secret().decode("utf-8")
    round_ = beacon.fetch(promised.beacon.round, get=get)
    return Lottery(Reveal.check(promised, round_, secret), ExportBucket(settings.export_bucket))


# -- verifying ------------------------------------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    number: str
    categories: tuple[str, ...]
    probability: float


class _Beacon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    chain_hash: str
    round: int
    randomness: str
    signature: str


class _Drawn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    number: str
    categories: tuple[str, ...]


class _Bundle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: str
    edition: int
    meeting: str
    label: str
    choice: int
    before: tuple[_Drawn, ...]
    drawn_at: str
    commitment_sha256: str
    beacon: _Beacon
    secret: str
    seed: str
    method: str
    quotas: dict[str, tuple[NonNegativeInt, NonNegativeInt]]
    seats: NonNegativeInt
    pool: tuple[_Entry, ...]
    panel: tuple[str, ...]
    reserves: tuple[str, ...]
    shortfalls: tuple[tuple[str, int, int], ...]


@dataclass
class Report:
    """What `verify` found: `checked` held, `problems` differ, `warnings` hold but deserve a word."""

    label: str = "?"
    edition: str = "?"
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [VERIFY_TEXTS["title"].format(label=self.label, edition=self.edition)]
        out += [f"  ✓ {line}" for line in self.checked]
        if self.warnings:
            out += [VERIFY_TEXTS["warnings"], *(f"  ! {line}" for line in self.warnings)]
        if self.problems:
            return [*out, VERIFY_TEXTS["not_ok"], *(f"  ✗ {line}" for line in self.problems)]
        return [*out, VERIFY_TEXTS["ok"]]


def _names(numbers: Iterable[str]) -> str:
    listed = list(numbers)
    first = ", ".join(listed[:NAMED])
    return VERIFY_TEXTS["more"].format(first=first, n=len(listed) - NAMED) if len(listed) > NAMED else first


def verify(
    body: bytes, promised: Commitment, *, published_sha256: str | None = None, code: str | None = None
) -> Report:
    """Check a bundle against the published commitment, with no network (see the module's docstring).
    `published_sha256`: the bundle's hash as published, if known; `code`: `code_sha256()` of this machine."""
    report = Report()
    say = report.problems.append
    if published_sha256 is not None and sha256(body) != published_sha256.strip().lower():
        say(VERIFY_TEXTS["sha_published"].format(actual=sha256(body), expected=published_sha256.strip()))
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        say(VERIFY_TEXTS["not_json"].format(error=exc))
        return report
    try:
        bundle = _Bundle.model_validate(raw)
    except ValidationError as exc:
        fields = sorted({".".join(map(str, e["loc"][:1])) or "bestand" for e in exc.errors()})
        say(VERIFY_TEXTS["fields"].format(fields=", ".join(fields)))
        return report
    report.label, report.edition = bundle.label, str(bundle.edition)
    if canonical(raw) != body:
        say(VERIFY_TEXTS["not_canonical"])
    if bundle.format != FORMAT:
        say(VERIFY_TEXTS["format"].format(format=bundle.format))
    if promised.trial:
        report.warnings.append(VERIFY_TEXTS["trial"])
    if code is not None and code != promised.code.draw_code_sha256:
        commit = promised.code.commit[:12] or "?"
        report.warnings.append(VERIFY_TEXTS["code"].format(commit=commit))
    _check_promise(bundle, promised, report)
    seed = _check_seed(bundle, promised, report)
    _check_pool(bundle, report)
    if seed is not None:
        _recompute(bundle, seed, report)
    return report


def _check_promise(bundle: _Bundle, promised: Commitment, report: Report) -> None:
    say, ok = report.problems.append, report.checked.append
    if bundle.commitment_sha256 != promised.sha256:
        say(VERIFY_TEXTS["commitment"].format(actual=bundle.commitment_sha256, expected=promised.sha256))
    else:
        ok(VERIFY_TEXTS["commitment_ok"].format(hash=promised.sha256))
    if bundle.edition != promised.edition:
        say(VERIFY_TEXTS["edition"].format(actual=bundle.edition, expected=promised.edition))
    terms = promised.meeting(bundle.meeting)
    if terms is None:
        say(VERIFY_TEXTS["meeting"].format(meeting=bundle.meeting))
    else:
        from praatmee.quotas import left_over

        if bundle.label != commitment.label(terms.id, bundle.choice):
            say(VERIFY_TEXTS["label"].format(label=bundle.label, meeting=terms.id))
        # A second pass counts the first's panel: its quotas are what the targets leave for it.
        if bundle.choice == 1 and bundle.before:
            say(VERIFY_TEXTS["before"])
        if bundle.quotas != left_over(terms.targets, {p.number: p.categories for p in bundle.before}):
            say(VERIFY_TEXTS["quotas"].format(meeting=terms.title))
        else:
            ok(VERIFY_TEXTS["quotas_ok"])
        if bundle.seats > terms.capacity:
            say(VERIFY_TEXTS["seats"].format(seats=bundle.seats, capacity=terms.capacity))
    if commitment.secret_hash(bundle.secret) != promised.secret_sha256:
        actual = commitment.secret_hash(bundle.secret)
        say(VERIFY_TEXTS["secret"].format(actual=actual, expected=promised.secret_sha256))
    else:
        ok(VERIFY_TEXTS["secret_ok"])


def _check_seed(bundle: _Bundle, promised: Commitment, report: Report) -> bytes | None:
    """Checks the round and returns the seed recomputed from label, round and secret (None: no round)."""
    say, ok = report.problems.append, report.checked.append
    if bundle.beacon.chain_hash != promised.beacon.chain_hash:
        say(VERIFY_TEXTS["chain"])
    if bundle.beacon.round != promised.beacon.round:
        say(VERIFY_TEXTS["round"].format(actual=bundle.beacon.round, expected=promised.beacon.round))
    try:
        round_ = beacon.parse({"round": bundle.beacon.round, "signature": bundle.beacon.signature})
    except beacon.BeaconRefused as exc:
        say(VERIFY_TEXTS["beacon"].format(problem=exc))
        return None
    if bundle.beacon.randomness != round_.randomness.hex():
        say(VERIFY_TEXTS["randomness"].format(round=round_.number))
    try:
        beacon.verify(round_, beacon.QUICKNET)
        ok(VERIFY_TEXTS["beacon_ok"].format(round=round_.number))
    except beacon.BeaconRefused as exc:
        say(VERIFY_TEXTS["beacon"].format(problem=exc))
    drawn_at = _moment(bundle.drawn_at)
    appeared = beacon.time_of(round_.number)
    if drawn_at is not None and drawn_at < appeared:
        say(VERIFY_TEXTS["too_early"].format(drawn_at=bundle.drawn_at, round=round_.number, when=appeared))
    seed = commitment.seed(bundle.label, round_.randomness, bundle.secret)
    if seed.hex() != bundle.seed:
        say(VERIFY_TEXTS["seed"])
    else:
        ok(VERIFY_TEXTS["seed_ok"])
    return seed


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _check_pool(bundle: _Bundle, report: Report) -> None:
    """The pool's own consistency: unique numbers, everyone once in the outcome, equals treated alike."""
    say = report.problems.append
    in_pool = Counter(entry.number for entry in bundle.pool)
    twice_in_pool = sorted(n for n, times in in_pool.items() if times > 1)
    if twice_in_pool:
        say(VERIFY_TEXTS["numbers"].format(numbers=_names(twice_in_pool)))
    outcome = Counter([*bundle.panel, *bundle.reserves])
    unknown = sorted(set(outcome) - set(in_pool))
    if unknown:
        say(VERIFY_TEXTS["unknown"].format(numbers=_names(unknown)))
    repeated = sorted(n for n, times in outcome.items() if times > 1)
    if repeated:
        say(VERIFY_TEXTS["twice"].format(numbers=_names(repeated)))
    left_out = sorted(set(in_pool) - set(outcome))
    if left_out:
        say(VERIFY_TEXTS["left_out"].format(numbers=_names(left_out)))
    # People with the same categories (within the quotas) are interchangeable: the method gives them one
    # probability. A changed category or probability shows here even before the draw is re-run.
    labels = frozenset(bundle.quotas)
    kinds: dict[tuple[str, ...], list[_Entry]] = {}
    for entry in bundle.pool:
        kinds.setdefault(tuple(sorted(labels.intersection(entry.categories))), []).append(entry)
    for entries in kinds.values():
        probabilities = sorted({entry.probability for entry in entries})
        if probabilities and probabilities[-1] - probabilities[0] > TOLERANCE:
            common = max(probabilities, key=lambda p: sum(e.probability == p for e in entries))
            odd = sorted(e.number for e in entries if e.probability != common)
            say(VERIFY_TEXTS["same_kind"].format(numbers=_names(odd)))


def _recompute(bundle: _Bundle, seed: bytes, report: Report) -> None:
    from praatmee import sortition  # the solver: only where a draw is re-run

    say, ok = report.problems.append, report.checked.append
    pool = {entry.number: entry.categories for entry in bundle.pool}
    try:
        again = sortition.draw(pool, dict(bundle.quotas), bundle.seats, seed)
    except (ValueError, RuntimeError) as exc:
        say(VERIFY_TEXTS["recompute"].format(error=exc))
        return
    expected = again.probabilities
    wrong = [
        entry
        for entry in bundle.pool
        if not math.isclose(entry.probability, expected[entry.number], abs_tol=TOLERANCE)
    ]
    for entry in wrong[:NAMED]:
        say(
            VERIFY_TEXTS["probability"].format(
                number=entry.number, actual=entry.probability, expected=round(expected[entry.number], 12)
            )
        )
    if len(wrong) > NAMED:
        say(VERIFY_TEXTS["more"].format(first="…", n=len(wrong) - NAMED))
    if not wrong:
        ok(VERIFY_TEXTS["probabilities_ok"].format(n=len(bundle.pool)))
    missing = sorted(set(again.selected) - set(bundle.panel))
    extra = sorted(set(bundle.panel) - set(again.selected))
    if missing:
        say(VERIFY_TEXTS["panel_missing"].format(numbers=_names(missing)))
    if extra:
        say(VERIFY_TEXTS["panel_extra"].format(numbers=_names(extra)))
    if not missing and not extra:
        ok(VERIFY_TEXTS["panel_ok"].format(n=len(again.selected)))
    differs = _first_difference(bundle.reserves, again.reserves)
    if differs is not None:
        position, actual, wanted = differs
        say(VERIFY_TEXTS["reserves"].format(position=position, actual=actual, expected=wanted))
    else:
        ok(VERIFY_TEXTS["reserves_ok"].format(n=len(again.reserves)))
    shortfalls = tuple((s.feature, s.missing, s.excess) for s in again.shortfalls) if pool else ()
    if shortfalls != bundle.shortfalls:
        say(VERIFY_TEXTS["shortfalls"])


def _first_difference(actual: Sequence[str], wanted: Sequence[str]) -> tuple[int, str, str] | None:
    for position in range(max(len(actual), len(wanted))):
        have = actual[position] if position < len(actual) else "-"
        want = wanted[position] if position < len(wanted) else "-"
        if have != want:
            return position + 1, have, want
    return None
