"""The public random number: real rounds of drand's quicknet verify against the chain's key, forged ones are
refused in Dutch, the committed round follows the draw moment, and fetching waits, retries and checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.error
from email.message import Message
from pathlib import Path

import pytest

from praatmee import beacon
from praatmee.beacon import QUICKNET, BeaconRefused, BeaconUnavailable
from tests.fixtures import BEACON_DIR, recorded_round

ROUNDS = sorted(BEACON_DIR.glob("quicknet-*.json"))
ROUND_123 = BEACON_DIR / "quicknet-123.json"


def forged(path: Path, **changes: object) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_bytes())
    return {**data, **changes}


@pytest.mark.parametrize("path", ROUNDS, ids=[path.stem for path in ROUNDS])
def test_recorded_rounds_of_quicknet_verify_against_the_chains_key(path: Path) -> None:
    # Given a real round as drand's API gives it
    found = beacon.parse(path.read_bytes())

    # Then its signature holds, and its randomness is SHA-256 of the signature
    assert beacon.verify(found) == found
    assert found.randomness.hex() == json.loads(path.read_bytes())["randomness"]


@pytest.mark.parametrize("path", ROUNDS, ids=[path.stem for path in ROUNDS])
def test_an_independent_library_agrees_that_the_recorded_rounds_hold(path: Path) -> None:
    # py_ecc (pure Python, a development dependency only) checks e(signature, g2) == e(H(round), key)
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1, decompress_G2
    from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12
    from py_ecc.optimized_bls12_381.optimized_curve import G2, neg
    from py_ecc.optimized_bls12_381.optimized_pairing import final_exponentiate, pairing

    found = beacon.parse(path.read_bytes())
    key = bytes.fromhex(QUICKNET.public_key)
    signature = decompress_G1(int.from_bytes(found.signature, "big"))  # type: ignore[arg-type]
    public = decompress_G2((int.from_bytes(key[:48], "big"), int.from_bytes(key[48:], "big")))  # type: ignore[arg-type]
    message = hash_to_G1(
        hashlib.sha256(found.number.to_bytes(8, "big")).digest(),
        QUICKNET.tag,
        hashlib.sha256,  # type: ignore[arg-type]
    )
    product = pairing(G2, signature, final_exponentiate=False) * pairing(
        neg(public), message, final_exponentiate=False
    )
    assert final_exponentiate(product) == FQ12.one()


def test_a_signature_with_one_flipped_bit_is_refused_as_not_real() -> None:
    real = recorded_round()
    flipped = bytes([real.signature[0], real.signature[1] ^ 1, *real.signature[2:]])

    with pytest.raises(BeaconRefused, match=r"geen geldige handtekening|deze ronde is niet echt"):
        beacon.verify(beacon.Round(real.number, flipped))


def test_a_real_signature_under_another_round_number_is_refused() -> None:
    # Given round 123's real signature, presented as round 124
    moved = beacon.parse(forged(ROUND_123, round=124, randomness=None))

    with pytest.raises(BeaconRefused, match=r"handtekening van ronde 124 klopt niet"):
        beacon.verify(moved)


def test_another_round_than_the_committed_one_is_refused_before_its_signature_is_checked() -> None:
    with pytest.raises(
        BeaconRefused, match="Dit is ronde 12040883 van drand, maar de toezegging noemt ronde 5"
    ):
        beacon.verify(recorded_round(), expected=5)


def test_a_truncated_signature_is_refused_with_its_length() -> None:
    real = recorded_round()

    with pytest.raises(BeaconRefused, match="heeft 40 bytes; een echte handtekening heeft er 48"):
        beacon.verify(beacon.Round(real.number, real.signature[:40]))


def test_a_signature_that_is_another_valid_point_is_refused() -> None:
    # round 123's signature is a valid G1 point, but not the signature of round 12040883
    other = beacon.parse(ROUND_123.read_bytes())

    with pytest.raises(BeaconRefused, match="klopt niet met de openbare sleutel van drand quicknet"):
        beacon.verify(beacon.Round(recorded_round().number, other.signature))


@pytest.mark.parametrize(
    ("paste", "message"),
    [
        ("{not json", "geen leesbare JSON"),
        ('["round", 1]', "geen leesbare JSON"),
        ('{"signature": "aa"}', "geen geldig rondenummer"),
        ('{"round": true, "signature": "aa"}', "geen geldig rondenummer"),
        ('{"round": 7, "signature": "zz"}', "geen leesbare handtekening"),
        ('{"round": 7, "signature": "aabb", "randomness": "00"}', "past het toevalsgetal niet"),
    ],
)
def test_a_pasted_round_that_is_not_a_round_is_refused_in_dutch(paste: str, message: str) -> None:
    with pytest.raises(BeaconRefused, match=message):
        beacon.parse(paste)


def test_the_committed_round_is_the_first_whose_time_lies_after_the_moment() -> None:
    # Given a draw moment (10:00 in Amsterdam on 2 March 2027)
    moment = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)

    # When the round after it is computed from the chain's genesis and period
    number = beacon.round_after(moment)

    # Then that round's time is after the moment, and the round before it is not
    assert beacon.time_of(number) > moment
    assert beacon.time_of(number - 1) <= moment
    assert beacon.time_of(number) == dt.datetime.fromtimestamp(QUICKNET.genesis + (number - 1) * 3, dt.UTC)
    # And a moment within a second, or exactly on a round, also picks a later round
    assert beacon.time_of(beacon.round_after(moment + dt.timedelta(milliseconds=400))) > moment
    on_round = beacon.time_of(number)
    assert beacon.round_after(on_round) == number + 1


def test_the_recorded_round_is_at_its_documented_time() -> None:
    # drand/tlock's round 12040883 came on 14 October 2024
    assert beacon.time_of(recorded_round().number).date() == dt.date(2024, 10, 14)


# -- fetching ------------------------------------------------------------------------------------------


class Relays:
    """drand's relays as the test wants them: a list of answers (bytes, or an exception to raise)."""

    def __init__(self, *answers: bytes | Exception) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def not_found(url: str = "https://api.drand.sh") -> urllib.error.HTTPError:
    return urllib.error.HTTPError(url, 404, "Not Found", Message(), None)


