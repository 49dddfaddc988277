"""The synthesised template keeps every promise of the deployment (it is synthesised, never deployed)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Match
from moto import mock_aws

from infra import bundling, names
from praatmee import caching
from praatmee.edition import Allocation, load_edition
from praatmee.store import Store
from praatmee.table import seed_updates
from tests.infra_synth import ACCOUNT, RESERVED_CONCURRENCY, SENDER_DOMAIN, Synth, draw_edition, synthesize

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CloudFront's managed policy ids
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@pytest.fixture(scope="session")
def synth() -> Synth:
    return synthesize()


@pytest.fixture(scope="session")
def draw_synth() -> Synth:
    """The same app for an edition whose places are given by the draw."""
    return synthesize(draw=True)


def one(synth: Synth, type_: str, **match: Any) -> tuple[str, dict[str, Any]]:
    """The single resource of a type whose properties contain `match` (top-level keys, equal values)."""
    found = [
        (logical_id, resource)
        for logical_id, resource in synth.resources(type_).items()
        if all(resource.get("Properties", {}).get(key) == value for key, value in match.items())
    ]
    assert len(found) == 1, f"expected one {type_} with {match}, found {[f[0] for f in found]}"
    return found[0]


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


# -- site -----------------------------------------------------------------------------------------


def distribution_config(synth: Synth) -> dict[str, Any]:
    _, distribution = one(synth, "AWS::CloudFront::Distribution")
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def test_site_bucket_is_private_and_read_by_cloudfront_through_origin_access_control(synth: Synth) -> None:
    config = distribution_config(synth)
    s3_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    bucket_id = ref_id(s3_origin["DomainName"])
    assert_private_encrypted_tls_only(synth, bucket_id)
    assert "OriginAccessControlId" in s3_origin
    synth.main.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"OriginAccessControlOriginType": "s3"})},
    )
    synth.main.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "s3:GetObject",
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Condition": {"StringEquals": {"AWS:SourceArn": Match.any_value()}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_site_is_https_only_with_the_web_acl(synth: Synth) -> None:
    config = distribution_config(synth)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert all(b["ViewerProtocolPolicy"] == "https-only" for b in config["CacheBehaviors"])
    assert config["DefaultRootObject"] == "index.html"
    assert "WebACLId" in config


def test_site_is_compressed_by_cloudfront_and_the_api_is_not(synth: Synth) -> None:
    # The rule the local server copies (praatmee.laptop.compress): the site's behaviour compresses with a
    # policy that allows it; with CachingDisabled (the API, the room) CloudFront compresses nothing.
    config = distribution_config(synth)
    assert config["DefaultCacheBehavior"]["Compress"] is True
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_OPTIMIZED
    assert {b["CachePolicyId"] for b in config["CacheBehaviors"]} == {CACHING_DISABLED}


def test_security_headers_have_long_hsts_a_strict_csp_nosniff_and_a_referrer_policy(synth: Synth) -> None:
    # The site's policy; the room's differs only in form-action (tests/test_infra_room.py)
    policy = next(
        p
        for i, p in synth.resources("AWS::CloudFront::ResponseHeadersPolicy").items()
        if i.startswith("Site")
    )
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["StrictTransportSecurity"]["Override"] is True
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "same-origin"
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    config = distribution_config(synth)
    policy_id = {
        "Ref": next(
            i for i in synth.resources("AWS::CloudFront::ResponseHeadersPolicy") if i.startswith("Site")
        )
    }
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    behaviours = [b for b in behaviours if b.get("PathPattern") != names.ROOM_PATH_PATTERN]
    assert all(b["ResponseHeadersPolicyId"] == policy_id for b in behaviours)


def built_pages() -> list[Path]:
    pages = sorted(names.SITE_DIR.rglob("*.html"))
    if not pages:
        pytest.skip("site/ is not built (make site)")
    return pages


def test_built_site_needs_nothing_the_csp_forbids() -> None:
    for page in built_pages():
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script in {page}"
        assert "<style" not in html, f"inline style element in {page}"
        assert not re.search(r"\sstyle=", html), f"style attribute in {page}"
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler in {page}"
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html), (
            f"third party in {page}"
        )


@pytest.fixture(scope="module")
def directory_index(synth: Synth) -> str:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    _, function = one(synth, "AWS::CloudFront::Function")
    code: str = function["Properties"]["FunctionCode"]
    return code


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/", "/index.html"),
        ("/doel/", "/doel/index.html"),
        ("/doel", "301 /doel/"),
        ("/assets/stylesheets/main.css", "/assets/stylesheets/main.css"),
        ("/sitemap.xml", "/sitemap.xml"),
    ],
)
def test_directory_urls_are_served_by_the_viewer_request_function(
    directory_index: str, uri: str, expected: str
) -> None:
    script = (
        directory_index
        + "\nvar r = handler({request: {uri: "
        + json.dumps(uri)
        + "}});\n"
        + "console.log(r.statusCode ? r.statusCode + ' ' + r.headers.location.value : r.uri);\n"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout.strip()
    assert out == expected


def test_directory_index_runs_on_requests_for_the_site(synth: Synth) -> None:
    association = distribution_config(synth)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert [a["EventType"] for a in association] == ["viewer-request"]


def test_built_site_is_uploaded_with_invalidation(synth: Synth) -> None:
    synth.main.has_resource_properties(
        "Custom::CDKBucketDeployment",
        {"DistributionPaths": ["/*"], "Prune": True, "DistributionId": Match.any_value()},
    )


def test_fingerprinted_assets_are_kept_a_year_assets_an_hour_and_pages_five_minutes(synth: Synth) -> None:
    # Given the site's uploads (each sets the Cache-Control of its files)
    uploads = synth.main.find_resources("Custom::CDKBucketDeployment")
    by_value = {u["Properties"]["SystemMetadata"]["cache-control"]: u["Properties"] for u in uploads.values()}

    # Then Material's hashed files live a year, our own assets an hour, pages five minutes (and invalidate)
    assert set(by_value) == {caching.FINGERPRINTED, caching.ASSET, caching.PAGE}
    assert by_value[caching.FINGERPRINTED]["Include"] == ["assets/stylesheets/*", "assets/javascripts/*"]
    assert by_value[caching.PAGE]["Include"] == ["*.html"]
    assert by_value[caching.PAGE]["DistributionPaths"] == ["/*"]
    # And hashed files of earlier deploys stay: a page still in a browser's cache may name them
    assert by_value[caching.FINGERPRINTED]["Prune"] is False
    assert by_value[caching.PAGE]["Prune"] is True
    # And every file is in exactly one upload
    for path, expected in [
        ("assets/stylesheets/main.57a0d79d.min.css", caching.FINGERPRINTED),
        ("assets/praatmee.css", caching.ASSET),
        ("bijeenkomsten/index.html", caching.PAGE),
        ("sitemap.xml", caching.ASSET),
    ]:
        taking = [value for value, upload in by_value.items() if uploaded(upload, path)]
        assert taking == [expected], path


def uploaded(upload: dict[str, Any], path: str) -> bool:
    """Whether an upload's filters take `path`, as `aws s3 sync` reads them: the last matching filter wins."""
    from fnmatch import fnmatchcase

    taken = True
    filters = [("exclude", p) for p in upload.get("Exclude", [])]
    filters += [("include", p) for p in upload.get("Include", [])]
    for kind, pattern in filters:
        if fnmatchcase(path, pattern):
            taken = kind == "include"
    return taken


