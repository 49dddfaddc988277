"""What one request costs in calls to AWS, counted call by call (in the spirit of pretix's
`assert_num_queries`): a read or write that creeps onto the sign-up's path fails here first."""

from __future__ import annotations

from typing import Any

from praatmee import service
from praatmee.mail import MailContext
from tests.fixtures import Api, CallLog, sent


def test_a_placed_sign_up_costs_one_transaction_one_mail_mark_and_one_mail(
    app: Api, ctx: service.Context, mail_ctx: MailContext, ses: Any
) -> None:
    # Given the handler as deployed, with every call of its DynamoDB and SES clients counted
    assert mail_ctx.store is ctx.store  # one DynamoDB client carries the sign-up and its mail
    dynamodb = CallLog.on(ctx.store.client)
    mail = CallLog.on(ses)

    # When someone signs up and gets a seat
    answer = app.register()
    assert (answer.status, answer.json["status"]) == (201, "placed")

    # Then DynamoDB saw the seat transaction and the receipt's mark, and nothing else: no read at all
    assert dynamodb.operations == ["TransactWriteItems", "UpdateItem"]
    _, mark = dynamodb.calls[1]
    assert mark["ExpressionAttributeNames"]["#mail"] == "mail_receipt"
    # And SES sent one mail, the receipt
    assert mail.operations == ["SendEmail"]
    [receipt] = sent()
    assert receipt["To"] == "saskia.devries@example.org"
