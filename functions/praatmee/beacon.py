"""The public random number that seeds the draw: a round of drand's quicknet chain, checked against its key.

drand (the League of Entropy) signs each round with a threshold BLS signature: no single member, and not the
organisers, can make or foresee it. A round's randomness is SHA-256(signature), and anyone can check the
signature against the chain's public key, so a false round is refused wherever it comes from (a relay, a
pasted file, a bundle). Round R appears at genesis + (R - 1) * period.

quicknet's scheme, `bls-unchained-g1-rfc9380`: the signature is a G1 point (48 bytes compressed), the key a
G2 point, the message SHA-256(R as 8 bytes big-endian), hashed to G1 with the tag below (RFC 9380). The
pairing is `py-arkworks-bls12381`'s (the draw's extra), imported only to verify: the site build and the
registration API never load it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from praatmee.lottery_texts import BEACON_TEXTS


@dataclass(frozen=True)
class Chain:
    name: str
    hash: str  # the chain's id: SHA-256 of its parameters (drand's `common/chain/info.go`)
    public_key: str  # hex, compressed G2
    genesis: int  # Unix time of round 1
    period: int  # seconds between rounds
    scheme: str
    tag: bytes  # the hash-to-curve domain separation tag


QUICKNET = Chain(
    name="quicknet",
    hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fe"
        "c758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
    genesis=1692803367,
    period=3,
    scheme="bls-unchained-g1-rfc9380",
    tag=b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_",
)
# Public HTTP relays of the League of Entropy; each serves every round, so one that fails is skipped.
RELAYS = (
    "https://api.drand.sh",
    "https://api2.drand.sh",
    "https://api3.drand.sh",
    "https://drand.cloudflare.com",
)
SIGNATURE_BYTES = 48
# How long the draw waits for a round that is not out yet (the committed round follows the draw moment by
# at most one period); a round further ahead is an error, not a wait.
MAX_WAIT_SECONDS = 600


class BeaconRefused(Exception):
    """A round that is not what it says; the message is Dutch, for the organiser or whoever verifies."""


class BeaconUnavailable(Exception):
    """drand could not be reached after every retry, or the round is not out yet; the message is Dutch."""


@dataclass(frozen=True)
class Round:
    number: int
    signature: bytes

    @property
    def randomness(self) -> bytes:
        return hashlib.sha256(self.signature).digest()

    def as_json(self) -> dict[str, Any]:
        """As drand's HTTP API gives it (quicknet has no previous signature)."""
        return {"round": self.number, "randomness": self.randomness.hex(), "signature": self.signature.hex()}


def time_of(number: int, chain: Chain = QUICKNET) -> dt.datetime:
    """When round `number` appears (UTC)."""
    return dt.datetime.fromtimestamp(chain.genesis + (number - 1) * chain.period, dt.UTC)


def round_after(moment: dt.datetime, chain: Chain = QUICKNET) -> int:
    """The first round whose time lies strictly after `moment` (an aware datetime)."""
    elapsed = moment.timestamp() - chain.genesis
    if elapsed < 0:
        return 1
    # Integer seconds: a moment within a second rounds down, which can only pick the round after.
    return int(elapsed) // chain.period + 2


def parse(data: str | bytes | Mapping[str, Any]) -> Round:
    """A round as drand's API (or an organiser's paste) gives it: {"round", "signature", "randomness"?}."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BeaconRefused(BEACON_TEXTS["not_json"].format(error=exc)) from None
    if not isinstance(data, Mapping):
        raise BeaconRefused(BEACON_TEXTS["not_json"].format(error="geen object"))
    number, signature = data.get("round"), data.get("signature")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise BeaconRefused(BEACON_TEXTS["no_round"])
    try:
        if not isinstance(signature, str):
            raise ValueError(signature)
        beacon = Round(number, bytes.fromhex(signature))
    except ValueError:
        raise BeaconRefused(BEACON_TEXTS["no_signature"].format(round=number)) from None
    randomness = data.get("randomness")
    if randomness is not None and randomness != beacon.randomness.hex():
        raise BeaconRefused(BEACON_TEXTS["randomness"].format(round=number))
    return beacon


def verify(beacon: Round, chain: Chain = QUICKNET, expected: int | None = None) -> Round:
    """The round itself if it is `expected` (when given) and its signature holds under the chain's key."""
    if expected is not None and beacon.number != expected:
        raise BeaconRefused(BEACON_TEXTS["other_round"].format(round=beacon.number, expected=expected))
    if len(beacon.signature) != SIGNATURE_BYTES:
        raise BeaconRefused(
            BEACON_TEXTS["length"].format(round=beacon.number, n=len(beacon.signature), want=SIGNATURE_BYTES)
        )
    from py_arkworks_bls12381 import GT, G1Point, G2Point  # the draw's extra: only where rounds are checked

    try:
        signature = G1Point.from_compressed_bytes(beacon.signature)  # checks the curve and the subgroup
    except ValueError:
        raise BeaconRefused(BEACON_TEXTS["not_a_point"].format(round=beacon.number)) from None
    key = G2Point.from_compressed_bytes(bytes.fromhex(chain.public_key))
    message = G1Point.hash_to_curve(hashlib.sha256(beacon.number.to_bytes(8, "big")).digest(), chain.tag)
    # e(signature, g2) == e(H(message), key), as one product of pairings that must be 1.
    if not GT.pairing_check([signature, -message], [G2Point(), key]):
        raise BeaconRefused(BEACON_TEXTS["forged"].format(round=beacon.number, chain=chain.name))
    return beacon


# -- fetching a round from drand (the draw on AWS) ----------------------------------------------------------

Get = Callable[[str], bytes]


def http_get(url: str) -> bytes:
    """One GET with a short timeout; the relays are fixed https addresses."""
    if not url.startswith("https://"):
        raise ValueError(f"not an https address: {url}")
    request = urllib.request.Request(  # noqa: S310 - https only (checked above): the relays of RELAYS
        url, headers={"User-Agent": "praatmee-loting", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - idem
        body: bytes = answer.read(4096)
        return body


def fetch(
    number: int,
    chain: Chain = QUICKNET,
    *,
    get: Get | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    attempts: int = 8,
) -> Round:
    """Round `number` from the relays, verified: waits until it is due, retries with backoff, one relay after
    another. A relay's false round is refused and the next relay asked."""
    get = get or http_get
    due = time_of(number, chain).timestamp()
    ahead = due - clock()
    if ahead > MAX_WAIT_SECONDS:
        when = f"{time_of(number, chain):%Y-%m-%d %H:%M:%S} UTC"
        raise BeaconUnavailable(BEACON_TEXTS["not_yet"].format(round=number, when=when))
    if ahead > 0:
        sleep(ahead + 1)
    problem = ""
    for attempt in range(attempts):
        relay = RELAYS[attempt % len(RELAYS)]
        try:
            return verify(parse(get(f"{relay}/{chain.hash}/public/{number}")), chain, expected=number)
        except (OSError, BeaconRefused) as exc:  # URLError and timeouts are OSErrors
            problem = f"{relay}: {exc}"
        sleep(min(2.0**attempt, 30.0))
    raise BeaconUnavailable(BEACON_TEXTS["unreachable"].format(round=number, tries=attempts, problem=problem))