# -- API ------------------------------------------------------------------------------------------


def test_api_path_goes_to_the_http_api_uncached_with_every_method(synth: Synth) -> None:
    config = distribution_config(synth)
    (behaviour,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == names.API_PATH_PATTERN]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert {"GET", "POST", "OPTIONS"} <= set(behaviour["AllowedMethods"])
    origin = next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"])
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "execute-api" in json.dumps(origin["DomainName"])
    keys = [route["Properties"]["RouteKey"] for route in synth.resources("AWS::ApiGatewayV2::Route").values()]
    assert "ANY /api/{proxy+}" in keys


def test_api_stage_is_throttled_and_logs_no_personal_data(synth: Synth) -> None:
    _, stage = one(synth, "AWS::ApiGatewayV2::Stage")
    settings = stage["Properties"]["DefaultRouteSettings"]
    assert settings["ThrottlingRateLimit"] == names.API_RATE_LIMIT
    assert settings["ThrottlingBurstLimit"] == names.API_BURST_LIMIT
    log_format = stage["Properties"]["AccessLogSettings"]["Format"]
    assert "$context.status" in log_format
    for personal in ("sourceIp", "userAgent", "queryString", "path", "caller", "user"):
        assert personal not in log_format


def test_registration_function_runs_on_arm_with_current_python_and_reserved_concurrency(synth: Synth) -> None:
    function = functions(synth)[names.API_HANDLER]["Properties"]
    assert function["Runtime"] == f"python{names.PYTHON_VERSION}"
    assert function["Architectures"] == ["arm64"]
    assert function["ReservedConcurrentExecutions"] == RESERVED_CONCURRENCY
    env = function["Environment"]["Variables"]
    assert env[names.POWERTOOLS_SERVICE_NAME] == "praatmee-api"
    assert env[names.POWERTOOLS_METRICS_NAMESPACE] == names.METRICS_NAMESPACE
    assert env[names.LOG_LEVEL] == "INFO"
    assert {names.ENV_TABLE_NAME, names.ENV_SITE_ORIGIN, names.ENV_EMAIL_HASH_KEY_SECRET} <= set(env)
    assert "PRAATMEE_EMAIL_HASH_KEY" not in env, "the key itself never sits in the environment"


