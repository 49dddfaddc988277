"""Names shared by the CDK app and its tests: one place, so a rename cannot drift between them."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO / "functions" / "praatmee"
PYPROJECT = REPO / "pyproject.toml"
SITE_DIR = REPO / "site"

# Stacks and regions. The WAF web ACL of a CloudFront distribution must live in us-east-1; personal data
# stays in the EU region of the main stack.
STACK = "PraatMee"
EDGE_STACK = "PraatMeeEdge"
DEFAULT_REGION = "eu-central-1"
EDGE_REGION = "us-east-1"

# Context values (`cdk deploy -c name=value`).
CTX_SENDER_DOMAIN = "senderDomain"
CTX_SENDER_ADDRESS = "senderAddress"
CTX_REGION = "region"
CTX_ALARM_EMAIL = "alarmEmail"
CTX_RESERVED_CONCURRENCY = "reservedConcurrency"
# The API's own domain and its regional ACM certificate: both or neither (infra/api_domain.py).
CTX_API_DOMAIN = "apiDomain"
CTX_API_CERTIFICATE_ARN = "apiCertificateArn"
# The site's own domain (optional): a certificate in us-east-1 (EDGE_REGION), where CloudFront reads them.
CTX_SITE_DOMAIN = "siteDomain"
CTX_SITE_CERTIFICATE_ARN = "siteCertificateArn"

# The Lambda platform: the bundler installs wheels for exactly this interpreter and architecture.
PYTHON_VERSION = "3.14"
PIP_PLATFORM = "manylinux2014_aarch64"
# The draw's solver: the current highspy and numpy wheels for CPython 3.14 on aarch64 are tagged glibc 2.28
# only (Lambda's Amazon Linux 2023 has glibc 2.34), so the draw's requirement set also allows this tag.
DRAW_PIP_PLATFORMS = ("manylinux_2_28_aarch64",)

# Entry points into the one package.
API_HANDLER = "praatmee.api.lambda_handler"
EXPORT_HANDLER = "praatmee.exports.lambda_handler"
CONFIRMATIONS_HANDLER = "praatmee.daily.confirmations_handler"
DRAW_HANDLER = "praatmee.draw.lambda_handler"

# Environment variables the functions read (praatmee.settings reads the PRAATMEE_ prefix).
ENV_TABLE_NAME = "PRAATMEE_TABLE_NAME"
ENV_SITE_ORIGIN = "PRAATMEE_SITE_ORIGIN"
# The e-mail hash key is not in the environment: the function reads the secret named here at cold start.
ENV_EMAIL_HASH_KEY_SECRET = "PRAATMEE_EMAIL_HASH_KEY_SECRET_ARN"  # noqa: S105 - a name, not a secret
# Likewise the draw secret (the seed of the draw).
ENV_DRAW_SECRET = "PRAATMEE_DRAW_SECRET_ARN"  # noqa: S105 - a name, not a secret
# The secret CloudFront's origin header holds (praatmee.origin checks it; infra/origin.py).
ENV_ORIGIN_SECRET_ARN = "PRAATMEE_ORIGIN_SECRET_ARN"  # noqa: S105 - a name, not a secret
CTX_ORIGIN_SECRET_VERSION = "originSecretVersion"  # noqa: S105 - a rotation's new version id (README, Deploy)
ENV_EXPORT_BUCKET = "PRAATMEE_EXPORT_BUCKET"
ENV_SENDER_ADDRESS = "PRAATMEE_SENDER_ADDRESS"
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
LOG_LEVEL = "LOG_LEVEL"
# Matches praatmee.METRICS_NAMESPACE.
METRICS_NAMESPACE = "Praatmee"

API_PATH_PATTERN = "/api/*"
EXPORT_PREFIX = "exports/"
BUNDLE_PREFIX = "exports/loting/"  # the draw's bundles (praatmee.bundle.FOLDER); organisers read exports/
EXPORT_EXPIRY_DAYS = 30
ACCESS_LOG_EXPIRY_DAYS = 90
LOG_RETENTION_DAYS = 30
# Requests per 5 minutes per client IP before WAF blocks (the minimum WAF allows is 10).
WAF_RATE_LIMIT = 300
API_RATE_LIMIT = 50  # requests per second, steady, for the whole HTTP API stage
API_BURST_LIMIT = 100
DEFAULT_RESERVED_CONCURRENCY = 20

# The site has no inline scripts or styles, so the policy needs no hashes and no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HSTS_SECONDS = 63_072_000  # two years

# CDK feature flags the app relies on (the app and the tests create their App with these).
FEATURE_FLAGS = {
    # Server access logs are delivered through a bucket policy, so the log bucket keeps ACLs disabled.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # The main stack reads the web ACL's ARN from the edge stack; keep the producer protected.
    "@aws-cdk/core:defaultCrossStackReferences": "strong",
}

# The organisers' room: a function of its own behind `/organisatie/*` (pages) and `/api/organisatie/*`.
ROOM_HANDLER = "praatmee.room.lambda_handler"
ROOM_PATH_PATTERN = "/organisatie/*"  # not `/organisatie*`: that would take the site's `/organisaties/` too
ROOM_API_PREFIX = "/api/organisatie"
ENV_USER_POOL_ID = "PRAATMEE_USER_POOL_ID"
ENV_USER_POOL_CLIENT_ID = "PRAATMEE_USER_POOL_CLIENT_ID"
# The first organiser's e-mail address (`-c firstOrganiser=…`); Cognito mails them a temporary password.
CTX_FIRST_ORGANISER = "firstOrganiser"
# ID tokens live an hour and are renewed from the refresh token, which ends the session after a working day.
ROOM_TOKEN_MINUTES = 60
ROOM_SESSION_HOURS = 8
