"""Run-time settings of the functions: one validated model, read once per process."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import Field, SecretStr, StringConstraints, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

Origin = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", max_length=200)]
SitePath = Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9/_-]*$", max_length=200)]


class Settings(BaseSettings):
    """Environment variables prefixed `PRAATMEE_`. Names of tables have no default on purpose."""

    model_config = SettingsConfigDict(env_prefix="PRAATMEE_", frozen=True, extra="ignore")

    table_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,255}$")]
    # Key of the HMAC over normalised e-mail addresses (the uniqueness marker). Rotating it
    # forgets who registered, so it lives as long as the edition.
    email_hash_key: SecretStr = Field(min_length=32)
    # The site's own origin: form posts must come from it.
    site_origin: Origin
    # Where a form post without JavaScript ends: a page of the site that explains the status.
    result_path: SitePath = "/aanmelden/resultaat/"
    form_path: SitePath = "/aanmelden/"
    max_body_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)


@cache
def get_settings() -> Settings:
    """Validated on first use, which is the cold start of a function."""
    try:
        return Settings()  # values come from the environment
    except ValidationError as exc:
        # Name the bad variables without echoing their values: one of them is a secret key.
        problems = ", ".join(
            f"PRAATMEE_{'.'.join(map(str, e['loc'])).upper()} ({e['type']})" for e in exc.errors()
        )
        raise RuntimeError(f"invalid settings: {problems}") from None
