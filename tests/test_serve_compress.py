"""The local server compresses the site's files as CloudFront does (text types, 1,000 bytes or more, when the
browser accepts gzip), so what `make serve` weighs is what the deployment sends."""

from __future__ import annotations

import gzip
import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from praatmee import caching
from praatmee.laptop.compress import accepts_gzip
from praatmee.laptop.serve import make_server

PAGE = "<!doctype html><title>Pagina</title>" + "<p>Praat mee over basisondersteuning.</p>" * 60
STYLE = "body{color:#222}" * 100


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    site = tmp_path_factory.mktemp("compress-site")
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "doel").mkdir()
    (site / "doel" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "assets").mkdir()
    (site / "assets" / "praatmee.css").write_text(STYLE, encoding="utf-8")
    (site / "assets" / "klein.css").write_text("body{color:#222}", encoding="utf-8")
    (site / "assets" / "foto.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4000))
    server = make_server("127.0.0.1", 0, site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "127.0.0.1", server.server_port, site
    server.shutdown()
    server.server_close()


def get(origin: tuple[str, int, Path], path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection(origin[0], origin[1], timeout=10)
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer, body


@pytest.mark.parametrize(
    ("path", "file", "cache"),
    [
        ("/", "index.html", caching.PAGE),
        ("/doel/", "doel/index.html", caching.PAGE),
        ("/assets/praatmee.css", "assets/praatmee.css", caching.ASSET),
    ],
)
def test_a_text_file_is_sent_gzipped_to_a_browser_that_accepts_it(
    origin: tuple[str, int, Path], path: str, file: str, cache: str
) -> None:
    # When a browser that accepts gzip asks for a page or a stylesheet
    answer, body = get(origin, path, **{"Accept-Encoding": "gzip, deflate, br"})

    # Then it gets the file gzipped, with its length, type and lifetime, and a note for caches in between
    assert answer.status == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Vary"] == "Accept-Encoding"
    assert int(answer.headers["Content-Length"]) == len(body)
    assert answer.headers["Cache-Control"] == cache
    assert gzip.decompress(body) == (origin[2] / file).read_bytes()
    assert len(body) < (origin[2] / file).stat().st_size / 3


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/", {}),  # the client did not ask for it
        ("/", {"Accept-Encoding": "gzip;q=0, identity"}),  # the client refused it
        ("/assets/klein.css", {"Accept-Encoding": "gzip"}),  # under 1,000 bytes, as CloudFront leaves it
        ("/assets/foto.png", {"Accept-Encoding": "gzip"}),  # not a text type
    ],
)
def test_other_answers_are_sent_as_they_are(
    origin: tuple[str, int, Path], path: str, headers: dict[str, str]
) -> None:
    answer, body = get(origin, path, **headers)

    assert answer.status == 200
    assert answer.headers["Content-Encoding"] is None
    file = origin[2] / (path.lstrip("/") or "index.html")
    assert body == file.read_bytes()


def test_an_unchanged_file_is_still_a_304_and_a_folder_without_slash_still_redirects(
    origin: tuple[str, int, Path],
) -> None:
    first, _ = get(origin, "/assets/praatmee.css", **{"Accept-Encoding": "gzip"})

    again, body = get(
        origin,
        "/assets/praatmee.css",
        **{"Accept-Encoding": "gzip", "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert again.status == 304
    assert body == b""

    moved, _ = get(origin, "/doel", **{"Accept-Encoding": "gzip"})
    assert moved.status == 301
    assert moved.headers["Location"] == "/doel/"


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        (None, False),
        ("gzip;q=veel", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted
