"""What the local server (`praatmee serve`) refuses itself, before the site or the API sees a request.

A demo rush or a stray client must not cost the stack a thread for ever or end in a traceback and silence:
the body is read with a time limit (408), its length must be a plain number within API Gateway's limit
(400, 413), and a path with a control character once decoded (`/%00`) is refused (400). Each refusal is the
contract's JSON error list under `/api/`, a small Dutch page elsewhere.
"""

from __future__ import annotations

import html
import json
import re
from io import BufferedIOBase
from urllib.parse import unquote

from praatmee.laptop.texts import SERVER_REFUSALS

REFUSALS = SERVER_REFUSALS

# How long a client may take to send the rest of a request before it is answered 408 and let go.
READ_TIMEOUT = 10.0
# API Gateway refuses larger payloads itself; the handler has its own, smaller limit.
MAX_PAYLOAD = 10 * 1024 * 1024
DIGITS = re.compile(r"[0-9]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Refused(Exception):
    """A request the local server answers itself with `status` (a key of REFUSALS)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def body_length(header: str | None) -> int:
    """Content-Length in bytes (0 when absent): digits only (400), at most MAX_PAYLOAD (413)."""
    if header is None:
        return 0
    if not DIGITS.fullmatch(header.strip()):
        raise Refused(400)
    length = int(header)
    if length > MAX_PAYLOAD:
        raise Refused(413)
    return length


def read_body(stream: BufferedIOBase, length: int) -> bytes:
    """Exactly `length` bytes; 408 when the client stops sending within the socket's time limit, 400 when
    it closes the connection before the end."""
    try:
        body = stream.read(length) if length else b""
    except TimeoutError as exc:
        raise Refused(408) from exc
    if len(body) != length:
        raise Refused(400)
    return body


def unusable_target(target: str) -> bool:
    """A request target no file or route can have: not a path, or a control character once decoded."""
    path = target.split("?", 1)[0]
    return not path.startswith("/") or CONTROL.search(unquote(path)) is not None


def refusal(status: int, *, api: bool) -> tuple[str, bytes]:
    """The content type and body of a refusal: JSON for the API, a small Dutch page for the site."""
    code, message = REFUSALS[status]
    if api:
        errors = {"errors": [{"field": None, "code": code, "message": message}]}
        return "application/json", json.dumps(errors, ensure_ascii=False).encode("utf-8")
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Fout</title></head>'
        f"<body><main><h1>Dat lukte niet</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">Naar de startpagina</a></p></main></body></html>'
    )
    return "text/html; charset=utf-8", page.encode("utf-8")
