"""The synthesised template of an edition given out by the draw: the draw's schedule, asset, rights, secret
and alarms (and none of it for an edition given first come)."""

from __future__ import annotations

import datetime as dt
import json
import re

from infra import bundling, names
from praatmee.edition import Allocation, load_edition
from tests.infra_synth import SENDER_DOMAIN, Synth, draw_edition
from tests.infra_template import (
    actions_of,
    function_asset,
    functions,
    one,
    ref_id,
    role_of,
    schedule_for,
    statements_of_role,
)


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