def test_functions_know_the_sites_own_origin_for_form_posts_and_links(synth: Synth) -> None:
    distribution_id, _ = one(synth, "AWS::CloudFront::Distribution")
    expected = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    for handler in (names.API_HANDLER, names.CONFIRMATIONS_HANDLER):
        env = functions(synth)[handler]["Properties"]["Environment"]["Variables"]
        assert env[names.ENV_SITE_ORIGIN] == expected, handler


def test_metrics_namespace_matches_the_functions() -> None:
    import praatmee

    assert names.METRICS_NAMESPACE == praatmee.METRICS_NAMESPACE


def test_every_function_logs_to_its_own_group_with_retention(synth: Synth) -> None:
    groups = synth.resources("AWS::Logs::LogGroup")
    for handler, function in functions(synth).items():
        group_id = ref_id(function["Properties"]["LoggingConfig"]["LogGroup"])
        assert groups[group_id]["Properties"]["RetentionInDays"] == names.LOG_RETENTION_DAYS, handler
        assert function["Properties"]["Architectures"] == ["arm64"], handler
        assert function["Properties"]["Runtime"] == f"python{names.PYTHON_VERSION}", handler


@pytest.mark.parametrize(
    "handler", [names.API_HANDLER, names.EXPORT_HANDLER, names.CONFIRMATIONS_HANDLER, names.DRAW_HANDLER]
)
def test_each_handler_names_a_function_of_the_package(handler: str) -> None:
    module_name, attribute = handler.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        pytest.skip(f"{module_name} is not written yet")
    assert callable(getattr(module, attribute))


# -- packaging ------------------------------------------------------------------------------------


def function_asset(synth: Synth, handler: str = names.API_HANDLER) -> Path:
    code = functions(synth)[handler]["Properties"]["Code"]
    asset_hash = code["S3Key"].removesuffix(".zip")
    return synth.outdir / f"asset.{asset_hash}"


def test_asset_holds_the_package_and_wheels_for_lambda_on_arm_without_boto3(synth: Synth) -> None:
    asset = function_asset(synth)
    assert (asset / "praatmee" / "meetings.yaml").is_file()
    assert (asset / "praatmee" / "api.py").is_file()
    assert (asset / "pydantic").is_dir()
    assert (asset / "aws_lambda_powertools").is_dir()
    binaries = [p.name for p in asset.rglob("*.so")]
    assert binaries, "pydantic-core brings a compiled module"
    # ELF's e_machine 183 is AArch64 (cryptography's abi3 module does not say so in its name)
    machines = {p.name: int.from_bytes(p.read_bytes()[18:20], "little") for p in asset.rglob("*.so")}
    assert set(machines.values()) == {183}, machines
    assert all(
        f"cpython-{names.PYTHON_VERSION.replace('.', '')}" in name for name in binaries if "cpython" in name
    )
    assert not (asset / "boto3").exists()
    assert not (asset / "botocore").exists()
    assert not list(asset.rglob("__pycache__"))


def test_asset_leaves_out_the_laptop_tools_and_needs_none_of_them(synth: Synth) -> None:
    # Given the function asset's file list
    asset = function_asset(synth)
    shipped = sorted(p.relative_to(asset / "praatmee").as_posix() for p in (asset / "praatmee").rglob("*.py"))

    # Then the functions' modules are there, the laptop tools are not, and nothing shipped imports them
    assert {"api.py", "service.py", "store.py", "exports.py", "mail.py"} <= set(shipped)
    assert not [name for name in shipped if name.startswith("laptop/")], shipped
    assert not (asset / "praatmee" / "laptop").exists()
    importers = [
        name
        for name in shipped
        if re.search(r"praatmee\.laptop|from praatmee import laptop", (asset / "praatmee" / name).read_text())
    ]
    assert importers == []


