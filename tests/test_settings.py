"""The functions' settings come from the environment; the registration API's e-mail hash key from the
environment (locally) or from Secrets Manager."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest
from moto import mock_aws

from praatmee.settings import get_settings
from tests.fixtures import HASH_KEY


def test_on_aws_the_hash_key_is_read_from_its_secret(
    api_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function that gets the ARN of the secret, not the key
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(Name="praatmee-hash", SecretString="k" * 64)["ARN"]
        monkeypatch.delenv("PRAATMEE_EMAIL_HASH_KEY")
        monkeypatch.setenv("PRAATMEE_EMAIL_HASH_KEY_SECRET_ARN", arn)
        get_settings.cache_clear()

        # When the key is asked for / Then it is the secret's value
        assert get_settings().hash_key() == b"k" * 64


def test_locally_the_hash_key_comes_from_the_environment(api_settings: None) -> None:
    assert get_settings().hash_key() == HASH_KEY.encode()


@pytest.mark.parametrize(
    "arn", [None, "arn:aws:secretsmanager:eu-central-1:123456789012:secret:praatmee-AbCdEf"]
)
def test_exactly_one_source_of_the_key_is_required(
    api_settings: None, monkeypatch: pytest.MonkeyPatch, arn: str | None
) -> None:
    # Given neither the key nor its secret, or both
    if arn is None:
        monkeypatch.delenv("PRAATMEE_EMAIL_HASH_KEY")
    else:
        monkeypatch.setenv("PRAATMEE_EMAIL_HASH_KEY_SECRET_ARN", arn)
    get_settings.cache_clear()

    # When the settings are read / Then the start fails, naming both variables and no value
    with pytest.raises(
        RuntimeError, match="PRAATMEE_EMAIL_HASH_KEY and PRAATMEE_EMAIL_HASH_KEY_SECRET_ARN"
    ) as raised:
        get_settings()
    assert HASH_KEY not in str(raised.value)
    get_settings.cache_clear()


def test_settings_are_read_from_the_prefixed_variables(
    api_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a number as text, a variable of another function and one without the prefix
    monkeypatch.setenv("PRAATMEE_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("PRAATMEE_EXPORT_BUCKET", "praatmee-exports")
    monkeypatch.setenv("FORM_PATH", "/elders/")
    get_settings.cache_clear()

    # When the API reads its settings
    settings = get_settings()

    # Then it takes its own, converted, ignores the rest, and keeps the defaults it was not given
    assert (settings.max_body_bytes, settings.form_path) == (2048, "/aanmelden/")
    assert settings.site_origin == "https://praatmee.example.nl"
    get_settings.cache_clear()


def test_the_first_request_builds_only_the_api_settings(api_settings: None) -> None:
    # Given a fresh process, as a cold start is
    code = (
        "import sys, praatmee.api; from praatmee import settings; settings.get_settings(); "
        "print('pydantic_settings' in sys.modules, settings.Settings.__pydantic_complete__, "
        "settings.DrawSettings.__pydantic_complete__, settings.OrganiserSettings.__pydantic_complete__)"
    )

    # When it reads the API's settings
    done = subprocess.run(
        [sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True, check=True
    )

    # Then it built that one model, not the other functions' ones, and loaded no settings library
    assert done.stdout.split() == ["False", "True", "False", "False"]
