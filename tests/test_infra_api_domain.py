"""The API's own domain in the synthesised template (`-c apiDomain=… -c apiCertificateArn=…`): with both
values the HTTP API gets a regional domain name with that certificate, mapped to its one stage, its public
`execute-api` address is switched off and CloudFront reaches it by the new name; without them the template
stays as it was; one without the other stops the app with a clear message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

import infra.app
from infra import names
from infra.domains import DomainError
from praatmee import origin
from tests.infra_synth import Synth, synthesize
from tests.infra_template import one, properties
from tests.test_infra_security import CFN_LINT_IGNORED

DOMAIN = "k3f9q2.api.example.nl"
CERTIFICATE_ARN = (
    f"arn:aws:acm:{names.DEFAULT_REGION}:123456789012:certificate/0c9e2f6a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
)


@pytest.fixture(scope="module")
def domain_synth() -> Synth:
    return synthesize(api_domain=DOMAIN, api_certificate_arn=CERTIFICATE_ARN)


def api_origins(synth: Synth) -> list[dict[str, Any]]:
    """The origins CloudFront sends `/api/*` and `/organisatie/*` to."""
    [distribution] = synth.resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    found = []
    for pattern in (names.API_PATH_PATTERN, names.ROOM_PATH_PATTERN):
        (behaviour,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == pattern]
        found.append(next(o for o in config["Origins"] if o["Id"] == behaviour["TargetOriginId"]))
    return found


def test_the_domain_has_the_given_regional_certificate_and_tls_1_2(domain_synth: Synth) -> None:
    domain = properties(domain_synth, "AWS::ApiGatewayV2::DomainName")
    assert domain["DomainName"] == DOMAIN
    [configuration] = domain["DomainNameConfigurations"]
    assert configuration == {
        "CertificateArn": CERTIFICATE_ARN,
        "EndpointType": "REGIONAL",
        "SecurityPolicy": "TLS_1_2",
    }


def test_the_domain_is_mapped_to_the_apis_one_stage(domain_synth: Synth) -> None:
    domain_id, _ = one(domain_synth, "AWS::ApiGatewayV2::DomainName")
    api_id, _ = one(domain_synth, "AWS::ApiGatewayV2::Api")
    stage = properties(domain_synth, "AWS::ApiGatewayV2::Stage")
    mapping = properties(domain_synth, "AWS::ApiGatewayV2::ApiMapping")
    assert mapping["ApiId"] == {"Ref": api_id}
    assert mapping["DomainName"] == {"Ref": domain_id}
    assert mapping["Stage"] == stage["StageName"] == "$default"
    assert "ApiMappingKey" not in mapping  # the whole API at the root: CloudFront keeps the /api/... paths


def test_the_execute_api_address_is_switched_off(domain_synth: Synth) -> None:
    api = properties(domain_synth, "AWS::ApiGatewayV2::Api")
    assert api["DisableExecuteApiEndpoint"] is True


def test_cloudfront_reaches_the_api_and_the_room_by_the_domain_with_the_secret_header(
    domain_synth: Synth,
) -> None:
    domain_id, _ = one(domain_synth, "AWS::ApiGatewayV2::DomainName")
    for target in api_origins(domain_synth):
        assert target["DomainName"] == {"Ref": domain_id}  # the Ref of a domain name is the name
        assert "execute-api" not in json.dumps(target)
        assert target["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
        [header] = target["OriginCustomHeaders"]
        assert header["HeaderName"] == origin.HEADER


def test_the_outputs_give_the_cname_target_and_no_direct_url(domain_synth: Synth) -> None:
    domain_id, _ = one(domain_synth, "AWS::ApiGatewayV2::DomainName")
    outputs = domain_synth.main_json["Outputs"]
    assert outputs["ApiDomainTarget"]["Value"] == {"Fn::GetAtt": [domain_id, "RegionalDomainName"]}
    assert "ApiDirectUrl" not in outputs


def test_the_domain_passes_cdk_nag_and_cfn_lint(domain_synth: Synth) -> None:
    assert domain_synth.validation_error is None, domain_synth.validation_error
    template = domain_synth.outdir / f"{names.STACK}.template.json"
    matches = lint_file(template, config=ManualArgs(regions=[names.DEFAULT_REGION]))
    findings = [f"{m.rule.id} {m.message}" for m in matches if m.rule.id not in CFN_LINT_IGNORED]
    assert not findings, "\n".join(findings)


def test_without_the_context_the_api_keeps_its_execute_api_address(synth: Synth) -> None:
    """A guard for the default deploy: it passed before the domain existed and must keep passing."""
    assert synth.resources("AWS::ApiGatewayV2::DomainName") == {}
    assert synth.resources("AWS::ApiGatewayV2::ApiMapping") == {}
    api = properties(synth, "AWS::ApiGatewayV2::Api")
    assert "DisableExecuteApiEndpoint" not in api
    for target in api_origins(synth):
        assert "execute-api" in json.dumps(target["DomainName"])
    outputs = synth.main_json["Outputs"]
    assert "ApiDirectUrl" in outputs
    assert "ApiDomainTarget" not in outputs


@pytest.mark.parametrize(
    "context", [{"api_domain": DOMAIN}, {"api_certificate_arn": CERTIFICATE_ARN}], ids=["name", "certificate"]
)
def test_one_value_without_the_other_stops_the_synth(context: dict[str, str]) -> None:
    with pytest.raises(DomainError, match="set both") as stopped:
        synthesize(**context)
    assert names.CTX_API_DOMAIN in str(stopped.value)
    assert names.CTX_API_CERTIFICATE_ARN in str(stopped.value)


@pytest.mark.parametrize(
    "arn",
    [
        CERTIFICATE_ARN.replace(names.DEFAULT_REGION, names.EDGE_REGION),  # CloudFront's kind, a common slip
        "arn:aws:iam::123456789012:server-certificate/api",
        "k3f9q2-certificate",
    ],
)
def test_a_certificate_outside_the_apis_region_stops_the_synth(arn: str) -> None:
    with pytest.raises(DomainError, match=f"ACM certificate in {names.DEFAULT_REGION}"):
        synthesize(api_domain=DOMAIN, api_certificate_arn=arn)


def test_the_app_stops_with_the_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given the app's context with the domain but no certificate, and a built site
    for page in ("index.html", "404.html"):
        (tmp_path / page).write_text("<!doctype html>\n")
    monkeypatch.setattr(names, "SITE_DIR", tmp_path)
    given = {names.CTX_SENDER_DOMAIN: "example.org", names.CTX_API_DOMAIN: DOMAIN}
    app_class = cdk.App
    monkeypatch.setattr(cdk, "App", lambda context=None: app_class(context={**(context or {}), **given}))
    # When the app runs, Then it exits with the English message
    with pytest.raises(SystemExit, match="set both") as stopped:
        infra.app.main()
    assert names.CTX_API_CERTIFICATE_ARN in str(stopped.value)