def test_fetching_retries_other_relays_and_refuses_a_relays_forged_round() -> None:
    # Given one relay that is down, one that answers a forged round, and one that answers the real round
    real = recorded_round()
    lie = json.dumps(forged(ROUND_123, round=real.number, randomness=None)).encode()
    relays = Relays(urllib.error.URLError("down"), lie, json.dumps(real.as_json()).encode())
    waits: list[float] = []

    # When the draw fetches the committed round
    found = beacon.fetch(real.number, get=relays, sleep=waits.append)

    # Then it got the real round from the third relay, after backing off twice
    assert found == real
    assert [url.split("/")[2] for url in relays.asked] == ["api.drand.sh", "api2.drand.sh", "api3.drand.sh"]
    assert all(url.endswith(f"/{QUICKNET.hash}/public/{real.number}") for url in relays.asked)
    assert waits == [1.0, 2.0]


def test_fetching_gives_up_after_its_tries_and_says_what_to_do() -> None:
    relays = Relays(*[not_found()] * 3)

    with pytest.raises(BeaconUnavailable, match=r"na 3 pogingen.*--ronde"):
        beacon.fetch(recorded_round().number, get=relays, sleep=lambda _: None, attempts=3)


def test_fetching_waits_for_a_round_just_ahead_and_refuses_to_wait_for_one_far_ahead() -> None:
    real = recorded_round()
    due = beacon.time_of(real.number).timestamp()
    waits: list[float] = []

    beacon.fetch(
        real.number,
        get=Relays(json.dumps(real.as_json()).encode()),
        sleep=waits.append,
        clock=lambda: due - 2.5,
    )

    assert waits == [3.5], "until the round is out, and a second more"
    with pytest.raises(BeaconUnavailable, match="is er nog niet"):
        beacon.fetch(real.number, get=Relays(), sleep=waits.append, clock=lambda: due - 3600)


def test_the_http_getter_only_asks_https_addresses() -> None:
    with pytest.raises(ValueError, match="https"):
        beacon.http_get("file:///etc/passwd")
