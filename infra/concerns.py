"""One construct per concern of the deployment; `stack.py` composes them.

Every function gets its own role with only the actions it uses: no managed policies, no `grant_read_write`.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from infra import names
from infra.api_domain import ApiDomain
from infra.domains import Domain
from praatmee.edition import Edition
from praatmee.table import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, seed_updates

# What each function may do with the table (transactions need the per-item actions, nothing more).
API_TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
]
# The export reads the registrations; the mail job also marks what it sent (UpdateItem) and deletes sign-ups
# whose guardian never answered (DeleteItem, in a transaction). The tests pin the sets; change both together.
EXPORT_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"]
CONFIRMATION_TABLE_ACTIONS = [*EXPORT_TABLE_ACTIONS, "dynamodb:UpdateItem", "dynamodb:DeleteItem"]


def python_function(
    scope: Construct,
    id: str,
    *,
    code: lambda_.Code,
    handler: str,
    service: str,
    environment: dict[str, str],
    description: str,
    reserved_concurrency: int | None = None,
    timeout_seconds: int = 10,
    memory_size: int = 512,
) -> lambda_.Function:
    """A function on the package, with its own role, its own log group and Powertools settings."""
    log_group = logs.LogGroup(
        scope,
        f"{id}Logs",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    role = iam.Role(
        scope,
        f"{id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Praat mee: {description}",
    )
    log_group.grant_write(role)
    return lambda_.Function(
        scope,
        id,
        description=f"Praat mee: {description}",
        runtime=lambda_.Runtime.PYTHON_3_14,
        architecture=lambda_.Architecture.ARM_64,
        code=code,
        handler=handler,
        role=role,
        log_group=log_group,
        memory_size=memory_size,
        timeout=cdk.Duration.seconds(timeout_seconds),
        reserved_concurrent_executions=reserved_concurrency,
        environment={
            names.POWERTOOLS_SERVICE_NAME: service,
            names.POWERTOOLS_METRICS_NAMESPACE: names.METRICS_NAMESPACE,
            names.LOG_LEVEL: "INFO",
            **environment,
        },
    )


def private_bucket(scope: Construct, access_logs: s3.IBucket, log_prefix: str, **props: Any) -> s3.Bucket:
    """Reached only through IAM or CloudFront: no public access, TLS only, encrypted, logged."""
    return s3.Bucket(
        scope,
        "Bucket",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=log_prefix,
        **props,
    )


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag AwsSolutions finding on one construct (and its children), with the reason."""
    acknowledgment = cdk.Acknowledgment(id=f"AwsSolutions::{finding}", reason=reason)
    cdk.Validations.of(construct).acknowledge(acknowledgment)


def kept_secret(scope: Construct, id: str, description: str, why_never_rotated: str) -> secretsmanager.Secret:
    """A generated secret that lives as long as the data it protects: retained, and never rotated (why)."""
    secret = secretsmanager.Secret(
        scope,
        id,
        description=description,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=64, exclude_punctuation=True
        ),
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    acknowledge(secret, "AwsSolutions-SMG4", why_never_rotated)
    return secret


def logical_id(construct: IConstruct) -> str:
    """How cdk-nag names a resource inside a finding, e.g. `<Bucket1234.Arn>`."""
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement)
    return cdk.Stack.of(construct).get_logical_id(resource)


def daily(
    scope: Construct, id: str, *, function: lambda_.Function, hour: int, edition: Edition, description: str
) -> scheduler.Schedule:
    """An EventBridge Scheduler schedule at a local hour of the edition's time zone."""
    # Only schedules of this account may use the role (confused-deputy guard).
    principal = iam.ServicePrincipal(
        "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}}
    )
    role = iam.Role(scope, f"{id}Role", assumed_by=principal)
    schedule = scheduler.Schedule(
        scope,
        id,
        description=f"Praat mee: {description}",
        schedule=scheduler.ScheduleExpression.cron(
            minute="0", hour=str(hour), time_zone=cdk.TimeZone.of(edition.timezone)
        ),
        target=scheduler_targets.LambdaInvoke(function, retry_attempts=2, role=role),
    )
    acknowledge(
        role,
        f"AwsSolutions-IAM5[Resource::<{logical_id(function)}.Arn>:*]",
        "CDK's grant_invoke also names the versions of this one function (`<arn>:*`); no other function",
    )
    return schedule


