"""The secret origin header in the synthesised template (issue 16): CloudFront sends it on the API's origin,
which both the `/api/*` and the `/organisatie/*` behaviours use; its value is a dynamic reference to a
generated secret; only the API's and the room's functions may read that secret, and they are told where."""

from __future__ import annotations

import json

import pytest

from infra import names
from praatmee import origin
from praatmee.settings import OriginSettings
from tests.infra_synth import Synth
from tests.infra_template import distribution_config


def origin_secret_id(synth: Synth) -> str:
    """The logical id of the one secret whose generated key is `current` (the origin header's)."""
    [logical_id] = [
        logical_id
        for logical_id, secret in synth.resources("AWS::SecretsManager::Secret").items()
        if secret["Properties"].get("GenerateSecretString", {}).get("GenerateStringKey") == "current"
    ]
    return logical_id


def function_id(synth: Synth, handler: str) -> str:
    [logical_id] = [
        logical_id
        for logical_id, function in synth.resources("AWS::Lambda::Function").items()
        if function["Properties"].get("Handler") == handler
    ]
    return logical_id


def readers_of(synth: Synth, secret: str) -> set[str]:
    """The roles whose policies allow GetSecretValue on the secret."""
    roles: set[str] = set()
    for policy in synth.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "secretsmanager:GetSecretValue" in json.dumps(statement["Action"]) and statement[
                "Resource"
            ] == {"Ref": secret}:
                roles.update(role["Ref"] for role in policy["Properties"]["Roles"])
    return roles


def test_cloudfront_sends_the_secret_header_to_the_api_for_both_api_and_room_paths(synth: Synth) -> None:
    config = distribution_config(synth)
    secret = origin_secret_id(synth)
    for pattern in (names.API_PATH_PATTERN, names.ROOM_PATH_PATTERN):
        (behaviour,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == pattern]
        target = next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"])
        [header] = target["OriginCustomHeaders"]
        assert header["HeaderName"] == origin.HEADER
        # A dynamic reference CloudFormation resolves: the template holds the secret's ARN, not its value.
        value = json.dumps(header["HeaderValue"])
        assert "{{resolve:secretsmanager:" in value
        assert ":SecretString:current:" in value
        assert json.dumps({"Ref": secret}) in value


def test_the_site_buckets_origin_gets_no_secret_header(synth: Synth) -> None:
    config = distribution_config(synth)
    s3_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    assert "OriginCustomHeaders" not in s3_origin


def test_the_origin_secret_is_generated_long_and_json_for_a_rotation(synth: Synth) -> None:
    generated = synth.resources("AWS::SecretsManager::Secret")[origin_secret_id(synth)]["Properties"]
    assert generated["GenerateSecretString"]["PasswordLength"] >= 32
    assert generated["GenerateSecretString"]["SecretStringTemplate"] == "{}"


@pytest.mark.parametrize("handler", [names.API_HANDLER, names.ROOM_HANDLER])
def test_the_api_and_the_room_know_the_secret_and_may_read_it(synth: Synth, handler: str) -> None:
    secret = origin_secret_id(synth)
    function = synth.resources("AWS::Lambda::Function")[function_id(synth, handler)]["Properties"]
    assert function["Environment"]["Variables"][names.ENV_ORIGIN_SECRET_ARN] == {"Ref": secret}
    assert function["Role"]["Fn::GetAtt"][0] in readers_of(synth, secret)


def test_no_other_function_may_read_the_origin_secret(synth: Synth) -> None:
    secret = origin_secret_id(synth)
    checking = {
        synth.resources("AWS::Lambda::Function")[function_id(synth, handler)]["Properties"]["Role"][
            "Fn::GetAtt"
        ][0]
        for handler in (names.API_HANDLER, names.ROOM_HANDLER)
    }
    assert readers_of(synth, secret) == checking


def test_the_settings_name_is_the_one_the_functions_read() -> None:
    assert names.ENV_ORIGIN_SECRET_ARN == "PRAATMEE_ORIGIN_SECRET_ARN"
    assert "origin_secret_arn" in OriginSettings.model_fields