def test_asset_stays_far_below_the_lambda_size_limit(synth: Synth) -> None:
    unzipped = sum(p.stat().st_size for p in function_asset(synth).rglob("*") if p.is_file())
    assert unzipped < 50 * 2**20, f"{unzipped / 2**20:.1f} MiB unzipped (Lambda allows 250)"


def test_every_function_shares_the_one_asset(synth: Synth) -> None:
    # All but the organisers' room, whose asset adds its token library (tests/test_infra_room.py)
    keys = {
        json.dumps(f["Properties"]["Code"]) for h, f in functions(synth).items() if h != names.ROOM_HANDLER
    }
    assert len(keys) == 1


# -- data -----------------------------------------------------------------------------------------


class RecordingClient:
    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}

    def __getattr__(self, operation: str) -> Any:
        def record(**kwargs: Any) -> None:
            self.calls[operation] = kwargs

        return record


def test_table_has_exactly_the_key_schema_the_store_creates(synth: Synth) -> None:
    client = RecordingClient()
    Store("t", client=client).create_table()  # type: ignore[arg-type]
    created = client.calls["create_table"]
    _, table = one(synth, "AWS::DynamoDB::Table")
    properties = table["Properties"]
    assert properties["KeySchema"] == created["KeySchema"]
    assert properties["AttributeDefinitions"] == created["AttributeDefinitions"]
    assert properties["BillingMode"] == created["BillingMode"] == "PAY_PER_REQUEST"
    assert "GlobalSecondaryIndexes" not in properties
    assert "GlobalSecondaryIndexes" not in created
    ttl = client.calls["update_time_to_live"]["TimeToLiveSpecification"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": ttl["AttributeName"], "Enabled": True}


def test_table_is_recoverable_encrypted_protected_and_kept(synth: Synth) -> None:
    _, table = one(synth, "AWS::DynamoDB::Table")
    properties = table["Properties"]
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_meetings_are_seeded_on_deploy_with_the_stores_counter_keeping_update(synth: Synth) -> None:
    edition = load_edition()
    seeds = synth.resources("Custom::AWS")
    expected = seed_updates("TABLE", edition)
    assert len(expected) == len(edition.meetings)
    creates = [json.loads(_joined(r["Properties"]["Create"])) for r in seeds.values()]
    by_key = {c["parameters"]["Key"]["pk"]["S"]: c for c in creates}
    for call in expected:
        create = by_key[call["Key"]["pk"]["S"]]
        assert create["action"] == "updateItem"
        parameters = create["parameters"]
        assert parameters["UpdateExpression"] == call["UpdateExpression"]
        assert "if_not_exists(placed" in parameters["UpdateExpression"], "counters are never reset"
        assert parameters["ExpressionAttributeValues"] == call["ExpressionAttributeValues"]
    for resource in seeds.values():
        assert resource["Properties"]["Update"] == resource["Properties"]["Create"]


def test_redeploying_the_seed_keeps_counters_that_exist(synth: Synth) -> None:
    # Given the table as the store creates it, seeded once by the template's calls, with a seat taken
    calls = [
        json.loads(_joined(r["Properties"]["Create"]))["parameters"]
        for r in synth.resources("Custom::AWS").values()
    ]
    with mock_aws():
        client = boto3.client("dynamodb", region_name=names.DEFAULT_REGION)
        Store("TABLE", client=client).create_table()
        for parameters in calls:
            client.update_item(**parameters)
        key = calls[0]["Key"]
        client.update_item(
            TableName="TABLE",
            Key=key,
            UpdateExpression="SET placed = :n",
            ExpressionAttributeValues={":n": {"N": "3"}},
        )
        # When the deploy runs the calls again
        for parameters in calls:
            client.update_item(**parameters)
        # Then the counter stays and the capacity comes from the edition file
        item = client.get_item(TableName="TABLE", Key=key)["Item"]
    assert item["placed"] == {"N": "3"}
    assert item["capacity"] == calls[0]["ExpressionAttributeValues"][":capacity"]


def _joined(value: Any) -> str:
    """A Fn::Join of strings and references, with references replaced by a placeholder."""
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "TABLE" for p in parts)


