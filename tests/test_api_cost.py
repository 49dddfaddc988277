"""What one request costs in calls to AWS, counted call by call (in the spirit of pretix's
`assert_num_queries`): a read or write that creeps onto the sign-up's path fails here first."""

from __future__ import annotations

from typing import Any

from praatmee import service
from praatmee.mail import MailContext
from tests.fixtures import Api, CallLog, confirm_link_token, sent


def test_a_sign_up_costs_one_transaction_one_mail_mark_and_one_mail(
    app: Api, ctx: service.Context, mail_ctx: MailContext, ses: Any
) -> None:
    # Given the handler as deployed, with every call of its DynamoDB and SES clients counted
    assert mail_ctx.store is ctx.store  # one DynamoDB client carries the sign-up and its mail
    dynamodb = CallLog.on(ctx.store.client)
    mail = CallLog.on(ses)

    # When someone signs up
    answer = app.register_unconfirmed()
    assert (answer.status, answer.json["status"]) == (201, "unconfirmed")

    # Then DynamoDB saw the sign-up's transaction and the confirm mail's mark (set before sending, its
    # "under way" stamp removed once SES took it), and nothing else: no read
    assert dynamodb.operations == ["TransactWriteItems", "UpdateItem", "UpdateItem"]
    _, mark = dynamodb.calls[1]
    assert mark["ExpressionAttributeNames"]["#mail"] == "mail_confirm_request"
    _, sent_mark = dynamodb.calls[2]
    assert sent_mark["ExpressionAttributeNames"]["#sending"] == "sending_confirm_request"
    # And SES sent one mail, the confirm link
    assert mail.operations == ["SendEmail"]
    [asked] = sent()
    assert asked["To"] == "saskia.devries@example.org"


def test_confirming_costs_a_read_two_transactions_one_mail_mark_and_one_mail(
    app: Api, ctx: service.Context, ses: Any
) -> None:
    # Given a sign-up, and every call from now on counted
    answer = app.register_unconfirmed()
    token = confirm_link_token("saskia.devries@example.org", answer.json["id"])
    dynamodb = CallLog.on(ctx.store.client)
    mail = CallLog.on(ses)

    # When the person confirms and gets a seat
    confirmed = app.confirm(answer.json["id"], token)
    assert confirmed.json["status"] == "placed"

    # Then: the read of the link, the window's transaction, the seat's transaction, the receipt's mark and
    # its "sent"
    assert dynamodb.operations == [
        "GetItem",
        "TransactWriteItems",
        "TransactWriteItems",
        "UpdateItem",
        "UpdateItem",
    ]
    assert mail.operations == ["SendEmail"]
