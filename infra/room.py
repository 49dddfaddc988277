"""The organisers' room's concern: the Cognito user pool (admin-created organisers, MFA with an app, a strong
password policy), its app client (admin sign-in only, no secret), the group, an optional first organiser, and
the room's function behind `/organisatie/*` and `/api/organisatie/*` on the same CloudFront domain.

A module of its own beside `concerns.py`, in the same style. The function checks the session on every route
but the sign-in's (tests enumerate the routes); API Gateway sends only these paths to it.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import names
from infra.concerns import Api, Data, Exports, acknowledge, allow, logical_id, python_function
from infra.site import Site, security_headers
from praatmee.organisers import GROUP

# The room reads the registrations for its counts and exports (Scan, as the export does), the venue details
# (GetItem, BatchGetItem) and the audit trail (Query), and writes venue details and audit entries (PutItem).
# Acting for a person writes what a sign-up and a cancellation write (UpdateItem, DeleteItem and
# ConditionCheckItem, in transactions).
ROOM_TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
]
# The server-side sign-in: AssociateSoftwareToken and VerifySoftwareToken are authorised by Cognito's own
# session and need no IAM action.
ROOM_COGNITO_ACTIONS = [
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminRespondToAuthChallenge",
    "cognito-idp:AdminSetUserMFAPreference",
    "cognito-idp:AdminUserGlobalSignOut",
]
INVITATION_SUBJECT = "Je account voor de organisatie van Praat mee"
INVITATION_BODY = (
    "Je bent toegevoegd als organisator van Praat mee. Log in op de organisatiepagina met je e-mailadres "
    "{username} en dit tijdelijke wachtwoord: {####} . Daarna kies je een eigen wachtwoord en stel je een "
    "app voor inlogcodes in."
)


class Room(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        code: lambda_.Code,
        data: Data,
        api: Api,
        site: Site,
        exports: Exports,
        first_organiser: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self,
            "Organisers",
            user_pool_name="praatmee-organisers",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.NONE,
            user_invitation=cognito.UserInvitationConfig(
                email_subject=INVITATION_SUBJECT, email_body=INVITATION_BODY
            ),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG8",
            "The Plus plan adds threat protection at a price per user; see COG3 for why the Essentials plan "
            "with MFA required suits a handful of admin-created organisers",
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG3",
            "Threat protection needs the Plus plan; a handful of admin-created organisers sign in with a 14-"
            "character password and a TOTP app, and Cognito's own lockout slows guessing",
        )
        self.client = self.user_pool.add_client(
            "Room",
            user_pool_client_name="praatmee-room",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(admin_user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=cdk.Duration.minutes(names.ROOM_TOKEN_MINUTES),
            access_token_validity=cdk.Duration.minutes(names.ROOM_TOKEN_MINUTES),
            refresh_token_validity=cdk.Duration.hours(names.ROOM_SESSION_HOURS),
            auth_session_validity=cdk.Duration.minutes(5),
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, email_verified=True
            ),
            write_attributes=cognito.ClientAttributes(),
        )
        cognito.CfnUserPoolGroup(
            self,
            "Group",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=GROUP,
            description="Praat mee: organisers, who may open the room",
        )
        if first_organiser:
            user = cognito.CfnUserPoolUser(
                self,
                "FirstOrganiser",
                user_pool_id=self.user_pool.user_pool_id,
                username=first_organiser,
                user_attributes=[
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email", value=first_organiser),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="email_verified", value="true"),
                ],
                desired_delivery_mediums=["EMAIL"],
            )
            attachment = cognito.CfnUserPoolUserToGroupAttachment(
                self,
                "FirstOrganiserInGroup",
                user_pool_id=self.user_pool.user_pool_id,
                username=first_organiser,
                group_name=GROUP,
            )
            attachment.add_dependency(user)

        self.function = python_function(
            self,
            "Function",
            code=code,
            handler=names.ROOM_HANDLER,
            service="praatmee-room",
            description="the organisers' room",
            timeout_seconds=29,  # an export made on request must end within API Gateway's limit
            memory_size=1024,
            environment={
                names.ENV_TABLE_NAME: data.table.table_name,
                names.ENV_EXPORT_BUCKET: exports.bucket.bucket_name,
                names.ENV_SITE_ORIGIN: site.origin,
                names.ENV_USER_POOL_ID: self.user_pool.user_pool_id,
                names.ENV_USER_POOL_CLIENT_ID: self.client.user_pool_client_id,
            },
        )
        allow(self.function, ROOM_TABLE_ACTIONS, [data.table.table_arn])
        exports_objects = exports.bucket.arn_for_objects(f"{names.EXPORT_PREFIX}*")
        allow(self.function, ["s3:PutObject", "s3:GetObject"], [exports_objects])
        allow(
            self.function,
            ["s3:ListBucket"],
            [exports.bucket.bucket_arn],
            StringLike={"s3:prefix": [f"{names.EXPORT_PREFIX}*"]},
        )
        allow(self.function, ROOM_COGNITO_ACTIONS, [self.user_pool.user_pool_arn])
        acknowledge(
            self.function.role or self.function,
            f"AwsSolutions-IAM5[Resource::<{logical_id(exports.bucket)}.Arn>/{names.EXPORT_PREFIX}*]",
            "Makes exports and signs download links for them: objects whose keys are made at run time, only "
            "under the export prefix",
        )

        integration = integrations.HttpLambdaIntegration("Room", self.function)
        for path in (
            names.ROOM_API_PREFIX,
            f"{names.ROOM_API_PREFIX}/{{proxy+}}",
            "/organisatie",
            "/organisatie/{proxy+}",
        ):
            api.http_api.add_routes(path=path, methods=[apigw.HttpMethod.ANY], integration=integration)

        # The room's pages post a download to the API, which answers with a redirect to the export bucket:
        # their form-action must allow the bucket's regional origin, nothing else is wider than the site's.
        bucket_origin = f"https://{exports.bucket.bucket_regional_domain_name}"
        policy = names.CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {bucket_origin}"
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment="Praat mee: the room's security headers",
            security_headers_behavior=security_headers(policy),
        )
        site.distribution.add_behavior(
            names.ROOM_PATH_PATTERN,
            site.api_origin,  # the API's one origin, with the secret origin header
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers,
        )
