"""The site's own domain in the synthesised template (`-c siteDomain=… -c siteCertificateArn=…`): with both
values CloudFront answers to that name with that certificate and TLS 1.2 at least, and every function puts
that name in its links and checks form posts against it; without them nothing changes; one without the other,
or a certificate outside us-east-1, stops the app with a clear message."""

from __future__ import annotations

from typing import Any

import pytest

from infra import names
from infra.domains import DomainError
from tests.infra_synth import Synth, synthesize
from tests.infra_template import distribution_config, functions

DOMAIN = "praatmee.example.nl"
CERTIFICATE_ARN = (
    f"arn:aws:acm:{names.EDGE_REGION}:123456789012:certificate/1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6"
)


@pytest.fixture(scope="module")
def domain_synth() -> Synth:
    return synthesize(site_domain=DOMAIN, site_certificate_arn=CERTIFICATE_ARN)


def site_origins(synth: Synth) -> dict[str, Any]:
    """`PRAATMEE_SITE_ORIGIN` of every function that has it, by handler (a text, or a reference)."""
    return {
        handler: function["Properties"]["Environment"]["Variables"][names.ENV_SITE_ORIGIN]
        for handler, function in functions(synth).items()
        if names.ENV_SITE_ORIGIN in function["Properties"].get("Environment", {}).get("Variables", {})
    }


def test_cloudfront_answers_to_the_sites_name_with_its_certificate_and_tls_1_2(domain_synth: Synth) -> None:
    config = distribution_config(domain_synth)
    assert config["Aliases"] == [DOMAIN]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


def test_every_function_links_to_the_sites_name_and_checks_form_posts_against_it(domain_synth: Synth) -> None:
    # The API (form posts, mails), the room, and the daily mail job; the draw exists only in a draw edition
    origins = site_origins(domain_synth)
    assert {names.API_HANDLER, names.ROOM_HANDLER, names.CONFIRMATIONS_HANDLER} <= set(origins)
    assert set(origins.values()) == {f"https://{DOMAIN}"}


def test_the_outputs_give_the_sites_address_and_the_cname_target(domain_synth: Synth) -> None:
    outputs = domain_synth.main_json["Outputs"]
    assert outputs["SiteUrl"]["Value"] == f"https://{DOMAIN}"
    [distribution_id] = domain_synth.resources("AWS::CloudFront::Distribution")
    assert outputs["SiteDomainTarget"]["Value"] == {"Fn::GetAtt": [distribution_id, "DomainName"]}


def test_the_domain_passes_cdk_nag_without_the_tls_acknowledgment(domain_synth: Synth) -> None:
    assert domain_synth.validation_error is None, domain_synth.validation_error
    [distribution] = domain_synth.resources("AWS::CloudFront::Distribution").values()
    reasons = distribution.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    assert "AwsSolutions-CFR4" not in {reason["id"] for reason in reasons}


def test_without_the_context_the_site_keeps_its_cloudfront_address(synth: Synth) -> None:
    """A guard for the default deploy: it passed before the domain existed and must keep passing."""
    config = distribution_config(synth)
    assert "Aliases" not in config
    assert "AcmCertificateArn" not in config.get("ViewerCertificate", {})  # CloudFront's default one
    [distribution_id] = synth.resources("AWS::CloudFront::Distribution")
    cloudfront_address = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    assert all(value == cloudfront_address for value in site_origins(synth).values())
    assert "SiteDomainTarget" not in synth.main_json["Outputs"]


@pytest.mark.parametrize(
    "context",
    [{"site_domain": DOMAIN}, {"site_certificate_arn": CERTIFICATE_ARN}],
    ids=["name", "certificate"],
)
def test_one_value_without_the_other_stops_the_synth(context: dict[str, str]) -> None:
    with pytest.raises(DomainError, match="set both") as stopped:
        synthesize(**context)
    assert names.CTX_SITE_DOMAIN in str(stopped.value)
    assert names.CTX_SITE_CERTIFICATE_ARN in str(stopped.value)


def test_a_certificate_outside_us_east_1_stops_the_synth() -> None:
    # The API's region is the common slip: CloudFront takes certificates from us-east-1 only
    arn = CERTIFICATE_ARN.replace(names.EDGE_REGION, names.DEFAULT_REGION)
    with pytest.raises(DomainError, match=f"ACM certificate in {names.EDGE_REGION}"):
        synthesize(site_domain=DOMAIN, site_certificate_arn=arn)