def test_the_seed_may_only_update_items_of_the_table(synth: Synth) -> None:
    provider_role = next(
        ref_id(f["Properties"]["Role"])
        for f in synth.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "index.handler"
        and f["Properties"]["Role"]["Fn::GetAtt"][0].startswith("AWS679f53fac002430cb0da5b7982bd2287")
    )
    statements = statements_of_role(synth, provider_role)
    assert len(statements) == len(load_edition().meetings)
    table_id, _ = one(synth, "AWS::DynamoDB::Table")
    for statement in statements:
        assert statement["Action"] == "dynamodb:UpdateItem"
        assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}


def test_the_email_hash_key_is_a_generated_retained_secret(synth: Synth) -> None:
    env = functions(synth)[names.API_HANDLER]["Properties"]["Environment"]["Variables"]
    secret = synth.resources("AWS::SecretsManager::Secret")[ref_id(env[names.ENV_EMAIL_HASH_KEY_SECRET])]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert secret["DeletionPolicy"] == "Retain"


# -- exports --------------------------------------------------------------------------------------


def export_bucket_id(synth: Synth) -> str:
    env = functions(synth)[names.EXPORT_HANDLER]["Properties"]["Environment"]["Variables"]
    return ref_id(env[names.ENV_EXPORT_BUCKET])


def test_export_bucket_is_private_tls_only_encrypted_and_forgets(synth: Synth) -> None:
    bucket_id = export_bucket_id(synth)
    assert_private_encrypted_tls_only(synth, bucket_id)
    bucket = synth.resources("AWS::S3::Bucket")[bucket_id]
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r["ExpirationInDays"] == names.EXPORT_EXPIRY_DAYS for r in rules)
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == "exports/"


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


@pytest.mark.parametrize(("handler", "hour"), [(names.EXPORT_HANDLER, 6), (names.CONFIRMATIONS_HANDLER, 9)])
def test_daily_jobs_run_at_a_local_hour_of_the_edition(synth: Synth, handler: str, hour: int) -> None:
    schedule = schedule_for(synth, handler)
    assert schedule["ScheduleExpression"] == f"cron(0 {hour} * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == load_edition().timezone
    assert schedule["State"] == "ENABLED"
    role = synth.resources("AWS::IAM::Role")[ref_id(schedule["Target"]["RoleArn"])]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_organisers_may_only_read_exports(synth: Synth) -> None:
    _, policy = one(synth, "AWS::IAM::ManagedPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert actions_of(statements) == {"s3:GetObject", "s3:ListBucket"}
    bucket_id = export_bucket_id(synth)
    for statement in statements:
        assert bucket_id in json.dumps(statement["Resource"])
        assert statement["Effect"] == "Allow"
    listing = next(s for s in statements if s["Action"] == "s3:ListBucket")
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{names.EXPORT_PREFIX}*"]}}
    policy_id = one(synth, "AWS::IAM::ManagedPolicy")[0]
    organisers = [
        (role_id, role["Properties"])
        for role_id, role in synth.resources("AWS::IAM::Role").items()
        if role["Properties"].get("ManagedPolicyArns") == [{"Ref": policy_id}]
    ]
    assert len(organisers) == 1
    role_id, organiser = organisers[0]
    assert organiser["MaxSessionDuration"] == 3600
    assert not statements_of_role(synth, role_id), "nothing on the role beyond the read-only policy"


# -- mail -----------------------------------------------------------------------------------------


def test_sender_domain_is_an_ses_identity_from_context(synth: Synth) -> None:
    synth.main.has_resource_properties("AWS::SES::EmailIdentity", {"EmailIdentity": SENDER_DOMAIN})
    for handler in MAIL_SENDERS:
        env = functions(synth)[handler]["Properties"]["Environment"]["Variables"]
        assert env[names.ENV_SENDER_ADDRESS] == f"aanmelden@{SENDER_DOMAIN}", handler


# The API mails receipts, guardians' requests and promotions at once; the daily job the rest; the room what
# organisers do for a person (a move, a new receipt, a message to a meeting).
MAIL_SENDERS = (names.API_HANDLER, names.CONFIRMATIONS_HANDLER, names.ROOM_HANDLER)


def test_only_the_api_and_the_mail_job_send_mail_and_only_from_the_sender(synth: Synth) -> None:
    for handler, function in functions(synth).items():
        statements = statements_of_role(synth, role_of(function))
        sending = [s for s in statements if any(a.startswith("ses:") for a in actions_of([s]))]
        if handler not in MAIL_SENDERS:
            assert not sending, handler
            continue
        (statement,) = sending
        assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": f"aanmelden@{SENDER_DOMAIN}"}}
        identity_id, _ = one(synth, "AWS::SES::EmailIdentity")
        assert statement["Resource"]["Fn::Join"][1][-2:] == [
            f":ses:{names.DEFAULT_REGION}:{ACCOUNT}:identity/",
            {"Ref": identity_id},
        ]


# -- least privilege ------------------------------------------------------------------------------

EXPECTED_ACTIONS = {
    names.API_HANDLER: {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "secretsmanager:GetSecretValue",
        "ses:SendEmail",
        "ses:SendRawEmail",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    },
    names.EXPORT_HANDLER: {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "s3:PutObject",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    },
    names.CONFIRMATIONS_HANDLER: {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "ses:SendEmail",
        "ses:SendRawEmail",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    },
}


@pytest.mark.parametrize("handler", sorted(EXPECTED_ACTIONS))
def test_each_function_may_do_only_what_it_uses(synth: Synth, handler: str) -> None:
    function = functions(synth)[handler]
    role_id = role_of(function)
    role = synth.resources("AWS::IAM::Role")[role_id]["Properties"]
    assert "ManagedPolicyArns" not in role, "no managed policies on function roles"
    statements = statements_of_role(synth, role_id)
    assert actions_of(statements) == EXPECTED_ACTIONS[handler]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] != "*"
        assert "*" not in json.dumps(statement["Action"])


