"""The API's own domain name (optional, `-c apiDomain=… -c apiCertificateArn=…`; README, "Only through
CloudFront"). With it CloudFront reaches the HTTP API by that name and the public `execute-api` address is
switched off, so a client that does not know the name cannot spend the stage's shared throttle."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_certificatemanager as acm
from constructs import Construct

from infra.domains import Domain


class ApiDomain(Construct):
    """The regional domain name with its certificate, mapped to the API's one stage."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        domain: Domain,
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
