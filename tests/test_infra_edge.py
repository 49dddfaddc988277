"""The site's Dutch 404 page on AWS in the synthesised templates (issue 15): a Lambda@Edge function at origin
response on the site's (S3) behaviour only, so the API's and the room's own 404 and 403 answers stay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra import names
from tests.infra_synth import Synth, _site_dir
from tests.infra_template import distribution_config


def edge_function(synth: Synth) -> tuple[str, dict[str, Any]]:
    [(logical_id, function)] = [
        (logical_id, resource)
        for logical_id, resource in synth.edge_json["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"].get("Handler") == "notfound_handler.handler"
    ]
    return logical_id, function["Properties"]


def test_the_site_behaviour_runs_the_404_function_at_origin_response(synth: Synth) -> None:
    default = distribution_config(synth)["DefaultCacheBehavior"]
    [association] = default["LambdaFunctionAssociations"]
    assert association["EventType"] == "origin-response"
    assert "IncludeBody" not in association
    # The version's ARN, read from the edge stack (us-east-1) through its SSM parameter.
    reader = synth.main_json["Resources"][association["LambdaFunctionARN"]["Fn::GetAtt"][0]]
    assert reader["Type"] == "Custom::CrossRegionStringParameterReader"


@pytest.mark.parametrize("pattern", [names.API_PATH_PATTERN, names.ROOM_PATH_PATTERN])
def test_the_api_and_room_behaviours_keep_their_own_answers(synth: Synth, pattern: str) -> None:
    config = distribution_config(synth)
    (behaviour,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == pattern]
    assert "LambdaFunctionAssociations" not in behaviour
    # And no distribution-wide error page, which would replace the API's JSON.
    assert "CustomErrorResponses" not in config


def test_the_function_lives_in_us_east_1_on_a_runtime_lambda_at_edge_runs(synth: Synth) -> None:
    logical_id, function = edge_function(synth)
    assert synth.edge_json["Resources"][logical_id]["Type"] == "AWS::Lambda::Function"
    assert function["Runtime"] == "python3.13"
    assert function["Handler"] == "notfound_handler.handler"
    assert "Environment" not in function  # Lambda@Edge has none
    assert function.get("Architectures", ["x86_64"]) == ["x86_64"]
    role = synth.edge_json["Resources"][function["Role"]["Fn::GetAtt"][0]]["Properties"]
    principals = json.dumps(role["AssumeRolePolicyDocument"])
    assert "edgelambda.amazonaws.com" in principals


def test_the_function_ships_the_built_404_page_beside_its_handler(synth: Synth) -> None:
    _, function = edge_function(synth)
    asset = synth.outdir / f"asset.{function['Code']['S3Key'].removesuffix('.zip')}"
    assert sorted(path.name for path in asset.iterdir()) == ["404.html", "notfound_handler.py"]
    assert (asset / "404.html").read_bytes() == (_site_dir() / "404.html").read_bytes()