# -- alarms ---------------------------------------------------------------------------------------


def test_alarms_watch_errors_throttles_and_table_system_errors_without_personal_data(synth: Synth) -> None:
    alarms = list(synth.resources("AWS::CloudWatch::Alarm").values())
    watched = {
        (a["Properties"].get("MetricName"), json.dumps(a["Properties"].get("Dimensions"))) for a in alarms
    }
    for logical_id, function in synth.resources("AWS::Lambda::Function").items():
        if function["Properties"].get("Handler") not in EXPECTED_ACTIONS:
            continue
        dimensions = json.dumps([{"Name": "FunctionName", "Value": {"Ref": logical_id}}])
        assert ("Errors", dimensions) in watched
        assert ("Throttles", dimensions) in watched
    table_alarms = [a for a in alarms if "SystemErrors" in json.dumps(a["Properties"].get("Metrics", []))]
    assert len(table_alarms) == 1
    for alarm in alarms:
        properties = alarm["Properties"]
        assert properties["AlarmActions"], "every alarm notifies"
        text = json.dumps([properties.get("Dimensions"), properties.get("Metrics")])
        assert "@" not in text, "no e-mail addresses in dimensions"
        for dimension in re.findall(r'"Name": "([A-Za-z]+)"', text):
            assert dimension in {"FunctionName", "TableName", "Operation"}


# -- WAF and regions ------------------------------------------------------------------------------


def test_web_acl_in_us_east_1_limits_requests_per_ip(synth: Synth) -> None:
    synth.edge.has_resource_properties(
        "AWS::WAFv2::WebACL",
        {
            "Scope": "CLOUDFRONT",
            "Rules": Match.array_with(
                [
                    Match.object_like(
                        {
                            "Action": {"Block": {}},
                            "Statement": {
                                "RateBasedStatement": Match.object_like(
                                    {"AggregateKeyType": "IP", "Limit": names.WAF_RATE_LIMIT}
                                )
                            },
                        }
                    )
                ]
            ),
        },
    )
    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    environments = {name: a.get("environment") for name, a in manifest["artifacts"].items()}
    assert environments[names.EDGE_STACK] == f"aws://{ACCOUNT}/{names.EDGE_REGION}"
    assert environments[names.STACK] == f"aws://{ACCOUNT}/{names.DEFAULT_REGION}"


# -- the draw -------------------------------------------------------------------------------------


def test_the_draw_exists_only_for_an_edition_given_out_by_the_draw(synth: Synth, draw_synth: Synth) -> None:
    # Given the shipped edition, given out by the draw, and the same edition given out first come
    assert load_edition().allocation is Allocation.DRAW

    # Then only the draw edition's app has the draw function, its secret and a one-time schedule
    assert names.DRAW_HANDLER not in functions(synth)
    assert names.DRAW_HANDLER in functions(draw_synth)
    assert len(synth.resources("AWS::SecretsManager::Secret")) == 2, "the e-mail hash key and origin header"
    assert len(draw_synth.resources("AWS::SecretsManager::Secret")) == 3
    expressions = [
        s["Properties"]["ScheduleExpression"] for s in synth.resources("AWS::Scheduler::Schedule").values()
    ]
    assert not [e for e in expressions if e.startswith("at(")]
    # And everything else is the same app
    assert set(functions(draw_synth)) - set(functions(synth)) == {names.DRAW_HANDLER}


