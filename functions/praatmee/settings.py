"""Run-time settings of the functions: one validated model per function, read once per process.

Each function gets only what it needs (least privilege): the export function knows the table and the export
bucket, never the e-mail hash key or the site origin. Values come from the environment variables prefixed
`PRAATMEE_` (any case); plain pydantic reads them, without pydantic-settings (DECISIONS.md, 2026-11-30).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

PREFIX = "PRAATMEE_"

Origin = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", max_length=200)]
SitePath = Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9/_-]*$", max_length=200)]
TableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]
# S3's rules for bucket names (lower case, digits, dots and hyphens; 3 to 63 characters).
SecretArn = Annotated[
    str, StringConstraints(pattern=r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$")
]
BucketName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
# Cognito's forms: `<region>_<id>` for a user pool, 26 lower-case letters and digits for an app client.
UserPoolId = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]{1,40}$")]
ClientId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{1,128}$")]


class TableSettings(BaseModel):
    """Environment variables prefixed `PRAATMEE_`. Names of tables and buckets have no default on purpose."""

    # Built when first read: a function validates one of these models, so its cold start builds only that one.
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True, defer_build=True)

    table_name: TableName


@cache
def _secrets() -> Any:
    """One provider per process, so its cache lasts; its client has the shared timeouts."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from praatmee import awsconfig

    return SecretsProvider(boto_config=awsconfig.config())


def read_secret(arn: str) -> str:
    """A secret from Secrets Manager, cached a day."""
    return str(_secrets().get(arn, max_age=24 * 3600))


class HashKeySettings(TableSettings):
    """What needs the one-person marker's key: the registration API, and the organisers' actions."""

    # Key of the HMAC over normalised e-mail addresses (the uniqueness marker). Rotating it
    # forgets who registered, so it lives as long as the edition. Locally the key itself; on AWS the ARN
    # of the Secrets Manager secret that holds it (an environment variable is readable by too many).
    email_hash_key: SecretStr | None = Field(default=None, min_length=32)
    email_hash_key_secret_arn: SecretArn | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if (self.email_hash_key is None) == (self.email_hash_key_secret_arn is None):
            raise ValueError(
                "set exactly one of PRAATMEE_EMAIL_HASH_KEY and PRAATMEE_EMAIL_HASH_KEY_SECRET_ARN"
            )
        return self

    def hash_key(self) -> bytes:
        """The HMAC key: from the environment, or read once from Secrets Manager (at the cold start)."""
        if self.email_hash_key is not None:
            return self.email_hash_key.get_secret_value().encode()
        assert self.email_hash_key_secret_arn is not None  # the validator above
        key = read_secret(self.email_hash_key_secret_arn)
        if len(key) < 32:
            raise RuntimeError("the e-mail hash key secret is shorter than 32 characters")
        return key.encode()


class Settings(HashKeySettings):
    """The registration API."""

    # The site's own origin: form posts must come from it.
    site_origin: Origin
    # Where a form post without JavaScript ends: a page of the site that explains the status.
    result_path: SitePath = "/aanmelden/resultaat/"
    form_path: SitePath = "/aanmelden/"
    max_body_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)
    # The verified SES sender of the receipts; replies go to the edition's contact address.
    sender_address: EmailStr


class MailSettings(TableSettings):
    """The daily mail job: reads and marks registrations, sends from the sender, links to the site."""

    site_origin: Origin
    sender_address: EmailStr


class DrawSettings(MailSettings):
    """The draw: seats and mails like the mail job, and seeds each meeting's draw from a secret."""

    # The ARN of the Secrets Manager secret the seed comes from (never the secret itself).
    draw_secret_arn: SecretArn
    # Where each draw's bundle is published (`exports/loting/`), beside the organisers' exports.
    export_bucket: BucketName

    def draw_secret(self) -> bytes:
        """The draw secret, read from Secrets Manager once per process (at the cold start)."""
        secret = read_secret(self.draw_secret_arn)
        if len(secret) < 32:
            raise RuntimeError("the draw secret is shorter than 32 characters")
        return secret.encode()


class ExportSettings(TableSettings):
    """The daily export: reads the table, writes to the export bucket."""

    export_bucket: BucketName


class OrganiserSettings(ExportSettings, HashKeySettings):
    """The organisers' room: reads the table and writes venue details and the audit trail, makes exports,
    signs organisers in through the user pool, and acts for a person (the one-person marker's key, and mail
    from the sender). The JWKS address is derived from the pool, never set."""

    site_origin: Origin
    sender_address: EmailStr
    user_pool_id: UserPoolId
    user_pool_client_id: ClientId


# Secrets Manager is asked again after this long, so a rotation's new value reaches warm functions.
ORIGIN_SECRET_MAX_AGE_SECONDS = 300


class OriginSettings(BaseModel):
    """The secret of CloudFront's origin header (`praatmee.origin`), for the API and the room. Locally the
    value itself (`PRAATMEE_ORIGIN_SECRET`), on AWS the ARN of its secret (JSON: `current`, and `previous`
    during a rotation). Neither set is allowed only off Lambda (the handlers' tests); on Lambda it refuses
    every request."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    origin_secret: SecretStr | None = Field(default=None, min_length=32)
    origin_secret_arn: SecretArn | None = None
    # Lambda sets AWS_LAMBDA_FUNCTION_NAME in every function (`get_origin_settings`).
    lambda_function_name: str | None = None

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
        # Through the one provider, whose client has the short timeouts (`get_secret` makes its own).
        arn = self.origin_secret_arn
        values = _secrets().get(arn, transform="json", max_age=ORIGIN_SECRET_MAX_AGE_SECONDS)
        return [str(values[key]).encode() for key in ("current", "previous") if values.get(key)]


Model = TypeVar("Model", bound=BaseModel)


def environment() -> dict[str, str]:
    """The `PRAATMEE_` variables by field name: `PRAATMEE_TABLE_NAME` (in any case) is `table_name`."""
    return {
        name[len(PREFIX) :].lower(): value
        for name, value in os.environ.items()
        if name.upper().startswith(PREFIX)
    }


def _load(model: type[Model], also: dict[str, str | None] | None = None) -> Model:
    try:
        return model.model_validate(environment() | (also or {}))
    except ValidationError as exc:
        # Name the bad variables without echoing their values: one of them is a secret key.
        problems = ", ".join(
            f"PRAATMEE_{'.'.join(map(str, e['loc'])).upper()} ({e['type']})" if e["loc"] else e["msg"]
            for e in exc.errors()
        )
        raise RuntimeError(f"invalid settings: {problems}") from None


@cache
def get_settings() -> Settings:
    """The registration API's settings, validated on first use, which is the cold start of a function."""
    return _load(Settings)


@cache
def get_export_settings() -> ExportSettings:
    """The export function's settings, validated at its cold start."""
    return _load(ExportSettings)


@cache
def get_mail_settings() -> MailSettings:
    """The mail job's settings, validated at its cold start."""
    return _load(MailSettings)


@cache
def get_draw_settings() -> DrawSettings:
    """The draw function's settings, validated at its cold start."""
    return _load(DrawSettings)


@cache
def get_organiser_settings() -> OrganiserSettings:
    """The organisers' room's settings, validated at its cold start."""
    return _load(OrganiserSettings)


@cache
def get_origin_settings() -> OriginSettings:
    """The origin header's settings, validated at the first request."""
    return _load(OriginSettings, {"lambda_function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME")})
