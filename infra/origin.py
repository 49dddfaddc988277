"""The secret origin header: CloudFront adds it to every request it sends to the HTTP API, and the API's and
the room's functions refuse requests without it (`praatmee.origin`), so calling the public `execute-api`
address directly no longer walks around the WAF.

The value lives in Secrets Manager. CloudFront takes it through a CloudFormation dynamic reference
(`{{resolve:secretsmanager:…}}`, accepted in any resource property), which CloudFormation resolves when it
creates or updates the distribution, so a new value needs a deploy that changes the distribution: the
optional version id (`-c originSecretVersion=…`) is that change. Rotation, step by step: README, Deploy.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import names
from infra.concerns import acknowledge, allow
from praatmee.origin import HEADER


class OriginSecret(Construct):
    """The secret, the API's CloudFront origin that sends it, and read access for the functions that check."""

    def __init__(self, scope: Construct, id: str, *, api_domain: str, version_id: str | None = None) -> None:
        super().__init__(scope, id)
        self.secret = secretsmanager.Secret(
            self,
            "Secret",
            description="Praat mee: the header CloudFront sends to the API; requests without it are refused",
            # JSON, so a rotation can hold the previous value beside the current one.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - an empty JSON object
                generate_string_key="current",
                password_length=64,
                exclude_punctuation=True,
            ),
            removal_policy=cdk.RemovalPolicy.DESTROY,  # nothing depends on an old value once deleted
        )
        acknowledge(
            self.secret,
            "AwsSolutions-SMG4",
            "A new value reaches CloudFront only through a deploy (a dynamic reference): rotated by hand in "
            "two steps, the previous value accepted in between (README, Deploy)",
        )
        value = cdk.SecretValue.secrets_manager(
            self.secret.secret_arn, json_field="current", version_id=version_id
        )
        # The one origin of the API: the `/api/*` and `/organisatie/*` behaviours share it.
        self.api_origin = origins.HttpOrigin(
            api_domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            # A dynamic reference: CloudFormation resolves it; the value is never in the template.
            custom_headers={HEADER: value.unsafe_unwrap()},
        )

    def grant(self, function: lambda_.Function) -> None:
        """The function reads the secret (by ARN, at its first request) to check the header."""
        function.add_environment(names.ENV_ORIGIN_SECRET_ARN, self.secret.secret_arn)
        allow(function, ["secretsmanager:GetSecretValue"], [self.secret.secret_arn])
