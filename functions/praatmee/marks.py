"""Mail marks: a mail is marked on its registration by one conditional write before it is sent, so it is sent
once, and unmarked again when sending failed (mail.py decides when; this module only writes the marks)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from praatmee.dynamo import ConditionFailed, n, plain, s
from praatmee.models import RegistrationStatus
from praatmee.table import Table, registration_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


def sending(kind: str) -> str:
    """The attribute that holds since when mail `kind` is under way; it goes once SES has taken it."""
    return f"sending_{kind}"


class MailMarks(Table):
    """The send-once marks of a registration's mails."""

    def claim_mail(
        self,
        registration_id: str,
        kind: str,
        at: str,
        statuses: Sequence[RegistrationStatus],
        rotate: tuple[str, str] | None = None,
        *,
        before: str | None = None,
        stale: str | None = None,
    ) -> dict[str, Any] | None:
        """Mark mail `kind` of a registration as sent, once (a conditional write); send only after it won.

        Returns the registration as it was (plain values) when this call marked it, None when the mail was
        marked before or the status is not one of `statuses`. `rotate` (attribute, new hash) replaces a token
        hash in the same write, for a mail whose link carries a fresh token. With `before` (a time stamp), a
        mark older than that is taken over too: a mail that may be sent again, but not more often. With
        `stale` (a time stamp), a mark whose sending began before that and was never confirmed (`mail_sent`)
        is taken over: the sender was ended mid-send, and the mail is owed still.
        """
        names = {"#mail": f"mail_{kind}", "#status": "status", "#sending": sending(kind)}
        values: dict[str, AttributeValueTypeDef] = {":at": s(at)}
        allowed = []
        for index, status in enumerate(statuses):
            values[f":s{index}"] = s(status.value)
            allowed.append(f":s{index}")
        update = "SET #mail = :at, #sending = :at"
        if rotate is not None:
            names["#token"] = rotate[0]
            values[":token"] = s(rotate[1])
            update += ", #token = :token"
        unmarked = "attribute_not_exists(#mail)"
        if before is not None:
            values[":before"] = s(before)
            unmarked = f"({unmarked} OR #mail < :before)"
        if stale is not None:
            values[":stale"] = s(stale)
            unmarked = f"({unmarked} OR (attribute_exists(#sending) AND #sending < :stale))"
        try:
            response = self.dynamo.call(
                "update_item",
                TableName=self.table_name,
                Key=registration_key(registration_id),
                UpdateExpression=update,
                ConditionExpression=(
                    f"attribute_exists(pk) AND {unmarked} AND #status IN ({', '.join(allowed)})"
                ),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
            )
        except ConditionFailed:
            return None
        return plain(response["Attributes"])

    def mail_sent(self, registration_id: str, kind: str, at: str) -> None:
        """SES took the mail marked at `at`: it is no longer under way (a later mark is left alone)."""
        with contextlib.suppress(ConditionFailed):
            self.dynamo.call(
                "update_item",
                TableName=self.table_name,
                Key=registration_key(registration_id),
                UpdateExpression="REMOVE #sending",
                ConditionExpression="#sending = :at",
                ExpressionAttributeNames={"#sending": sending(kind)},
                ExpressionAttributeValues={":at": s(at)},
            )

    def release_mail(
        self, registration_id: str, kind: str, failed_at: str, restore: tuple[str, str, str] | None = None
    ) -> None:
        """A marked mail that could not be sent: unmark it so the daily job tries again, count the failure
        on the item (for the organisers), and put back the token hash the unsent mail would have replaced.

        `restore` is (attribute, old hash, the hash it replaced it with): the old one comes back only while
        the unsent mail's hash is still there, so a newer mail's link (a newer hash) is never killed.
        """
        names = {"#mail": f"mail_{kind}", "#sending": sending(kind)}
        values: dict[str, AttributeValueTypeDef] = {":at": s(failed_at), ":zero": n(0), ":one": n(1)}
        update = "SET mail_failed_at = :at, mail_failures = if_not_exists(mail_failures, :zero) + :one"
        condition = "attribute_exists(pk)"
        if restore is not None:
            names["#token"] = restore[0]
            values[":old"], values[":replaced_by"] = s(restore[1]), s(restore[2])
            condition += " AND #token = :replaced_by"
        try:
            self.dynamo.call(
                "update_item",
                TableName=self.table_name,
                Key=registration_key(registration_id),
                UpdateExpression=f"{update}{', #token = :old' if restore else ''} REMOVE #mail, #sending",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ConditionFailed:
            if restore is None:
                return  # the registration is gone
            # A newer mail rotated the hash meanwhile: its link stays; only the mark goes.
            self.release_mail(registration_id, kind, failed_at)
