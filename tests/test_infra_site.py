"""The synthesised template serves the site as promised: a private bucket behind CloudFront, strict headers,
directory URLs, the upload, and cache lifetimes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match

from infra import names
from praatmee import caching
from tests.infra_synth import Synth
from tests.infra_template import (
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    assert_private_encrypted_tls_only,
    distribution_config,
    one,
    ref_id,
)


def test_site_bucket_is_private_and_read_by_cloudfront_through_origin_access_control(synth: Synth) -> None:
    config = distribution_config(synth)
    s3_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    bucket_id = ref_id(s3_origin["DomainName"])
    assert_private_encrypted_tls_only(synth, bucket_id)
    assert "OriginAccessControlId" in s3_origin
    synth.main.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"OriginAccessControlOriginType": "s3"})},
    )
    synth.main.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "s3:GetObject",
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Condition": {"StringEquals": {"AWS:SourceArn": Match.any_value()}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_site_is_https_only_with_the_web_acl(synth: Synth) -> None:
    config = distribution_config(synth)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert all(b["ViewerProtocolPolicy"] == "https-only" for b in config["CacheBehaviors"])
    assert config["DefaultRootObject"] == "index.html"
    assert "WebACLId" in config


def test_site_is_compressed_by_cloudfront_and_the_api_is_not(synth: Synth) -> None:
    # The rule the local server copies (praatmee.laptop.compress): the site's behaviour compresses with a
    # policy that allows it; with CachingDisabled (the API, the room) CloudFront compresses nothing.
    config = distribution_config(synth)
    assert config["DefaultCacheBehavior"]["Compress"] is True
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_OPTIMIZED
    assert {b["CachePolicyId"] for b in config["CacheBehaviors"]} == {CACHING_DISABLED}


def test_security_headers_have_long_hsts_a_strict_csp_nosniff_and_a_referrer_policy(synth: Synth) -> None:
    # The site's policy; the room's differs only in form-action (tests/test_infra_room.py)
    policy = next(
        p
        for i, p in synth.resources("AWS::CloudFront::ResponseHeadersPolicy").items()
        if i.startswith("Site")
    )
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["StrictTransportSecurity"]["Override"] is True
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "same-origin"
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    config = distribution_config(synth)
    policy_id = {
        "Ref": next(
            i for i in synth.resources("AWS::CloudFront::ResponseHeadersPolicy") if i.startswith("Site")
        )
    }
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    behaviours = [b for b in behaviours if b.get("PathPattern") != names.ROOM_PATH_PATTERN]
    assert all(b["ResponseHeadersPolicyId"] == policy_id for b in behaviours)


def built_pages() -> list[Path]:
    pages = sorted(names.SITE_DIR.rglob("*.html"))
    if not pages:
        pytest.skip("site/ is not built (make site)")
    return pages


def test_built_site_needs_nothing_the_csp_forbids() -> None:
    for page in built_pages():
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script in {page}"
        assert "<style" not in html, f"inline style element in {page}"
        assert not re.search(r"\sstyle=", html), f"style attribute in {page}"
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler in {page}"
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html), (
            f"third party in {page}"
        )


@pytest.fixture(scope="module")
def directory_index(synth: Synth) -> str:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    _, function = one(synth, "AWS::CloudFront::Function")
    code: str = function["Properties"]["FunctionCode"]
    return code


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("/", "/index.html"),
        ("/doel/", "/doel/index.html"),
        ("/doel", "301 /doel/"),
        ("/assets/stylesheets/main.css", "/assets/stylesheets/main.css"),
        ("/sitemap.xml", "/sitemap.xml"),
    ],
)
def test_directory_urls_are_served_by_the_viewer_request_function(
    directory_index: str, uri: str, expected: str
) -> None:
    script = (
        directory_index
        + "\nvar r = handler({request: {uri: "
        + json.dumps(uri)
        + "}});\n"
        + "console.log(r.statusCode ? r.statusCode + ' ' + r.headers.location.value : r.uri);\n"
    )
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout.strip()
    assert out == expected


def test_directory_index_runs_on_requests_for_the_site(synth: Synth) -> None:
    association = distribution_config(synth)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert [a["EventType"] for a in association] == ["viewer-request"]


def test_built_site_is_uploaded_with_invalidation(synth: Synth) -> None:
    synth.main.has_resource_properties(
        "Custom::CDKBucketDeployment",
        {"DistributionPaths": ["/*"], "Prune": True, "DistributionId": Match.any_value()},
    )


def test_fingerprinted_assets_are_kept_a_year_assets_an_hour_and_pages_five_minutes(synth: Synth) -> None:
    # Given the site's uploads (each sets the Cache-Control of its files)
    uploads = synth.main.find_resources("Custom::CDKBucketDeployment")
    by_value = {u["Properties"]["SystemMetadata"]["cache-control"]: u["Properties"] for u in uploads.values()}

    # Then Material's hashed files live a year, our own assets an hour, pages five minutes (and invalidate)
    assert set(by_value) == {caching.FINGERPRINTED, caching.ASSET, caching.PAGE}
    assert by_value[caching.FINGERPRINTED]["Include"] == ["assets/stylesheets/*", "assets/javascripts/*"]
    assert by_value[caching.PAGE]["Include"] == ["*.html"]
    assert by_value[caching.PAGE]["DistributionPaths"] == ["/*"]
    # And hashed files of earlier deploys stay: a page still in a browser's cache may name them
    assert by_value[caching.FINGERPRINTED]["Prune"] is False
    assert by_value[caching.PAGE]["Prune"] is True
    # And every file is in exactly one upload
    for path, expected in [
        ("assets/stylesheets/main.57a0d79d.min.css", caching.FINGERPRINTED),
        ("assets/praatmee.css", caching.ASSET),
        ("bijeenkomsten/index.html", caching.PAGE),
        ("sitemap.xml", caching.ASSET),
    ]:
        taking = [value for value, upload in by_value.items() if uploaded(upload, path)]
        assert taking == [expected], path


def uploaded(upload: dict[str, Any], path: str) -> bool:
    """Whether an upload's filters take `path`, as `aws s3 sync` reads them: the last matching filter wins."""
    from fnmatch import fnmatchcase

    taken = True
    filters = [("exclude", p) for p in upload.get("Exclude", [])]
    filters += [("include", p) for p in upload.get("Include", [])]
    for kind, pattern in filters:
        if fnmatchcase(path, pattern):
            taken = kind == "include"
    return taken
