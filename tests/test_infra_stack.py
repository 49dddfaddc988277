"""The synthesised template keeps every promise of the deployment (synthesised, never deployed): the API, the
functions and their package, the data, exports, mail, least privilege, alarms and the firewall."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Match
from moto import mock_aws

from infra import names
from praatmee.edition import load_edition
from praatmee.store import Store
from praatmee.table import seed_updates
from tests.infra_synth import ACCOUNT, RESERVED_CONCURRENCY, SENDER_DOMAIN, Synth
from tests.infra_template import (
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    actions_of,
    assert_private_encrypted_tls_only,
    distribution_config,
    function_asset,
    functions,
    one,
    ref_id,
    role_of,
    schedule_for,
    statements_of_role,
)


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
