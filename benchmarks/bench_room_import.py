"""Cold start of the organisers' room (its own function): importing the handler, and the first request that
verifies a session (PyJWT and cryptography load then). Min of 11 fresh processes each. Prints figures only.

The registration API does not load any of it (tests/test_room_auth.py); bench_api_import.py measures that.
"""

from __future__ import annotations

import subprocess
import sys

RUNS = 11

HANDLER = """
import time
start = time.perf_counter()
import praatmee.room
print(time.perf_counter() - start)
"""

VERIFY = """
import time
start = time.perf_counter()
import praatmee.room
from praatmee.session import TokenVerifier
import jwt
jwt.decode(jwt.encode({"a": 1}, "k" * 32, algorithm="HS256"), "k" * 32, algorithms=["HS256"])
TokenVerifier("eu-central-1_AbC123", "client")
from cryptography.hazmat.primitives.asymmetric import rsa
print(time.perf_counter() - start)
"""


def best(code: str) -> float:
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(RUNS)
    ]
    return min(runs) * 1000


def main() -> None:
    print(f"import praatmee.room:                       {best(HANDLER):6.1f} ms (min of {RUNS})")
    print(f"  + PyJWT, cryptography's RSA, a verifier:  {best(VERIFY):6.1f} ms")


if __name__ == "__main__":
    main()
