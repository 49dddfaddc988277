"""The promise made before the deadline (the "toezegging"), and the seed and draw numbers that follow from it.

Before sign-up closes, `praatmee draw commit` records what the draw will use, as canonical JSON published in
the repository (`commitment.json` beside this module): the code version, each meeting's seats and targets,
SHA-256 of the organisers' secret, and the drand round that will seed the draw, the first whose time lies
after the draw moment. The draw reads this file and refuses to run on anything else; the site page
"Zo kiezen we" shows the same file (hooks/edition.py), so the page and the draw cannot disagree.

When the round is out, the revealed secret and the verified round give, per draw label (a meeting id, or
`<id>/2` for a second pass), the one seed of that draw:

    seed = SHA-256(label in UTF-8 ‖ 0x00 ‖ the round's randomness (32 bytes) ‖ secret in UTF-8)

and each applicant's draw number, the pseudonym the draw runs on and the bundle publishes, is
HMAC-SHA256(secret, "praatmee-lotnummer/" ‖ registration id), cut to 48 bits. The secret is fixed by its
hash before the deadline, so neither the seed nor the pseudonyms can be chosen after the pool is known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, NonNegativeInt, PositiveInt, StringConstraints, ValidationError

from praatmee import beacon
from praatmee.lottery_texts import COMMITMENT_TEXTS

if TYPE_CHECKING:
    from praatmee.edition import Edition

FORMAT = "praatmee-toezegging/1"
SEED_RULE = "seed = SHA-256(label UTF-8 || 0x00 || drand randomness (32 bytes) || secret UTF-8)"
FILE_VARIABLE = "PRAATMEE_COMMITMENT_FILE"
FILE_NAME = "commitment.json"
# The pure core that `praatmee draw verify` re-runs: its hash is committed, so a verifier can tell whether
# the code on their machine is the code that was promised.
CHECKED_CODE = ("beacon.py", "bundle.py", "commitment.py", "quotas.py", "sortition.py")
NUMBER_BYTES = 6

Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class CommitmentBroken(Exception):
    """The commitment is missing, unreadable, or the draw's inputs are not what it promised (Dutch)."""


