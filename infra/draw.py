"""The fair draw's concern (`allocation: draw`): its function, its secret, one schedule at the draw moment.

A module of its own beside `concerns.py`, in the same style: the stack adds it only for a draw edition.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from infra import names
from infra.concerns import Data, Mail, acknowledge, allow, kept_secret, logical_id, python_function
from praatmee.edition import Edition

# The draw reads the pool (Scan), its record and the counters (GetItem, BatchGetItem), writes its record once
# (PutItem), seats and queues people in transactions of updates and a put (UpdateItem, PutItem), and its mail
# marks what it sent and tells reserves their position (UpdateItem, Query). It deletes nothing.
DRAW_TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
]


class Draw(Construct):
    """The draw function on the draw asset (with the solver), the secret its seed comes from, and a one-time
    EventBridge Scheduler schedule at the edition's `draw_at`, in the edition's time zone. It fetches the
    committed drand round over HTTPS (no VPC: the function reaches the internet) and publishes each draw's
    bundle under `exports/loting/` in the export bucket, where organisers download it."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        code: lambda_.Code,
        data: Data,
        mail: Mail,
        edition: Edition,
        bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        if edition.draw_at is None or edition.draw_moment is None:
            raise ValueError("the draw needs an edition with allocation: draw and its draw_at")
        self.secret = kept_secret(
            self,
            "Secret",
            "Praat mee: the secret each meeting's draw is seeded from",
            "The draw's seed: a rotated secret would make the recorded draw impossible to reproduce; it "
            "lives as long as the edition's data, which expires by TTL",
        )
        # No reserved concurrency: two runs at once are safe (the first record wins), and a reservation
        # would take from an account's small unreserved pool for a function that runs once.
        self.function = python_function(
            self,
            "Run",
            code=code,
            handler=names.DRAW_HANDLER,
            service="praatmee-draw",
            description="the fair draw at the edition's draw moment",
            timeout_seconds=900,
            memory_size=1024,
            environment={
                names.ENV_TABLE_NAME: data.table.table_name,
                names.ENV_SENDER_ADDRESS: mail.sender_address,
                names.ENV_DRAW_SECRET: self.secret.secret_arn,
                names.ENV_EXPORT_BUCKET: bucket.bucket_name,
            },
        )
        allow(self.function, DRAW_TABLE_ACTIONS, [data.table.table_arn])
        allow(self.function, ["secretsmanager:GetSecretValue"], [self.secret.secret_arn])
        allow(self.function, ["s3:PutObject"], [bucket.arn_for_objects(f"{names.BUNDLE_PREFIX}*")])
        acknowledge(
            self.function.role or self.function,
            f"AwsSolutions-IAM5[Resource::<{logical_id(bucket)}.Arn>/{names.BUNDLE_PREFIX}*]",
            "Writes one bundle per draw, keys made at run time, only under the bundle prefix",
        )
        mail.grant_send(self.function)

        # Only schedules of this account may use the role (confused-deputy guard); it only invokes the draw.
        principal = iam.ServicePrincipal(
            "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}}
        )
        self.schedule_role = iam.Role(
            self, "ScheduleRole", assumed_by=principal, description="Praat mee: invoke the draw, once"
        )
        self.schedule_role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.function.function_arn])
        )
        # A one-time schedule, kept after it ran (no ActionAfterCompletion DELETE): a later deploy then finds
        # it unchanged instead of making a new one. The function repeats nothing when run again, so the
        # scheduler may retry it.
        self.schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description="Praat mee: the fair draw, once, at the edition's draw moment",
            schedule_expression=f"at({edition.draw_at:%Y-%m-%dT%H:%M:%S})",
            schedule_expression_timezone=edition.timezone,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.function.function_arn,
                role_arn=self.schedule_role.role_arn,
                input="{}",
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=2),
            ),
        )
        self.schedule.node.add_dependency(self.schedule_role)
