"""Reading the synthesised template: the one resource of a type, our functions, their roles and rights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra import names
from tests.infra_synth import Synth

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CloudFront's managed policy ids
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def one(synth: Synth, type_: str, **match: Any) -> tuple[str, dict[str, Any]]:
    """The single resource of a type whose properties contain `match` (top-level keys, equal values)."""
    found = [
        (logical_id, resource)
        for logical_id, resource in synth.resources(type_).items()
        if all(resource.get("Properties", {}).get(key) == value for key, value in match.items())
    ]
    assert len(found) == 1, f"expected one {type_} with {match}, found {[f[0] for f in found]}"
    return found[0]


def properties(synth: Synth, type_: str, **match: Any) -> dict[str, Any]:
    """The properties of the single resource of a type (see `one`)."""
    _, resource = one(synth, type_, **match)
    found: dict[str, Any] = resource["Properties"]
    return found


def functions(synth: Synth) -> dict[str, dict[str, Any]]:
    """Our functions by handler (CDK's own providers, such as the site upload, run other code)."""
    return {
        resource["Properties"]["Handler"]: resource
        for resource in synth.resources("AWS::Lambda::Function").values()
        if resource["Properties"].get("Handler", "").startswith("praatmee.")
    }


def statements_of_role(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        actions |= {action} if isinstance(action, str) else set(action)
    return actions


def role_of(function: dict[str, Any]) -> str:
    role: str = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return role


def ref_id(value: Any) -> str:
    """The logical id inside a Ref or Fn::GetAtt."""
    if "Ref" in value:
        return str(value["Ref"])
    return str(value["Fn::GetAtt"][0])


def assert_private_encrypted_tls_only(synth: Synth, bucket_id: str) -> None:
    bucket = synth.resources("AWS::S3::Bucket")[bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rules = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statements in policies
        for s in statements
    ), "the bucket must refuse plain HTTP"


def distribution_config(synth: Synth) -> dict[str, Any]:
    _, distribution = one(synth, "AWS::CloudFront::Distribution")
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def function_asset(synth: Synth, handler: str = names.API_HANDLER) -> Path:
    code = functions(synth)[handler]["Properties"]["Code"]
    asset_hash = code["S3Key"].removesuffix(".zip")
    return synth.outdir / f"asset.{asset_hash}"


def schedule_for(synth: Synth, handler: str) -> dict[str, Any]:
    function_id = next(
        logical_id
        for logical_id, f in synth.resources("AWS::Lambda::Function").items()
        if f["Properties"].get("Handler") == handler
    )
    (schedule,) = [
        dict(s["Properties"])
        for s in synth.resources("AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    return schedule