def canonical(data: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no spaces, UTF-8. Equal data, equal bytes."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def secret_hash(secret: str) -> str:
    return sha256(secret.encode("utf-8"))


def label(meeting_id: str, choice: int) -> str:
    """A draw's label, which names its seed and its bundle: the meeting, or `<meeting>/2` for the draw among
    second choices."""
    return meeting_id if choice == 1 else f"{meeting_id}/{choice}"


def seed(label: str, randomness: bytes, secret: str) -> bytes:
    """The seed of one draw (see the module's docstring); the only place it is made."""
    if "\0" in label or len(randomness) != 32:
        raise ValueError("a label has no NUL byte and randomness has 32 bytes")
    return hashlib.sha256(label.encode("utf-8") + b"\0" + randomness + secret.encode("utf-8")).digest()


def seeds(randomness: bytes, secret: str) -> Callable[[str], bytes]:
    """The seed of each draw label, as the draw asks for it."""
    return lambda label: seed(label, randomness, secret)


def draw_number(secret: str, registration_id: str) -> str:
    """`3F9A-2C71-B0E4`: a person's pseudonym in the draw and its bundle, told in their result mail."""
    mac = hmac.digest(secret.encode("utf-8"), b"praatmee-lotnummer/" + registration_id.encode(), "sha256")
    digits = mac[:NUMBER_BYTES].hex().upper()
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def code_sha256(folder: Path | None = None) -> str:
    """SHA-256 over the checked files (name, NUL, the file's SHA-256, newline; in name order)."""
    folder = folder or Path(__file__).parent
    lines = [f"{name}\0{sha256((folder / name).read_bytes())}\n" for name in sorted(CHECKED_CODE)]
    return sha256("".join(lines).encode())


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CodeVersion(_Frozen):
    commit: str  # the git commit the code was at, "" when unknown
    clean: bool  # no uncommitted change in the checked files or pyproject.toml then
    pyproject_sha256: Hex64  # the pinned dependencies (the project has no other lock file)
    draw_code_sha256: Hex64  # `code_sha256()`


class MeetingTerms(_Frozen):
    id: str
    title: str
    capacity: PositiveInt
    targets: dict[str, tuple[NonNegativeInt, NonNegativeInt]]  # feature label -> (min, max), as drawn


class BeaconTerms(_Frozen):
    chain: str
    chain_hash: Hex64
    public_key: str
    genesis: int
    period: PositiveInt
    round: PositiveInt
    round_time: str  # UTC, ISO 8601


class Commitment(_Frozen):
    format: Literal["praatmee-toezegging/1"]
    edition: int
    register_before: dt.date
    draw_at: str  # local, ISO 8601 with offset
    made_at: str  # UTC, ISO 8601
    trial: bool  # a local trial on a round that already existed: shows how it works, proves nothing
    code: CodeVersion
    meetings: tuple[MeetingTerms, ...]
    secret_sha256: Hex64
    beacon: BeaconTerms
    seed_rule: Literal["seed = SHA-256(label UTF-8 || 0x00 || drand randomness (32 bytes) || secret UTF-8)"]

    def canonical(self) -> bytes:
        return canonical(self.model_dump(mode="json"))

    @property
    def sha256(self) -> str:
        return sha256(self.canonical())

    def meeting(self, meeting_id: str) -> MeetingTerms | None:
        return next((m for m in self.meetings if m.id == meeting_id), None)

    def differences(self, edition: Edition) -> list[str]:
        """How the edition file differs from what was promised (Dutch lines), empty when it does not."""
        if edition.edition != self.edition:
            return [COMMITMENT_TEXTS["edition"].format(committed=self.edition, edition=edition.edition)]
        ids, committed = [m.id for m in edition.meetings], [m.id for m in self.meetings]
        if ids != committed:
            return [
                COMMITMENT_TEXTS["meetings"].format(committed=", ".join(committed), edition=", ".join(ids))
            ]
        lines = []
        for meeting, terms in zip(edition.meetings, self.meetings, strict=True):
            if meeting.capacity != terms.capacity:
                lines.append(
                    COMMITMENT_TEXTS["capacity"].format(
                        title=meeting.title, committed=terms.capacity, edition=meeting.capacity
                    )
                )
            if meeting.targets is None or meeting.targets.quotas() != terms.targets:
                lines.append(COMMITMENT_TEXTS["targets"].format(title=meeting.title))
        return lines


def make(
    edition: Edition, secret: str, code: CodeVersion, made_at: dt.datetime, round_number: int, *, trial: bool
) -> Commitment:
    """The commitment of `edition` (a draw edition) to `round_number` and the secret's hash."""
    assert edition.draw_moment is not None
    chain = beacon.QUICKNET
    return Commitment(
        format=FORMAT,
        edition=edition.edition,
        register_before=edition.register_before,
        draw_at=edition.draw_moment.isoformat(),
        made_at=made_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        trial=trial,
        code=code,
        meetings=tuple(
            MeetingTerms(id=m.id, title=m.title, capacity=m.capacity, targets=m.targets.quotas())
            for m in edition.meetings
            if m.targets is not None
        ),
        secret_sha256=secret_hash(secret),
        beacon=BeaconTerms(
            chain=chain.name,
            chain_hash=chain.hash,
            public_key=chain.public_key,
            genesis=chain.genesis,
            period=chain.period,
            round=round_number,
            round_time=beacon.time_of(round_number, chain).isoformat(),
        ),
        seed_rule=SEED_RULE,
    )


def default_path() -> Path:
    """The published commitment beside this module, or the file `PRAATMEE_COMMITMENT_FILE` names (a trial,
    a test, a preview with `make serve`)."""
    return Path(os.environ.get(FILE_VARIABLE) or Path(__file__).with_name(FILE_NAME))


def parse(data: bytes, path: Path | str = FILE_NAME) -> Commitment:
    try:
        return Commitment.model_validate_json(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'bestand'}: {e['msg']}" for e in exc.errors())
        raise CommitmentBroken(COMMITMENT_TEXTS["unreadable"].format(path=path, error=problems)) from None


def load(path: Path | None = None) -> Commitment | None:
    """The commitment, or None before one is published."""
    path = path or default_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse(data, path)


def required(path: Path | None = None) -> Commitment:
    found = load(path)
    if found is None:
        raise CommitmentBroken(COMMITMENT_TEXTS["missing"].format(path=path or default_path()))
    return found


def write(commitment: Commitment, path: Path) -> None:
    """As canonical bytes, no newline: `sha256sum` of the file is the commitment's SHA-256."""
    path.write_bytes(commitment.canonical())


@dataclass(frozen=True)
class Reveal:
    """The commitment kept: the secret whose hash was promised and the verified round that was named."""

    commitment: Commitment
    beacon_round: beacon.Round
    secret: str

    @classmethod
    def check(cls, commitment: Commitment, beacon_round: beacon.Round, secret: str) -> Reveal:
        """Raises `CommitmentBroken` (secret, chain) or `beacon.BeaconRefused` (round, signature)."""
        if secret_hash(secret) != commitment.secret_sha256:
            raise CommitmentBroken(
                COMMITMENT_TEXTS["secret"].format(
                    actual=secret_hash(secret), expected=commitment.secret_sha256
                )
            )
        if commitment.beacon.chain_hash != beacon.QUICKNET.hash:
            raise CommitmentBroken(COMMITMENT_TEXTS["chain"].format(chain=commitment.beacon.chain))
        beacon.verify(beacon_round, beacon.QUICKNET, expected=commitment.beacon.round)
        return cls(commitment, beacon_round, secret)

    def seed(self, label: str) -> bytes:
        return seed(label, self.beacon_round.randomness, self.secret)

    def number(self, registration_id: str) -> str:
        return draw_number(self.secret, registration_id)
