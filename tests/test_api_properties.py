"""Whatever a client sends, the API answers with a 2xx, 3xx or 4xx: never a 5xx (Hypothesis)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from praatmee import texts
from praatmee.reader import MAX_JSON_DEPTH
from tests.fixtures import SITE, Api, http_event, valid_body

FIELDS = [
    *list(valid_body()),
    "organisation",
    "needs",
    "under_16",
    "guardian",
    "website",
    "registration_id",
    "token",
]
PATHS = ["/api/registrations", "/api/cancellations", "/api/meetings", "/api/registrations/x", "/"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
    "APPLICATION/JSON",
]
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=12,
)


def assert_no_5xx(answer: Any) -> None:
    assert answer.status < 500, answer.text
    if answer.headers.get("content-type", "").startswith("application/json") and answer.status >= 400:
        errors = answer.json["errors"]
        assert errors
        assert all(e["message"] and e["code"] for e in errors)


@PROPERTY
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4))
def test_changed_fields_of_a_valid_sign_up_never_give_a_5xx(client: Api, changes: dict[str, Any]) -> None:
    body = {**valid_body(), **changes}
    assert_no_5xx(client.post_json("/api/registrations", body))


@PROPERTY
@given(body=json_values, path=st.sampled_from(PATHS[:2]))
def test_any_json_never_gives_a_5xx(client: Api, body: Any, path: str) -> None:
    assert_no_5xx(client.post_json(path, body))


@PROPERTY
@given(
    body=st.binary(max_size=600),
    content_type=st.sampled_from(CONTENT_TYPES),
    path=st.sampled_from(PATHS),
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE"]),
)
def test_any_bytes_with_any_content_type_never_give_a_5xx(
    client: Api, body: bytes, content_type: str, path: str, method: str
) -> None:
    event = http_event(method, path, body=body, content_type=content_type, headers={"origin": SITE})
    assert_no_5xx(client.call(event))


@PROPERTY
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from([*FIELDS, "guardian_name", "themes", "x"]), st.text(max_size=200))
    ),
    origin=st.sampled_from([SITE, "https://evil.example", None]),
)
def test_any_form_post_never_gives_a_5xx(
    client: Api, pairs: list[tuple[str, str]], origin: str | None
) -> None:
    answer = client.post_form("/api/registrations", pairs, origin=origin)
    assert answer.status < 500


@PROPERTY
@given(raw=st.text(max_size=400))
def test_any_text_as_json_never_gives_a_5xx(client: Api, raw: str) -> None:
    event = http_event("POST", "/api/registrations", body=raw, content_type="application/json")
    assert_no_5xx(client.call(event))


BODY_PATHS = ["/api/registrations", "/api/cancellations", "/api/consents"]


def nested(kinds: list[bool], *, closed: bool = True) -> str:
    """JSON text nested one list (True) or object (False) per kind, written as text: `json.dumps` itself
    would recurse."""
    opening = "".join("[" if kind else '{"a":' for kind in kinds)
    closing = "".join("]" if kind else "}" for kind in reversed(kinds))
    return opening + "1" + (closing if closed else "")


def post_raw(client: Api, path: str, text: str) -> Any:
    return client.call(http_event("POST", path, body=text, content_type="application/json"))


@pytest.mark.parametrize("path", BODY_PATHS)
def test_a_kilobyte_of_open_brackets_is_a_malformed_body_not_a_crash(client: Api, path: str) -> None:
    # When someone posts `[` a thousand times (it made json.loads raise RecursionError, past the reader)
    answer = post_raw(client, path, "[" * 1000)

    # Then the answer is the contract's 400, in Dutch
    assert (answer.status, answer.codes) == (400, ["malformed_body"])
    assert answer.json["errors"][0]["message"] == texts.ERROR_MESSAGES["malformed_body"]


@PROPERTY
@given(
    kinds=st.integers(1, 3000).flatmap(lambda depth: st.lists(st.booleans(), min_size=depth, max_size=depth))
    | st.integers(MAX_JSON_DEPTH - 3, MAX_JSON_DEPTH + 3).flatmap(
        lambda depth: st.lists(st.booleans(), min_size=depth, max_size=depth)
    ),
    closed=st.booleans(),
    path=st.sampled_from(BODY_PATHS),
)
def test_json_of_any_depth_never_gives_a_5xx_and_too_deep_is_malformed(
    client: Api, kinds: list[bool], closed: bool, path: str
) -> None:
    answer = post_raw(client, path, nested(kinds, closed=closed))
    assert_no_5xx(answer)
    if len(kinds) > MAX_JSON_DEPTH or not closed:
        assert (answer.status, answer.codes) == (400, ["malformed_body"])
    else:
        # Shallow enough to read: the model answers it (a list or a nested object is no sign-up)
        assert answer.status in (400, 422)


@PROPERTY
@given(depth=st.integers(MAX_JSON_DEPTH - 3, MAX_JSON_DEPTH + 3), field=st.sampled_from(FIELDS))
def test_a_valid_sign_up_with_one_field_nested_deep_never_gives_a_5xx(
    client: Api, depth: int, field: str
) -> None:
    # A sign-up is itself one level: the nested field adds `depth` more
    text = json.dumps({**valid_body(), field: 1}).replace(": 1", ": " + nested([True] * depth), 1)
    answer = post_raw(client, "/api/registrations", text)
    assert_no_5xx(answer)
    if depth + 1 > MAX_JSON_DEPTH:
        assert (answer.status, answer.codes) == (400, ["malformed_body"])
    else:
        assert answer.status == 422  # read, then refused by the model for that field


def test_an_example_body_of_every_kind_is_understood(client: Api) -> None:
    as_json = client.post_json("/api/registrations", valid_body())
    assert (as_json.status, as_json.json["status"]) == (201, "unconfirmed")
    form = urlencode({**valid_body(), "themes": "dyslexie", "privacy_consent": "on"})
    event = http_event(
        "POST",
        "/api/registrations",
        body=form,
        content_type="application/x-www-form-urlencoded",
        headers={"origin": SITE},
    )
    # The same sign-up as a form: read as the same data, so it is answered as the first one was
    as_form = client.call(event)
    assert (as_form.status, as_form.headers["location"]) == (
        303,
        "/aanmelden/resultaat/unconfirmed/#bijeenkomst-online",
    )
    assert json.loads(client.get("/api/meetings").text)["meetings"]
