"""The site's Dutch 404 page on AWS: the Lambda@Edge handler at origin response on the site's behaviour
(issue 15). S3's 403 and 404 become the site's 404 page; every other answer passes untouched."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from infra import notfound_handler

PAGE = '<!doctype html><html lang="nl"><title>Pagina niet gevonden</title><h1>Deze pagina bestaat niet</h1>'


@pytest.fixture(autouse=True)
def built_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The built 404.html beside the handler, as the asset ships it."""
    page = tmp_path / "404.html"
    page.write_text(PAGE, encoding="utf-8")
    monkeypatch.setattr(notfound_handler, "PAGE_FILE", page)
    notfound_handler.page.cache_clear()


def origin_response(status: str, **headers: str) -> dict[str, Any]:
    """A CloudFront origin-response event, as S3 answered."""
    return {
        "Records": [
            {
                "cf": {
                    "config": {"distributionId": "EDFDVBD6EXAMPLE", "eventType": "origin-response"},
                    "request": {"method": "GET", "uri": "/bestaat-niet/index.html", "headers": {}},
                    "response": {
                        "status": status,
                        "statusDescription": "whatever S3 said",
                        "headers": {
                            name.lower(): [{"key": name, "value": value}] for name, value in headers.items()
                        },
                    },
                }
            }
        ]
    }


@pytest.mark.parametrize("status", ["403", "404"])
def test_a_page_s3_does_not_have_gets_the_sites_dutch_404_page_with_a_short_cache_life(status: str) -> None:
    # Given S3's XML error for a missing key (403: CloudFront may not list the bucket)
    event = origin_response(status, **{"Content-Type": "application/xml", "Content-Length": "243"})
    # When the edge function sees it
    response = notfound_handler.handler(event, None)
    # Then the visitor gets the site's Dutch page, as a 404
    assert response["status"] == "404"
    assert response["body"] == PAGE
    assert response["bodyEncoding"] == "text"
    assert response["headers"]["content-type"] == [
        {"key": "Content-Type", "value": "text/html; charset=utf-8"}
    ]
    assert response["headers"]["cache-control"] == [{"key": "Cache-Control", "value": "public, max-age=60"}]
    assert "content-length" not in response["headers"]  # S3's length was of its XML


@pytest.mark.parametrize("status", ["200", "301", "304", "500"])
def test_every_other_answer_passes_untouched(status: str) -> None:
    event = origin_response(
        status, **{"Content-Type": "text/html", "ETag": '"abc"', "Cache-Control": "max-age=300"}
    )
    before = copy.deepcopy(event["Records"][0]["cf"]["response"])

    response = notfound_handler.handler(event, None)

    assert response == before
    assert "body" not in response


def test_the_handler_needs_only_the_standard_library() -> None:
    # Shipped alone beside 404.html: no package of ours, nothing installed.
    source = Path(notfound_handler.__file__).read_text()
    imports = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "functools", "pathlib", "typing"}
