"""The environment the benchmarks give the registration API in their own process: what Lambda would set."""

from __future__ import annotations

import os


def set_api_environment() -> None:
    """Fake credentials (botocore is stubbed, nothing leaves the process) and the API's settings."""
    os.environ.update(
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        PRAATMEE_TABLE_NAME="bench",
        PRAATMEE_EMAIL_HASH_KEY="k" * 32,
        PRAATMEE_SITE_ORIGIN="https://praatmee.example.nl",
        PRAATMEE_SENDER_ADDRESS="aanmelden@praatmee.example.nl",
        POWERTOOLS_METRICS_NAMESPACE="Praatmee",
    )