def test_the_draw_fires_once_at_the_editions_draw_moment_in_its_time_zone(draw_synth: Synth) -> None:
    # Given the draw edition's moment of the draw
    edition = draw_edition()
    assert edition.draw_moment is not None

    # When the schedule that targets the draw function is read
    schedule = schedule_for(draw_synth, names.DRAW_HANDLER)

    # Then it fires once ("at"), at that local time of the edition's time zone, enabled and without a window
    local = re.fullmatch(r"at\((.+)\)", schedule["ScheduleExpression"])
    assert local is not None, schedule["ScheduleExpression"]
    assert schedule["ScheduleExpressionTimezone"] == edition.timezone
    fires_at = dt.datetime.fromisoformat(local.group(1)).replace(tzinfo=edition.tz)
    assert fires_at == edition.draw_moment
    assert fires_at >= edition.registration_closes_at
    assert schedule["State"] == "ENABLED"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule.get("ActionAfterCompletion", "NONE") == "NONE", "kept, so a redeploy makes no new one"
    # And its role is for this account's scheduler and may invoke the draw function, nothing else
    draw_id = next(
        logical_id
        for logical_id, f in draw_synth.resources("AWS::Lambda::Function").items()
        if f["Properties"].get("Handler") == names.DRAW_HANDLER
    )
    role_id = ref_id(schedule["Target"]["RoleArn"])
    role = draw_synth.resources("AWS::IAM::Role")[role_id]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert "ManagedPolicyArns" not in role
    (statement,) = statements_of_role(draw_synth, role_id)
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == {"Fn::GetAtt": [draw_id, "Arn"]}


def test_only_the_draw_schedule_runs_once(draw_synth: Synth) -> None:
    expressions = sorted(
        s["Properties"]["ScheduleExpression"]
        for s in draw_synth.resources("AWS::Scheduler::Schedule").values()
    )
    assert len([e for e in expressions if e.startswith("at(")]) == 1
    assert len([e for e in expressions if e.startswith("cron(")]) == 2


SOLVER = ("highspy", "numpy", "numpy.libs")


def test_only_the_draw_asset_carries_the_solver_and_its_wheels(draw_synth: Synth) -> None:
    # Given the API's asset and the draw's asset
    api_asset = function_asset(draw_synth)
    draw_asset = function_asset(draw_synth, names.DRAW_HANDLER)
    assert api_asset != draw_asset

    # Then the API's has neither HiGHS nor numpy nor the solver module, and nothing it ships imports them
    assert not [name for name in SOLVER if (api_asset / name).exists()]
    assert not (api_asset / "praatmee" / "sortition.py").exists()
    # Nor the verifiable draw's modules and the BLS library that checks the beacon
    assert not [name for name in bundling.DRAW_ONLY if (api_asset / "praatmee" / name).exists()]
    assert not (api_asset / "py_arkworks_bls12381").exists()
    shipped = list((api_asset / "praatmee").rglob("*.py"))
    assert not [
        p.name for p in shipped if re.search(r"^\s*(import|from) (numpy|highspy)", p.read_text(), re.M)
    ]
    # And the draw's has them, for Lambda on arm64 with this Python, and the same package without the laptop
    assert (draw_asset / "highspy").is_dir()
    assert (draw_asset / "numpy").is_dir()
    assert (draw_asset / "praatmee" / "sortition.py").is_file()
    assert (draw_asset / "praatmee" / "draw.py").is_file()
    assert (draw_asset / "praatmee" / "beacon.py").is_file()
    assert (draw_asset / "praatmee" / "bundle.py").is_file()
    assert list((draw_asset / "py_arkworks_bls12381").rglob("*.so")), "the beacon's check comes compiled"
    assert (draw_asset / "pydantic").is_dir()
    assert not (draw_asset / "praatmee" / "laptop").exists()
    assert not (draw_asset / "boto3").exists()
    binaries = [p.name for p in draw_asset.rglob("*.so") if "cpython" in p.name]
    assert list((draw_asset / "highspy").rglob("*.so")), "HiGHS comes compiled"
    assert all("aarch64" in name for name in binaries), binaries
    assert all(f"cpython-{names.PYTHON_VERSION.replace('.', '')}" in name for name in binaries)
    assert not list(draw_asset.rglob("__pycache__"))
    unzipped = sum(p.stat().st_size for p in draw_asset.rglob("*") if p.is_file())
    assert unzipped < 150 * 2**20, f"{unzipped / 2**20:.1f} MiB unzipped (Lambda allows 250)"


