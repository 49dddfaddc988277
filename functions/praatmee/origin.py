"""Only requests that came through CloudFront reach the API and the room.

The HTTP API's own `execute-api` address is public, and calls to it skip every WAF rule. CloudFront adds a
secret header to each request it sends to the API (an origin custom header, its value from Secrets Manager);
both handlers check it first, before routing, reading a body or touching DynamoDB, and refuse the rest.

The secret is JSON: `{"current": "..."}`, with `"previous"` beside it during a rotation (README, Deploy), so
both values pass while CloudFront's copy changes. Locally `make serve` plays CloudFront: it sets the value
itself and adds the header to every request it hands to the handlers.
"""

from __future__ import annotations

import hmac
import json
from functools import cache
from typing import Any, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from praatmee.settings import SecretArn

HEADER = "x-praatmee-origin"
# Secrets Manager is asked again after this long, so a rotation's new value reaches warm functions.
SECRET_MAX_AGE_SECONDS = 300
# The one Dutch message of this refusal (texts.py is full; this is its only caller).
MESSAGE = "Deze vraag kwam niet via de website. Ga naar de website en probeer het daar opnieuw."
CODE = "not_through_site"


class OriginSettings(BaseSettings):
    """Locally the value itself (`PRAATMEE_ORIGIN_SECRET`), on AWS the ARN of its secret. Neither set is
    allowed only off Lambda (the tests of the handlers); on Lambda it refuses every request."""

    model_config = SettingsConfigDict(env_prefix="PRAATMEE_", frozen=True, extra="ignore")

    origin_secret: SecretStr | None = Field(default=None, min_length=32)
    origin_secret_arn: SecretArn | None = None
    # Set by Lambda itself in every function.
    lambda_function_name: str | None = Field(default=None, validation_alias="AWS_LAMBDA_FUNCTION_NAME")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.origin_secret is not None and self.origin_secret_arn is not None:
            raise ValueError("set one of PRAATMEE_ORIGIN_SECRET and PRAATMEE_ORIGIN_SECRET_ARN")
        return self

    def accepted(self) -> list[bytes] | None:
        """The values that pass; None when no check is configured (off Lambda only)."""
        if self.origin_secret is not None:
            return [self.origin_secret.get_secret_value().encode()]
        if self.origin_secret_arn is None:
            return [] if self.lambda_function_name else None  # on Lambda without a secret: nothing passes
        from aws_lambda_powertools.utilities.parameters import get_secret

        raw = get_secret(self.origin_secret_arn, max_age=SECRET_MAX_AGE_SECONDS)
        values = json.loads(raw)
        return [str(values[key]).encode() for key in ("current", "previous") if values.get(key)]


@cache
def get_origin_settings() -> OriginSettings:
    return OriginSettings()


def refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """A 403 answer for a request without CloudFront's header (or with a wrong one), else None."""
    accepted = get_origin_settings().accepted()
    if accepted is None:
        return None
    # API Gateway (payload 2.0) hands header names over in lower case.
    given = str((event.get("headers") or {}).get(HEADER, "")).encode()
    # Compare with every accepted value, without stopping early: the time taken tells nothing.
    matches = [hmac.compare_digest(given, value) for value in accepted]
    if given and any(matches):
        return None
    body = {"errors": [{"field": None, "code": CODE, "message": MESSAGE}]}
    return {
        "statusCode": 403,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(body, ensure_ascii=False),
    }
