"""Run-time settings of the functions: one validated model per function, read once per process.

Each function gets only what it needs (least privilege): the export function knows the table and the export
bucket, never the e-mail hash key or the site origin.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, TypeVar

from pydantic import EmailStr, Field, SecretStr, StringConstraints, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

Origin = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", max_length=200)]
SitePath = Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9/_-]*$", max_length=200)]
TableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]
# S3's rules for bucket names (lower case, digits, dots and hyphens; 3 to 63 characters).
BucketName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]


class TableSettings(BaseSettings):
    """Environment variables prefixed `PRAATMEE_`. Names of tables and buckets have no default on purpose."""

    model_config = SettingsConfigDict(env_prefix="PRAATMEE_", frozen=True, extra="ignore")

    table_name: TableName


class Settings(TableSettings):
    """The registration API."""

    # Key of the HMAC over normalised e-mail addresses (the uniqueness marker). Rotating it
    # forgets who registered, so it lives as long as the edition.
    email_hash_key: SecretStr = Field(min_length=32)
    # The site's own origin: form posts must come from it.
    site_origin: Origin
    # Where a form post without JavaScript ends: a page of the site that explains the status.
    result_path: SitePath = "/aanmelden/resultaat/"
    form_path: SitePath = "/aanmelden/"
    max_body_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)
    # The verified SES sender of the receipts (issue 6); replies go to the edition's contact address.
    sender_address: EmailStr


class MailSettings(TableSettings):
    """The daily mail job: reads and marks registrations, sends from the sender, links to the site."""

    site_origin: Origin
    sender_address: EmailStr


class ExportSettings(TableSettings):
    """The daily export: reads the table, writes to the export bucket."""

    export_bucket: BucketName


Model = TypeVar("Model", bound=TableSettings)


def _load(model: type[Model]) -> Model:
    try:
        return model()  # values come from the environment
    except ValidationError as exc:
        # Name the bad variables without echoing their values: one of them is a secret key.
        problems = ", ".join(
            f"PRAATMEE_{'.'.join(map(str, e['loc'])).upper()} ({e['type']})" for e in exc.errors()
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
