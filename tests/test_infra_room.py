"""The organisers' room in the synthesised template: what moto's Cognito ignores is proven here (MFA required
with an app only, admin-created users, the password policy, the exact client flows, no secret, no domain,
short tokens), and only the room's function, with least privilege, answers the room's paths."""

from __future__ import annotations

import fnmatch
import json

from infra import names
from infra.room import ROOM_COGNITO_ACTIONS, ROOM_TABLE_ACTIONS
from tests.infra_synth import Synth
from tests.infra_template import properties


def test_the_pool_requires_mfa_with_an_app_and_lets_only_administrators_add_users(synth: Synth) -> None:
    pool = properties(synth, "AWS::Cognito::UserPool")
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UsernameAttributes"] == ["email"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 14
    assert all(policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    assert "DeviceConfiguration" not in pool  # no remembered devices that would skip the app's code
    assert synth.resources("AWS::Cognito::UserPoolDomain") == {}  # no hosted sign-in pages


def test_the_client_allows_only_the_admin_flow_without_a_secret_and_short_tokens(synth: Synth) -> None:
    client = properties(synth, "AWS::Cognito::UserPoolClient")
    assert sorted(client["ExplicitAuthFlows"]) == [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    assert client["GenerateSecret"] is False
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "CallbackURLs" not in client
    units = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], units["IdToken"]) == (names.ROOM_TOKEN_MINUTES, "minutes")
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (
        names.ROOM_SESSION_HOURS * 60,
        "minutes",
    )
    group = properties(synth, "AWS::Cognito::UserPoolGroup")
    assert group["GroupName"] == "organisatoren"


def route_targets(synth: Synth) -> dict[str, str]:
    integrations = synth.resources("AWS::ApiGatewayV2::Integration")
    targets = {}
    for route in synth.resources("AWS::ApiGatewayV2::Route").values():
        properties = route["Properties"]
        integration_id = json.dumps(properties["Target"]).split('"Ref": "')[1].split('"')[0]
        uri = json.dumps(integrations[integration_id]["Properties"]["IntegrationUri"])
        targets[properties["RouteKey"]] = uri
    return targets


def test_the_room_paths_go_only_to_the_room_function(synth: Synth) -> None:
    targets = route_targets(synth)
    room_keys = [key for key in targets if "organisatie" in key]
    assert sorted(room_keys) == [
        "ANY /api/organisatie",
        "ANY /api/organisatie/{proxy+}",
        "ANY /organisatie",
        "ANY /organisatie/{proxy+}",
    ]
    assert {targets[key] for key in room_keys} == {targets["ANY /api/organisatie"]}
    assert targets["ANY /api/organisatie"] != targets["ANY /api/{proxy+}"]
    assert "RoomFunction" in targets["ANY /api/organisatie"]
    for route in synth.resources("AWS::ApiGatewayV2::Route").values():
        # No route is left to API Gateway's authorisation: the function checks the session on each (tests)
        assert route["Properties"].get("AuthorizationType", "NONE") == "NONE"


def policy_actions(synth: Synth, role_prefix: str) -> set[str]:
    actions: set[str] = set()
    for resource in synth.resources("AWS::IAM::Policy").values():
        roles = json.dumps(resource["Properties"]["Roles"])
        if role_prefix in roles:
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                found = statement["Action"]
                actions |= {found} if isinstance(found, str) else set(found)
    return actions


def test_the_room_function_may_do_what_the_room_does_and_no_more(synth: Synth) -> None:
    actions = policy_actions(synth, "RoomFunctionRole")
    assert {a for a in actions if a.startswith("dynamodb:")} == set(ROOM_TABLE_ACTIONS)
    assert {a for a in actions if a.startswith("cognito-idp:")} == set(ROOM_COGNITO_ACTIONS)
    assert {a for a in actions if a.startswith("s3:")} == {"s3:PutObject", "s3:GetObject", "s3:ListBucket"}
    # Acting for a person: the one-person marker's key (read, never rotated) and mail from the sender
    assert {a for a in actions if a.startswith(("secretsmanager:", "ses:"))} == {
        "secretsmanager:GetSecretValue",
        "ses:SendEmail",
        "ses:SendRawEmail",
    }
    # And the registration function gained nothing for the room
    registration = policy_actions(synth, "ApiRegistrationRole")
    assert not [a for a in registration if a.startswith(("cognito-idp:", "s3:"))]


