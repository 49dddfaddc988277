"""The CDK app: `npx aws-cdk ... --app ".venv/bin/python -m infra.app"` (the Makefile's deploy target)."""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra import names
from infra.domains import DomainError
from infra.stack import build
from praatmee.edition import load_edition


def main() -> cdk.App:
    app = cdk.App(context=names.FEATURE_FLAGS)
    sender_domain = app.node.try_get_context(names.CTX_SENDER_DOMAIN)
    if not sender_domain:
        raise SystemExit(f"set the sender domain: -c {names.CTX_SENDER_DOMAIN}=example.org (see README)")
    if not all((names.SITE_DIR / page).exists() for page in ("index.html", "404.html")):
        raise SystemExit("build the site first: make site")
    concurrency = app.node.try_get_context(names.CTX_RESERVED_CONCURRENCY)
    try:
        build(
            app,
            edition=load_edition(),
            site_dir=names.SITE_DIR,
            sender_domain=sender_domain,
            sender_address=app.node.try_get_context(names.CTX_SENDER_ADDRESS),
            alarm_email=app.node.try_get_context(names.CTX_ALARM_EMAIL),
            reserved_concurrency=int(concurrency or names.DEFAULT_RESERVED_CONCURRENCY),
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=app.node.try_get_context(names.CTX_REGION),
            first_organiser=app.node.try_get_context(names.CTX_FIRST_ORGANISER),
            origin_secret_version=app.node.try_get_context(names.CTX_ORIGIN_SECRET_VERSION),
            api_domain=app.node.try_get_context(names.CTX_API_DOMAIN),
            api_certificate_arn=app.node.try_get_context(names.CTX_API_CERTIFICATE_ARN),
            site_domain=app.node.try_get_context(names.CTX_SITE_DOMAIN),
            site_certificate_arn=app.node.try_get_context(names.CTX_SITE_CERTIFICATE_ARN),
        )
    except DomainError as error:
        raise SystemExit(str(error)) from None
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()
    return app


if __name__ == "__main__":
    main()
