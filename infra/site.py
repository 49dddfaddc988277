"""The site's concern: the bucket with the built site, CloudFront in front of it (and of the API), and the
upload of the site with its cache lifetimes. A module of its own beside `concerns.py`, in the same style."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra import names
from infra.concerns import acknowledge, private_bucket
from infra.domains import Domain
from infra.edge import DIRECTORY_INDEX_JS
from praatmee import caching


def security_headers(content_security_policy: str) -> cloudfront.ResponseSecurityHeadersBehavior:
    """The security headers of every answer CloudFront gives; only the content security policy differs (the
    room's pages have their own)."""
    return cloudfront.ResponseSecurityHeadersBehavior(
        content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
            content_security_policy=content_security_policy, override=True
        ),
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=cdk.Duration.seconds(names.HSTS_SECONDS),
            include_subdomains=True,
            override=True,
        ),
        content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
        frame_options=cloudfront.ResponseHeadersFrameOptions(
            frame_option=cloudfront.HeadersFrameOption.DENY, override=True
        ),
        # Not no-referrer: browsers then send `Origin: null` on form posts, which the API refuses.
        referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
            referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True
        ),
    )


class Site(Construct):
    """The private site bucket behind CloudFront (OAC), strict headers, and `/api/*` on the same domain."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        site_dir: Path,
        api_origin: cloudfront.IOrigin,
        not_found: cloudfront.EdgeLambda,
        web_acl_arn: str,
        access_logs: s3.IBucket,
        domain: Domain | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.api_origin = api_origin
        self.bucket = private_bucket(
            self,
            access_logs,
            "site/",
            # Rebuilt from the repository by every deploy: nothing in it to keep.
            removal_policy=cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment="Praat mee: strict security headers",
            security_headers_behavior=security_headers(names.CONTENT_SECURITY_POLICY),
        )
        directory_index = cloudfront.Function(
            self,
            "DirectoryIndex",
            comment="Praat mee: /page/ -> /page/index.html",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(DIRECTORY_INDEX_JS),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Praat mee",
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            web_acl_id=web_acl_arn,
            **self._own_name(domain),
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=directory_index, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
                edge_lambdas=[not_found],  # the site's Dutch 404 page (infra/edge.py)
            ),
            additional_behaviors={
                names.API_PATH_PATTERN: cloudfront.BehaviorOptions(
                    origin=api_origin,  # sends the secret origin header (infra/origin.py)
                    # A redirect would drop the body of a POST: plain HTTP gets a 403 instead.
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=self.headers,
                )
            },
        )
        # What the functions put in links and compare a form post's Origin with: the name people use.
        self.origin = f"https://{domain.name if domain else self.distribution.distribution_domain_name}"
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "A national consultation: Dutch participants may be abroad; geo blocking is no security control",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR3",
            "No CloudFront access logs on purpose: they hold every visitor's IP address (personal data). "
            "WAF metrics and the API's access logs without IPs cover operations",
        )
        if domain is None:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR4",
                "The default *.cloudfront.net certificate fixes the minimum TLS policy; the site's own "
                "domain (siteDomain, README) sets TLSv1.2_2021",
            )
        # One upload per Cache-Control of `praatmee.caching` (an upload sets one value for all its files).
        # Each takes only its own files, and pruning leaves the others' files alone; the pages' upload
        # invalidates the distribution.
        source = s3deploy.Source.asset(str(site_dir))
        uploads = {
            "DeployFingerprinted": ((["*"], list(caching.FINGERPRINTED_FILES)), caching.FINGERPRINTED),
            "DeployAssets": (([*caching.FINGERPRINTED_FILES, *caching.PAGE_FILES], []), caching.ASSET),
            "Deploy": ((["*"], list(caching.PAGE_FILES)), caching.PAGE),
        }
        for name, ((exclude, include), value) in uploads.items():
            pages = name == "Deploy"
            s3deploy.BucketDeployment(
                self,
                name,
                sources=[source],
                destination_bucket=self.bucket,
                exclude=exclude,
                include=include,
                cache_control=[s3deploy.CacheControl.from_string(value)],
                distribution=self.distribution if pages else None,
                distribution_paths=["/*"] if pages else None,
                prune=name != "DeployFingerprinted",  # a page kept 5 min may still name last deploy's CSS
                memory_limit=256,
            )

    def _own_name(self, domain: Domain | None) -> dict[str, Any]:
        """The site's own name (optional, README), the address people see in the mails and the browser: the
        alias, its certificate (us-east-1) and TLS 1.2 at least. None: CloudFront's own name and certificate.
        """
        if domain is None:
            return {}
        return {
            "domain_names": [domain.name],
            "certificate": acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn),
            "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }
