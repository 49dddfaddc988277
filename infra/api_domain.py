"""The API's own domain name (optional, `-c apiDomain=… -c apiCertificateArn=…`; README, "Only through
CloudFront"). With it CloudFront reaches the HTTP API by that name and the public `execute-api` address is
switched off, so a client that does not know the name cannot spend the stage's shared throttle."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_certificatemanager as acm
from constructs import Construct

from infra import names


class ApiDomainError(ValueError):
    """The two context values do not make one usable domain; the app stops with this message."""


@dataclass(frozen=True)
class ApiDomainName:
    name: str
    certificate_arn: str


def from_context(name: str | None, certificate_arn: str | None, *, region: str) -> ApiDomainName | None:
    """Both values or neither; the certificate must be an ACM certificate in the API's region."""
    if not name and not certificate_arn:
        return None
    if not name or not certificate_arn:
        raise ApiDomainError(
            f"set both -c {names.CTX_API_DOMAIN}=… and -c {names.CTX_API_CERTIFICATE_ARN}=… for the API's "
            "own domain, or neither (see README, Only through CloudFront)"
        )
    parts = certificate_arn.split(":")
    if len(parts) < 6 or parts[2] != "acm" or parts[3] != region:
        raise ApiDomainError(
            f"{names.CTX_API_CERTIFICATE_ARN} must be an ACM certificate in {region}, the API's region "
            f"(a regional API domain cannot use one from another region): {certificate_arn}"
        )
    return ApiDomainName(name=name, certificate_arn=certificate_arn)


class ApiDomain(Construct):
    """The regional domain name with its certificate, mapped to the API's one stage."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        domain: ApiDomainName,
        http_api: apigw.HttpApi,
        stage: apigw.HttpStage,
    ) -> None:
        super().__init__(scope, id)
        self.domain_name = apigw.DomainName(
            self,
            "Name",
            domain_name=domain.name,
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn),
            security_policy=apigw.SecurityPolicy.TLS_1_2,
        )
        apigw.ApiMapping(self, "Mapping", api=http_api, domain_name=self.domain_name, stage=stage)
