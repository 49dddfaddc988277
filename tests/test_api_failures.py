"""When DynamoDB gives no clear answer the person is told to try again (503), and nothing is half-written;
when the function is set up wrongly it says which variable is wrong without echoing its value."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from praatmee import service, texts
from praatmee.settings import get_settings
from tests.fixtures import Api, refuse_every, table_items


@pytest.mark.parametrize(
    "error",
    [
        {"Error": {"Code": "TransactionCanceledException", "Message": "x"}},  # no reasons at all
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "x"},
            "CancellationReasons": [{"Code": "None"}, {"Code": "ValidationError"}, {"Code": "None"}],
        },
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}},  # throttled every time
        {"Error": {"Code": "InternalServerError", "Message": "x"}},
        {"Error": {"Code": "AccessDeniedException", "Message": "x"}},
    ],
)
def test_an_unclear_store_answer_is_a_503_and_nothing_is_written(
    client: Api, ctx: service.Context, error: dict[str, Any]
) -> None:
    # Given DynamoDB that answers every transaction unclearly
    before = table_items(ctx.store)
    refuse_every(ctx.store.client, "TransactWriteItems", error)

    # When someone signs up
    answer = client.register()

    # Then they are asked to try again, and the table is as it was
    assert (answer.status, answer.codes) == (503, ["try_again"])
    assert answer.json["errors"][0]["message"] == texts.ERROR_MESSAGES["try_again"]
    assert table_items(ctx.store) == before


def test_a_503_for_a_form_post_is_a_dutch_page(client: Api, ctx: service.Context) -> None:
    before = table_items(ctx.store)
    refuse_every(
        ctx.store.client, "TransactWriteItems", {"Error": {"Code": "InternalServerError", "Message": "x"}}
    )

    answer = client.post_form(
        "/api/registrations",
        [
            ("meeting", "online"),
            ("name", "Jan"),
            ("email", "jan@example.org"),
            ("role", "leraar"),
            ("sector", "po"),
            ("themes", "dyslexie"),
            ("privacy_consent", "on"),
        ],
    )
    assert answer.status == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.shows(texts.ERROR_MESSAGES["try_again"])
    # "What you still need to change" is for errors on fields; there is nothing to change here
    assert not answer.shows(texts.FORM_ERROR_INTRO)
    assert table_items(ctx.store) == before


def test_the_meetings_list_is_a_503_when_the_table_cannot_be_read(client: Api, ctx: service.Context) -> None:
    refuse_every(
        ctx.store.client, "BatchGetItem", {"Error": {"Code": "ResourceNotFoundException", "Message": "x"}}
    )

    answer = client.get("/api/meetings")

    assert (answer.status, answer.codes) == (503, ["try_again"])


def test_settings_name_a_missing_table_and_never_echo_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function without a table name and with a key that is too short
    monkeypatch.delenv("PRAATMEE_TABLE_NAME", raising=False)
    monkeypatch.setenv("PRAATMEE_EMAIL_HASH_KEY", "short-secret")
    monkeypatch.setenv("PRAATMEE_SITE_ORIGIN", "https://praatmee.example.nl")
    get_settings.cache_clear()

    # When the settings are read / Then the error names both variables and not the secret
    with pytest.raises(RuntimeError) as raised:
        get_settings()
    get_settings.cache_clear()
    assert "PRAATMEE_TABLE_NAME" in str(raised.value)
    assert "PRAATMEE_EMAIL_HASH_KEY" in str(raised.value)
    assert "short-secret" not in str(raised.value)


def test_logs_carry_the_request_id_of_api_gateway(client: Api, api_log: io.StringIO) -> None:
    client.register()

    lines = [json.loads(line) for line in api_log.getvalue().splitlines()]
    assert lines
    assert {line["correlation_id"] for line in lines} == {"id"}
    assert {line["function_request_id"] for line in lines} == {"test-request"}
