"""Waiting-list positions under 50 concurrent sign-ups (real threads, moto under its lock, one call in five
a conflict): how many were told a better place than their final one (goal 0), how close the numbers are."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from moto import mock_aws

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="eu-west-1")

from praatmee.laptop.localaws import cheap_transaction_snapshots, serialised_dynamodb  # noqa: E402
from tests.fixtures import make_store  # noqa: E402
from tests.test_store_concurrency import Injector  # noqa: E402
from tests.test_waitlist_positions import told_and_final  # noqa: E402

PEOPLE, ROUNDS = 50, 5


def main() -> None:
    better = exact = repeated = 0
    worst = 0
    for seed in range(ROUNDS):
        injector = Injector(share=0.2, seed=seed)
        with mock_aws(), serialised_dynamodb(), cheap_transaction_snapshots():
            store = make_store(max_attempts=12, sleep=time.sleep)
            store.set_capacity("noord-wolvega", 0)
            events: Any = store.client.meta.events  # botocore types handlers as returning None
            events.register("before-call.dynamodb.TransactWriteItems", injector.transaction)
            events.register("before-call.dynamodb.UpdateItem", injector.single)
            pairs = told_and_final(store, PEOPLE)
        better += sum(told < final for told, final in pairs)
        exact += sum(told == final for told, final in pairs)
        worst = max([worst, *(told - final for told, final in pairs)])
        repeated += sum(n - 1 for n in Counter(told for told, _ in pairs).values() if n > 1)
    total = PEOPLE * ROUNDS
    print(f"told a better place than their final one: {better} of {total} (goal 0)")
    print(f"told their final place exactly:            {exact} of {total}")
    print(f"most places told too far back:             {worst}")
    print(f"numbers told to someone else too:          {repeated} of {total}")


if __name__ == "__main__":
    main()
