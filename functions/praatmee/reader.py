"""Reading a request body before the model checks it: size, encoding, content type, and the origin of form
posts; a form post becomes the fields a JSON body has, so both go through one model."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)

from praatmee.errors import BodyTooLarge, ForeignOrigin, MalformedBody, UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CHECKED = frozenset({"on", "ja", "true", "1", "yes"})
# A sign-up is two levels deep (the guardian object); far deeper JSON is an attack on the parser's stack:
# `"[" * 1000` makes `json.loads` raise RecursionError, which is no ValueError.
MAX_JSON_DEPTH = 32
FORM_FLAGS = frozenset({"privacy_consent", "under_16", "guardian_consent"})


class RequestReader(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, with our own reading of the body before the model checks it.

    It refuses oversized bodies (413), unreadable bodies (400), other content types (415) and form posts
    from other sites (403), and turns a form post into the same fields the JSON body has, so both go
    through one model.
    """

    def _get_body(self, app: Any) -> Any:
        event = app.current_event
        # Imported here, not at module level: building the settings model is work for the first request.
        from praatmee.settings import get_settings

        settings = get_settings()
        raw = event.body or ""
        if len(raw) > settings.max_body_bytes * 2:  # cheap early refusal before decoding
            raise BodyTooLarge(f"{len(raw)} characters")
        try:
            data = base64.b64decode(raw, validate=True) if event.is_base64_encoded else raw.encode()
            if len(data) > settings.max_body_bytes:
                raise BodyTooLarge(f"{len(data)} bytes")
            text = data.decode("utf-8")
        except (binascii.Error, UnicodeError) as exc:
            raise MalformedBody("body is not valid base64 or UTF-8") from exc
        media = media_type(event.headers)
        if media == JSON:
            return read_json(text)
        if media == FORM:
            _check_origin(event.headers, settings.site_origin)
            try:
                fields = parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=60)
            except ValueError as exc:
                raise MalformedBody("form data not readable") from exc
            return form_to_fields(fields)
        raise UnsupportedMediaType((media or "none")[:60])


def read_json(text: str) -> Any:
    """The JSON value of a body, refused as malformed when it is not JSON or nested deeper than
    MAX_JSON_DEPTH (every later step, validation and logging, may then recurse without fear)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise MalformedBody("body is not JSON, or nested too deep to read") from exc
    if json_depth(value) > MAX_JSON_DEPTH:
        raise MalformedBody("body is nested too deep")
    return value


def json_depth(value: Any) -> int:
    """How many lists and objects are nested in `value` at most (a loop, not recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            stack.extend(
                (child, depth + 1) for child in (current.values() if isinstance(current, dict) else current)
            )
    return deepest


def media_type(headers: Any) -> str:
    return str(headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def _check_origin(headers: Any, site_origin: str) -> None:
    """Form posts must come from the site's own pages (browsers send Origin; older ones only Referer)."""
    origin = headers.get("origin")
    if origin is not None:
        if origin != site_origin:
            raise ForeignOrigin("origin differs")
        return
    referer = str(headers.get("referer") or "")
    if referer != site_origin and not referer.startswith(site_origin + "/"):
        raise ForeignOrigin("no matching origin or referer")


def form_to_fields(form: dict[str, list[str]]) -> dict[str, Any]:
    """Form fields as the JSON body has them: checkboxes become booleans, `guardian_*` a nested object.

    Empty optional fields are left out; a field sent twice stays a list, so the model refuses it.
    """
    data: dict[str, Any] = {}
    guardian: dict[str, Any] = {}
    for key, values in form.items():
        if key == "themes":
            data[key] = [value for value in values if value]
            continue
        value: Any = values[0] if len(values) == 1 else values
        if key in FORM_FLAGS:
            value = isinstance(value, str) and value.strip().lower() in CHECKED
        elif value == "":
            continue
        if key.startswith("guardian_"):
            guardian[key.removeprefix("guardian_")] = value
        else:
            data[key] = value
    # The form always has the guardian fields; they count only for a pupil under 16.
    if data.get("under_16") is True:
        guardian.setdefault("consent", False)
        data["guardian"] = guardian
    return data
