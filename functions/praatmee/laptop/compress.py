"""The local server compresses the site's files as CloudFront does, so page weights and Lighthouse figures
measured on `make serve` hold for the deployment.

CloudFront (`compress` on, the CachingOptimized policy) compresses a file when the browser accepts it, the
file is of a text type and between 1,000 and 10,000,000 bytes. It prefers Brotli where it may; the standard
library has only gzip, so the local figures are, if anything, a little heavier than on AWS.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import io
import os
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from typing import BinaryIO

MIN_SIZE = 1_000
MAX_SIZE = 10_000_000
# The types of CloudFront's list that the site serves.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "font/ttf",
    "font/otf",
)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip;q=0` refuses it)."""
    for part in (accept_encoding or "").split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        if name.lower() in ("gzip", "*"):
            quality = next((p[2:] for p in params if p.startswith("q=")), "1")
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def compressible(content_type: str, size: int) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return MIN_SIZE <= size <= MAX_SIZE and media_type.startswith(COMPRESSIBLE)


class GzipFiles(SimpleHTTPRequestHandler):
    """Static files gzipped when CloudFront would; everything else (redirects, 404s, 304s, other types)
    as the standard library's handler answers it."""

    def send_head(self) -> BinaryIO | None:
        path = self._file_path()
        if path is None or not accepts_gzip(self.headers.get("Accept-Encoding")):
            return super().send_head()
        stat = os.stat(path)
        content_type = self.guess_type(path)
        if not compressible(content_type, stat.st_size) or self._not_modified(stat.st_mtime):
            return super().send_head()
        with open(path, "rb") as file:
            body = gzip.compress(file.read(), compresslevel=6)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def _file_path(self) -> str | None:
        """The file a GET of this path serves (a folder's index.html), or None when it is not a plain file."""
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
                return None  # the standard handler redirects to the folder with a slash
            path = os.path.join(path, "index.html")
        return path if os.path.isfile(path) else None

    def _not_modified(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if since is None or "If-None-Match" in self.headers:
            return False
        try:
            moment = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return int(mtime) <= moment.timestamp()