def allow(function: lambda_.Function, actions: list[str], resources: list[str], **conditions: Any) -> None:
    function.add_to_role_policy(
        iam.PolicyStatement(actions=actions, resources=resources, conditions=conditions or None)
    )


class Data(Construct):
    """The table, the e-mail hash key, and the meetings seeded from the edition file on every deploy."""

    def __init__(self, scope: Construct, id: str, *, edition: Edition) -> None:
        super().__init__(scope, id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.email_hash_key = kept_secret(
            self,
            "EmailHashKey",
            "Praat mee: HMAC key over normalised e-mail addresses (uniqueness markers)",
            "Rotating the HMAC key would forget who registered (the uniqueness markers); it lives as long "
            "as the edition's data, which expires by TTL",
        )
        # The same updates `Store.seed` sends locally: capacity and TTL set, counters kept.
        for update in seed_updates(self.table.table_name, edition):
            meeting_pk = update["Key"][PARTITION_KEY]["S"]
            sdk_call = cr.AwsSdkCall(
                service="DynamoDB",
                action="updateItem",
                parameters=update,
                physical_resource_id=cr.PhysicalResourceId.of(meeting_pk),
            )
            cr.AwsCustomResource(
                self,
                f"Seed{meeting_pk.split('#', 1)[1].title().replace('-', '')}",
                on_create=sdk_call,
                on_update=sdk_call,  # runs again when the edition file changes a capacity or the TTL
                policy=cr.AwsCustomResourcePolicy.from_statements(
                    [iam.PolicyStatement(actions=["dynamodb:UpdateItem"], resources=[self.table.table_arn])]
                ),
                install_latest_aws_sdk=False,
            )


class Api(Construct):
    """The registration function behind an HTTP API with stage throttling and access logs without IPs."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        code: lambda_.Code,
        data: Data,
        reserved_concurrency: int,
        domain: Domain | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.function = python_function(
            self,
            "Registration",
            code=code,
            handler=names.API_HANDLER,
            service="praatmee-api",
            description="registration API",
            reserved_concurrency=reserved_concurrency,
            environment={
                names.ENV_TABLE_NAME: data.table.table_name,
                names.ENV_EMAIL_HASH_KEY_SECRET: data.email_hash_key.secret_arn,
            },
        )
        allow(self.function, API_TABLE_ACTIONS, [data.table.table_arn])
        allow(self.function, ["secretsmanager:GetSecretValue"], [data.email_hash_key.secret_arn])

        self.http_api = apigw.HttpApi(
            self,
            "Http",
            description="Praat mee: /api/* behind CloudFront",
            create_default_stage=False,
            disable_execute_api_endpoint=True if domain else None,  # only CloudFront knows the domain
        )
        self.http_api.add_routes(
            path="/api/{proxy+}",
            methods=[apigw.HttpMethod.ANY],
            integration=integrations.HttpLambdaIntegration("Registration", self.function),
        )
        acknowledge(
            self.http_api,
            "AwsSolutions-APIG4",
            "A public sign-up form: people register without an account. Protected by WAF rate limits, stage "
            "throttling, reserved concurrency and the API's same-origin check on form posts",
        )
        stage = apigw.HttpStage(
            self,
            "Stage",
            http_api=self.http_api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(
                rate_limit=names.API_RATE_LIMIT, burst_limit=names.API_BURST_LIMIT
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        # No source IP, no user agent, no query string: nothing that identifies a person.
        access_format = {
            "requestId": "$context.requestId",
            "time": "$context.requestTime",
            "method": "$context.httpMethod",
            "route": "$context.routeKey",
            "status": "$context.status",
            "latency": "$context.responseLatency",
            "integrationError": "$context.integrationErrorMessage",
        }
        cfn_stage = stage.node.default_child
        assert isinstance(cfn_stage, apigw.CfnStage)
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn, format=cdk.Stack.of(self).to_json_string(access_format)
        )
        self.domain = (
            ApiDomain(self, "Domain", domain=domain, http_api=self.http_api, stage=stage) if domain else None
        )

    @property
    def origin_domain(self) -> str:
        """The name CloudFront reaches the API by: its own domain when it has one, else `execute-api`."""
        if self.domain:
            return self.domain.domain_name.name
        return f"{self.http_api.api_id}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"


class Exports(Construct):
    """The daily export into a private bucket that forgets, and a role for organisers that only reads it."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        code: lambda_.Code,
        data: Data,
        edition: Edition,
        access_logs: s3.IBucket,
    ) -> None:
        super().__init__(scope, id)
        self.bucket = private_bucket(
            self,
            access_logs,
            "exports/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=cdk.Duration.days(names.EXPORT_EXPIRY_DAYS),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.function = python_function(
            self,
            "Export",
            code=code,
            handler=names.EXPORT_HANDLER,
            service="praatmee-export",
            description="daily export of registrations",
            timeout_seconds=120,
            environment={
                names.ENV_TABLE_NAME: data.table.table_name,
                names.ENV_EXPORT_BUCKET: self.bucket.bucket_name,
            },
        )
        allow(self.function, EXPORT_TABLE_ACTIONS, [data.table.table_arn])
        allow(self.function, ["s3:PutObject"], [self.bucket.arn_for_objects(f"{names.EXPORT_PREFIX}*")])
        daily(self, "Daily", function=self.function, hour=6, edition=edition, description="daily export")
        exports_objects = (
            f"AwsSolutions-IAM5[Resource::<{logical_id(self.bucket)}.Arn>/{names.EXPORT_PREFIX}*]"
        )
        acknowledge(
            self.function.role or self.function,
            exports_objects,
            "Writes new objects whose keys are made at run time, only under the export prefix",
        )

        self.organiser_policy = iam.ManagedPolicy(
            self,
            "OrganiserRead",
            description="Praat mee: read the exports, nothing else",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[self.bucket.arn_for_objects(f"{names.EXPORT_PREFIX}*")],
                ),
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[self.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{names.EXPORT_PREFIX}*"]}},
                ),
            ],
        )
        # Anyone in the account who is allowed to assume it (an administrator grants that per organiser).
        self.organiser_role = iam.Role(
            self,
            "Organiser",
            description="Praat mee: organisers pull exports (praatmee export)",
            assumed_by=iam.AccountRootPrincipal(),
            managed_policies=[self.organiser_policy],
            max_session_duration=cdk.Duration.hours(1),
        )
        acknowledge(
            self.organiser_policy,
            exports_objects,
            "Organisers read any export, and only exports: the keys carry dates made at run time",
        )


class Mail(Construct):
    """The SES identity of the sender domain and the daily job that confirms places two weeks ahead."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        code: lambda_.Code,
        data: Data,
        edition: Edition,
        sender_domain: str,
        sender_address: str,
    ) -> None:
        super().__init__(scope, id)
        self.sender_address = sender_address
        self.identity = ses.EmailIdentity(self, "Sender", identity=ses.Identity.domain(sender_domain))
        self.function = python_function(
            self,
            "Confirmations",
            code=code,
            handler=names.CONFIRMATIONS_HANDLER,
            service="praatmee-confirmations",
            description="confirmations two weeks before each meeting",
            timeout_seconds=300,
            environment={
                names.ENV_TABLE_NAME: data.table.table_name,
                names.ENV_SENDER_ADDRESS: sender_address,
            },
        )
        allow(self.function, CONFIRMATION_TABLE_ACTIONS, [data.table.table_arn])
        self.grant_send(self.function)
        daily(
            self,
            "Daily",
            function=self.function,
            hour=9,
            edition=edition,
            description="confirmations two weeks before each meeting",
        )

    def grant_send(self, function: lambda_.Function) -> None:
        """Send from the one sender address of the identity, nothing else."""
        identity_arn = cdk.Stack.of(self).format_arn(
            service="ses", resource="identity", resource_name=self.identity.email_identity_name
        )
        allow(
            function,
            ["ses:SendEmail", "ses:SendRawEmail"],
            [identity_arn],
            StringEquals={"ses:FromAddress": self.sender_address},
        )
