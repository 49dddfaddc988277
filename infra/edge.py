"""Code at CloudFront's edge on the site's (S3) behaviour only: `/page/` to `/page/index.html` (a CloudFront
Function at viewer request), and the site's Dutch 404 page (Lambda@Edge at origin response).

Why not CloudFront's custom error responses: they apply to the whole distribution, so the API's JSON 404 and
403 answers would turn into the site's page. Why not a CloudFront Function: on the response side it cannot
replace a body. The page is the built `site/404.html`, put beside the handler at synth time: no call to the
bucket at the edge, and every deploy of a changed page ships a new function version.

Lambda@Edge lives in us-east-1: `EdgeFunction` with `stack_id` puts it in the edge stack beside the WAF, and
reads its version ARN through an SSM parameter (a weak reference, so a new version does not block a deploy).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, IConstruct

from infra import names

HANDLER_FILE = Path(__file__).with_name("notfound_handler.py")

DIRECTORY_INDEX_JS = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  if (uri.lastIndexOf('.') <= uri.lastIndexOf('/')) {
    return {statusCode: 301, statusDescription: 'Moved Permanently', headers: {location: {value: uri + '/'}}};
  }
  return request;
}
"""


def _acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    # As concerns.acknowledge, which imports this module.
    acknowledgment = cdk.Acknowledgment(id=f"AwsSolutions::{finding}", reason=reason)
    cdk.Validations.of(construct).acknowledge(acknowledgment)


class NotFoundPage(Construct):
    def __init__(self, scope: Construct, id: str, *, site_dir: Path) -> None:
        super().__init__(scope, id)
        page = site_dir / "404.html"
        if not page.is_file():
            raise ValueError(f"{page} is missing: build the site first (make site)")
        asset = Path(tempfile.mkdtemp(prefix="praatmee-notfound-"))
        shutil.copyfile(HANDLER_FILE, asset / "notfound_handler.py")
        shutil.copyfile(page, asset / "404.html")
        self.function = cloudfront.experimental.EdgeFunction(
            self,
            "Function",
            stack_id=names.EDGE_STACK,
            description="Praat mee: the site's Dutch 404 page for pages S3 does not have",
            runtime=lambda_.Runtime.PYTHON_3_13,  # the newest Python Lambda@Edge runs
            handler="notfound_handler.handler",
            code=lambda_.Code.from_asset(str(asset)),
            memory_size=128,
            timeout=cdk.Duration.seconds(5),
        )
        self.edge_lambda = cloudfront.EdgeLambda(
            function_version=self.function.current_version,
            event_type=cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE,
        )
        why = "Lambda@Edge: Python 3.13 is the newest runtime it supports; logs go to each edge region"
        _acknowledge(self.function.lambda_, "AwsSolutions-L1", why)
        _acknowledge(
            self.function.lambda_.role or self.function.lambda_,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            why,
        )
