"""The stacks: a thin composition of the concerns in `concerns.py`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra import alarms, bundling, concerns, domains, names, site
from infra.bundling import function_code
from infra.draw import Draw
from infra.edge import NotFoundPage
from infra.origin import OriginSecret
from infra.room import Room
from praatmee.edition import Edition


class EdgeStack(cdk.Stack):
    """The WAF web ACL of the distribution: CloudFront accepts only web ACLs made in us-east-1."""

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, description="Praat mee: WAF for the CloudFront distribution", **kwargs)

        def visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        def managed(priority: int, name: str) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name
                    )
                ),
                visibility_config=visibility(name),
            )

        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("PraatMee"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="RatePerIp",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            limit=names.WAF_RATE_LIMIT, aggregate_key_type="IP", evaluation_window_sec=300
                        )
                    ),
                    visibility_config=visibility("RatePerIp"),
                ),
                managed(1, "AWSManagedRulesAmazonIpReputationList"),
                managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
            ],
        )
        self.web_acl_arn = self.web_acl.attr_arn


class PraatMeeStack(cdk.Stack):
    """Site, API, data, exports, mail and alarms in the EU region."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        edition: Edition,
        site_dir: Path,
        web_acl_arn: str,
        sender_domain: str,
        sender_address: str,
        reserved_concurrency: int = names.DEFAULT_RESERVED_CONCURRENCY,
        alarm_email: str | None = None,
        first_organiser: str | None = None,
        origin_secret_version: str | None = None,
        api_domain_name: domains.Domain | None = None,
        site_domain_name: domains.Domain | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, description="Praat mee: site, registration API and exports", **kwargs)
        code = function_code()
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,  # the only encryption S3 server access logging accepts
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(names.ACCESS_LOG_EXPIRY_DAYS))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.data = concerns.Data(self, "Data", edition=edition)
        self.api = concerns.Api(
            self,
            "Api",
            code=code,
            data=self.data,
            reserved_concurrency=reserved_concurrency,
            domain=api_domain_name,
        )
        self.origin_secret = OriginSecret(
            self, "OriginSecret", api_domain=self.api.origin_domain, version_id=origin_secret_version
        )
        self.origin_secret.grant(self.api.function)
        self.site = site.Site(
            self,
            "Site",
            site_dir=site_dir,
            api_origin=self.origin_secret.api_origin,
            not_found=NotFoundPage(self, "NotFound", site_dir=site_dir).edge_lambda,
            web_acl_arn=web_acl_arn,
            access_logs=access_logs,
            domain=site_domain_name,
        )
        # No cycle: the distribution needs only the API's id, not its routes or the function.
        self.api.function.add_environment(names.ENV_SITE_ORIGIN, self.site.origin)
        self.exports = concerns.Exports(
            self, "Exports", code=code, data=self.data, edition=edition, access_logs=access_logs
        )
        self.mail = concerns.Mail(
            self,
            "Mail",
            code=code,
            data=self.data,
            edition=edition,
            sender_domain=sender_domain,
            sender_address=sender_address,
        )
        self.mail.function.add_environment(names.ENV_SITE_ORIGIN, self.site.origin)
        # The API sends the receipt, the guardian's request and the promoted person's mail at once.
        self.mail.grant_send(self.api.function)
        self.api.function.add_environment(names.ENV_SENDER_ADDRESS, sender_address)
        self.room = Room(
            self,
            "Room",
            code=function_code(bundling.ROOM),
            data=self.data,
            api=self.api,
            site=self.site,
            exports=self.exports,
            first_organiser=first_organiser,
        )
        # Organisers act for a person: the one-person marker's key, and the mails those actions send.
        room_function = self.room.function
        self.origin_secret.grant(room_function)
        hash_key = self.data.email_hash_key.secret_arn
        room_function.add_environment(names.ENV_EMAIL_HASH_KEY_SECRET, hash_key)
        concerns.allow(room_function, ["secretsmanager:GetSecretValue"], [hash_key])
        self.mail.grant_send(room_function)
        room_function.add_environment(names.ENV_SENDER_ADDRESS, sender_address)
        watched = {
            "Registration": self.api.function,
            "Export": self.exports.function,
            "Confirmations": self.mail.function,
            "Room": self.room.function,
        }
        # Only a draw edition gets the draw, on its own asset (the solver's wheels stay out of the API's).
        self.draw: Draw | None = None
        if edition.draw_moment is not None:
            self.draw = Draw(
                self,
                "Draw",
                code=function_code(bundling.DRAW),
                data=self.data,
                mail=self.mail,
                edition=edition,
                bucket=self.exports.bucket,
            )
            self.draw.function.add_environment(names.ENV_SITE_ORIGIN, self.site.origin)
            watched["Draw"] = self.draw.function
        self.alarms = alarms.Alarms(
            self,
            "Alarms",
            functions=watched,
            table=self.data.table,
            email=alarm_email,
        )
        self._acknowledge_cdk_providers()
        cdk.CfnOutput(self, "SiteUrl", value=self.site.origin)
        if site_domain_name:  # the target of the CNAME (or alias) the deployer makes for the site's own name
            cdk.CfnOutput(self, "SiteDomainTarget", value=self.site.distribution.distribution_domain_name)
        if self.api.domain:  # the target of the CNAME the deployer makes for the API's own domain
            cdk.CfnOutput(self, "ApiDomainTarget", value=self.api.domain.domain_name.regional_domain_name)
        else:  # public anyway; named so the deployed tests can check that it refuses direct calls
            cdk.CfnOutput(self, "ApiDirectUrl", value=self.api.http_api.api_endpoint)
        cdk.CfnOutput(self, "TableName", value=self.data.table.table_name)
        cdk.CfnOutput(self, "ExportBucket", value=self.exports.bucket.bucket_name)
        cdk.CfnOutput(self, "OrganiserRoleArn", value=self.exports.organiser_role.role_arn)
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.alarms.topic.topic_arn)
        cdk.CfnOutput(self, "OrganiserUserPoolId", value=self.room.user_pool.user_pool_id)
        if (
            self.draw is not None
        ):  # for `praatmee draw commit --aws --secret-arn` (an administrator's profile)
            cdk.CfnOutput(self, "DrawSecretArn", value=self.draw.secret.secret_arn)

    def _acknowledge_cdk_providers(self) -> None:
        """Findings on the functions CDK itself provides (site upload, meeting seed): not ours to shape."""
        basic_role = (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]"
        )
        for child in self.node.children:
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                why = "CDK's BucketDeployment provider, which copies the built site/ into the site bucket"
                site_objects = f"<{concerns.logical_id(self.site.bucket)}.Arn>/*"
                account = "<AWS::AccountId>" if cdk.Token.is_unresolved(self.account) else self.account
                assets = f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{account}-{self.region}/*"
                findings = [
                    "AwsSolutions-L1",
                    basic_role,
                    *(
                        f"AwsSolutions-IAM5[Action::{action}]"
                        for action in (
                            "s3:Abort*",
                            "s3:DeleteObject*",
                            "s3:GetBucket*",
                            "s3:GetObject*",
                            "s3:List*",
                        )
                    ),
                    "AwsSolutions-IAM5[Resource::*]",
                    f"AwsSolutions-IAM5[Resource::{site_objects}]",
                    f"AwsSolutions-IAM5[Resource::{assets}]",
                ]
                for finding in findings:
                    concerns.acknowledge(child, finding, why)
            elif child.node.id == "AWS679f53fac002430cb0da5b7982bd2287":
                why = "CDK's AwsCustomResource provider (meeting seed); our statements name only the table"
                concerns.acknowledge(child, basic_role, why)


def build(
    app: cdk.App, *, edition: Edition, site_dir: Path, sender_domain: str, **options: Any
) -> PraatMeeStack:
    """Both stacks in their regions; the main stack reads the web ACL's ARN across regions. Raises
    `DomainError` when a domain and its certificate do not go together."""
    account = options.pop("account", None)
    region = options.pop("region", None) or names.DEFAULT_REGION
    api = domains.from_context(
        options.pop("api_domain", None),
        options.pop("api_certificate_arn", None),
        region=region,
        keys=(names.CTX_API_DOMAIN, names.CTX_API_CERTIFICATE_ARN),
        use="the API's own domain",
    )
    site_domain = domains.from_context(
        options.pop("site_domain", None),
        options.pop("site_certificate_arn", None),
        region=names.EDGE_REGION,
        keys=(names.CTX_SITE_DOMAIN, names.CTX_SITE_CERTIFICATE_ARN),
        use="CloudFront",
    )
    edge = EdgeStack(
        app,
        names.EDGE_STACK,
        env=cdk.Environment(account=account, region=names.EDGE_REGION),
        cross_region_references=True,
    )
    return PraatMeeStack(
        app,
        names.STACK,
        env=cdk.Environment(account=account, region=region),
        cross_region_references=True,
        edition=edition,
        site_dir=site_dir,
        web_acl_arn=edge.web_acl_arn,
        sender_domain=sender_domain,
        sender_address=options.pop("sender_address", None) or f"aanmelden@{sender_domain}",
        api_domain_name=api,
        site_domain_name=site_domain,
        **options,
    )