def test_every_function_but_the_draw_shares_the_api_asset(draw_synth: Synth) -> None:
    codes = {handler: json.dumps(f["Properties"]["Code"]) for handler, f in functions(draw_synth).items()}
    draw_code = codes.pop(names.DRAW_HANDLER)
    codes.pop(names.ROOM_HANDLER)  # the room's asset adds its token library (tests/test_infra_room.py)
    assert len(set(codes.values())) == 1
    assert draw_code not in codes.values()


DRAW_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "secretsmanager:GetSecretValue",
    "s3:PutObject",
    "ses:SendEmail",
    "ses:SendRawEmail",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
}


def draw_secret_id(synth: Synth) -> str:
    env = functions(synth)[names.DRAW_HANDLER]["Properties"]["Environment"]["Variables"]
    return ref_id(env[names.ENV_DRAW_SECRET])


def test_the_draw_may_read_its_secret_and_write_only_to_the_table(draw_synth: Synth) -> None:
    # Given the draw function's role
    function = functions(draw_synth)[names.DRAW_HANDLER]
    role_id = role_of(function)
    assert "ManagedPolicyArns" not in draw_synth.resources("AWS::IAM::Role")[role_id]["Properties"]
    statements = statements_of_role(draw_synth, role_id)

    # Then it may do only what the draw uses: no deletes, nothing on any resource but its own
    assert actions_of(statements) == DRAW_ACTIONS
    table_id, _ = one(draw_synth, "AWS::DynamoDB::Table")
    secret_id = draw_secret_id(draw_synth)
    for statement in statements:
        assert statement["Effect"] == "Allow"
        actions = actions_of([statement])
        if any(a.startswith("dynamodb:") for a in actions):
            assert statement["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}
        if any(a.startswith("secretsmanager:") for a in actions):
            assert statement["Resource"] == {"Ref": secret_id}
        if any(a.startswith("s3:") for a in actions):  # the bundles, only under their own prefix
            assert actions == {"s3:PutObject"}
            assert json.dumps(statement["Resource"]).endswith(f'"/{names.BUNDLE_PREFIX}*"]]}}'), statement
        if any(a.startswith("ses:") for a in actions):
            assert statement["Condition"] == {
                "StringEquals": {"ses:FromAddress": f"aanmelden@{SENDER_DOMAIN}"}
            }
    # And no other function may read the draw secret
    for handler, other in functions(draw_synth).items():
        if handler != names.DRAW_HANDLER:
            assert secret_id not in json.dumps(statements_of_role(draw_synth, role_of(other))), handler


def test_the_draw_secret_is_generated_retained_and_only_its_arn_is_in_the_environment(
    draw_synth: Synth,
) -> None:
    secret = draw_synth.resources("AWS::SecretsManager::Secret")[draw_secret_id(draw_synth)]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert secret["DeletionPolicy"] == secret["UpdateReplacePolicy"] == "Retain"
    function = functions(draw_synth)[names.DRAW_HANDLER]["Properties"]
    env = function["Environment"]["Variables"]
    assert {
        names.ENV_TABLE_NAME,
        names.ENV_SENDER_ADDRESS,
        names.ENV_SITE_ORIGIN,
        names.ENV_DRAW_SECRET,
        names.ENV_EXPORT_BUCKET,
    } <= set(env)
    assert env[names.POWERTOOLS_SERVICE_NAME] == "praatmee-draw"
    assert function["Architectures"] == ["arm64"]
    assert function["Runtime"] == f"python{names.PYTHON_VERSION}"
    assert function["Timeout"] >= 300, "the draw solves and mails every meeting in one run"


def test_the_draw_function_is_watched_by_alarms(draw_synth: Synth) -> None:
    draw_id = next(
        logical_id
        for logical_id, f in draw_synth.resources("AWS::Lambda::Function").items()
        if f["Properties"].get("Handler") == names.DRAW_HANDLER
    )
    dimensions = [{"Name": "FunctionName", "Value": {"Ref": draw_id}}]
    watched = {
        a["Properties"].get("MetricName")
        for a in draw_synth.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == dimensions
    }
    assert watched == {"Errors", "Throttles"}