def test_the_room_pages_are_uncached_and_may_post_a_download_to_the_export_bucket_only(synth: Synth) -> None:
    [distribution] = synth.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    [behaviour] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == names.ROOM_PATH_PATTERN]
    # CloudFront's `*` matches like fnmatch's: the room, never the site's page about the organisations
    assert fnmatch.fnmatchcase("/organisatie/export", behaviour["PathPattern"])
    assert not fnmatch.fnmatchcase("/organisaties/", behaviour["PathPattern"])
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    policies = synth.resources("AWS::CloudFront::ResponseHeadersPolicy")
    room_id = behaviour["ResponseHeadersPolicyId"]["Ref"]
    csp = json.dumps(policies[room_id]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"])
    assert "form-action 'self' https://" in csp
    assert "RegionalDomainName" in csp
    site_csp = names.CONTENT_SECURITY_POLICY.split("form-action")[0]
    assert site_csp in csp


def test_the_room_function_gets_exactly_what_its_settings_need(synth: Synth) -> None:
    from praatmee.settings import OrganiserSettings

    [function] = [
        f
        for f in synth.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == names.ROOM_HANDLER
    ]
    env = set(function["Properties"]["Environment"]["Variables"])
    fields = OrganiserSettings.model_fields
    needed = {f"PRAATMEE_{name.upper()}" for name, info in fields.items() if info.is_required()}
    assert needed <= env
    assert not [name for name in env if "JWKS" in name]  # the keys' address follows from the pool


def test_the_rooms_cloudfront_path_leaves_the_sites_organisations_page_alone() -> None:
    import fnmatch

    assert fnmatch.fnmatch("/organisatie/inloggen/", names.ROOM_PATH_PATTERN)
    assert not fnmatch.fnmatch("/organisaties/", names.ROOM_PATH_PATTERN)


def test_the_first_organiser_is_created_in_the_group_when_the_context_names_one() -> None:
    import aws_cdk as cdk

    from infra.stack import build
    from praatmee.edition import load_edition
    from tests.infra_synth import ACCOUNT, SENDER_DOMAIN, _site_dir

    app = cdk.App(context=names.FEATURE_FLAGS)
    stack = build(
        app, edition=load_edition(), site_dir=_site_dir(), sender_domain=SENDER_DOMAIN, account=ACCOUNT,
        first_organiser="eerste@organisatie.example",
    )  # fmt: skip
    template = app.synth().get_stack_by_name(stack.stack_name).template
    resources = template["Resources"].values()
    [user] = [r["Properties"] for r in resources if r["Type"] == "AWS::Cognito::UserPoolUser"]
    [member] = [
        r["Properties"] for r in resources if r["Type"] == "AWS::Cognito::UserPoolUserToGroupAttachment"
    ]
    assert user["Username"] == member["Username"] == "eerste@organisatie.example"
    assert user["DesiredDeliveryMediums"] == ["EMAIL"]
    assert member["GroupName"] == "organisatoren"


def test_only_the_rooms_asset_carries_the_token_library(synth: Synth) -> None:
    assets = {
        function["Properties"]["Handler"]: synth.outdir
        / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
        for function in synth.resources("AWS::Lambda::Function").values()
        if function["Properties"].get("Handler", "").startswith("praatmee.")
    }
    assert (assets[names.ROOM_HANDLER] / "jwt").is_dir()
    assert (assets[names.ROOM_HANDLER] / "cryptography").is_dir()
    assert (assets[names.ROOM_HANDLER] / "praatmee" / "room.py").is_file()
    assert not (assets[names.API_HANDLER] / "jwt").exists()
    assert not (assets[names.API_HANDLER] / "cryptography").exists()
