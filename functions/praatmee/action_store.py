"""The organisers' writes on one person: move, erase, correct, and the receipt sent again. Each is one
transaction or conditional write, built from the items a sign-up and a cancellation use (`Store`), so the seat
counter, the reserve order and the one-person markers stay exact. Each requires the registration's current
token hash: if anyone (the person, another organiser) changed it meanwhile, `StateChanged`, and nothing moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from praatmee.dynamo import CHECK_FAILED, TransactionCancelled, n, new_token, plain, s, to_attribute
from praatmee.errors import MeetingFull, SeatFreed, StateChanged, TryAgain
from praatmee.models import RegistrationStatus
from praatmee.store import APPLY, WITHDRAW, Store, seats_free
from praatmee.table import StoredRegistration, marker_key, meeting_key, registration_key, wait_entry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        ConditionCheckTypeDef,
        TransactWriteItemTypeDef,
    )

PLACED, WAITLISTED = RegistrationStatus.PLACED, RegistrationStatus.WAITLISTED
APPLIED, PENDING = RegistrationStatus.APPLIED, RegistrationStatus.PENDING_GUARDIAN
# The mails of a meeting's outcome: after a move they are owed again, for the new meeting.
OUTCOME_MARKS = ("mail_confirmation", "mail_no_place", "mail_reserve", "mail_promoted", "mail_moved")
ERASED = ", erased = if_not_exists(erased, :zero) + :one"


class ActionStore(Store):
    """`Store` with the writes only organisers make, and the reads of finding a person."""

    def registration_data(self, registration_id: str) -> dict[str, Any] | None:
        """A registration as plain values, marks included (consistent read)."""
        item = self.dynamo.call(
            "get_item", TableName=self.table_name, Key=registration_key(registration_id), ConsistentRead=True
        ).get("Item")
        return None if item is None else plain(item)

    def marker_owner(self, email_hash: str) -> str | None:
        """The registration that holds the one-person marker of an address, if any."""
        item = self.dynamo.call(
            "get_item", TableName=self.table_name, Key=marker_key(email_hash), ConsistentRead=True
        ).get("Item")
        return None if item is None else str(item["registration_id"]["S"])

    def _guarded(
        self,
        reg: StoredRegistration,
        update: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str] | None = None,
    ) -> TransactWriteItemTypeDef:
        """Update `reg` only while it has the status, meeting and token hash it was read with."""
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": registration_key(reg.id),
                "UpdateExpression": update,
                "ConditionExpression": "#status = :was AND meeting = :from AND token_hash = :token",
                "ExpressionAttributeNames": {"#status": "status", **(names or {})},
                "ExpressionAttributeValues": {
                    ":was": s(reg.status.value),
                    ":from": s(reg.meeting),
                    ":token": s(reg.token_hash),
                    **values,
                },
            }
        }

    # -- move --------------------------------------------------------------------------------------------

    def move(
        self,
        reg: StoredRegistration,
        to: str,
        head: tuple[int, str] | None,
        token: str,
        wait: tuple[int, int] | None = None,
    ) -> None:
        """Move `reg` to meeting `to` in one transaction with leaving its meeting (its seat to `head`, the
        first in line there): a seat there, or with `wait` (ticket of `take_ticket`, TTL) a reserve place.
        Someone applied for the draw, or waiting for a guardian, moves without a seat.

        Raises `StateChanged`, `MeetingFull`, `SeatFreed` or `TryAgain`, as `seat_held`."""
        marks = ", ".join(OUTCOME_MARKS)
        values: dict[str, AttributeValueTypeDef] = {":to": s(to)}
        if reg.status in (APPLIED, PENDING):
            move = self._guarded(reg, f"SET meeting = :to REMOVE {marks}", values)
            if reg.status is APPLIED:
                joined = [
                    self._meeting_update(to, APPLY, ""),
                    self._meeting_update(reg.meeting, WITHDRAW, ""),
                ]
            else:
                check: ConditionCheckTypeDef = {
                    "TableName": self.table_name,
                    "Key": meeting_key(to),
                    "ConditionExpression": "attribute_exists(pk)",
                }
                joined = [{"ConditionCheck": check}]
            self._transact([move, *joined], token)
            return
        _, leaving = self.leave_items(reg, head)
        if wait is None:
            values[":new"] = s(PLACED.value)
            move = self._guarded(reg, f"SET meeting = :to, #status = :new REMOVE ticket, {marks}", values)
            items = [self._seat_counter(to), move, *leaving]
        else:
            ticket, expires_at = wait
            values[":new"], values[":ticket"] = s(WAITLISTED.value), n(ticket)
            move = self._guarded(
                reg, f"SET meeting = :to, #status = :new, ticket = :ticket REMOVE {marks}", values
            )
            entry = self._put_new(wait_entry(to, ticket, reg.id, expires_at))
            items = [self._waitlist_counter(to), move, entry, *leaving]
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            if cancelled.reasons[0] != CHECK_FAILED or cancelled.reasons[1] == CHECK_FAILED:
                raise StateChanged(",".join(cancelled.reasons)) from cancelled
            if wait is not None:
                raise SeatFreed(to) from cancelled
            if not cancelled.items[0]:
                raise TryAgain(f"meeting {to} is not in the table") from cancelled
            raise MeetingFull(to, seats_free=seats_free(cancelled.items[0])) from cancelled

    # -- erase -------------------------------------------------------------------------------------------

    def erase(self, reg: StoredRegistration, head: tuple[int, str] | None, token: str) -> None:
        """Delete every item of `reg` (its marks are on it) and its marker, release what it held as a
        cancellation does, and count it on its meeting, anonymously. Raises `StateChanged`."""
        delete: TransactWriteItemTypeDef = {
            "Delete": {
                "TableName": self.table_name,
                "Key": registration_key(reg.id),
                "ConditionExpression": "#status = :was AND token_hash = :token",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":was": s(reg.status.value), ":token": s(reg.token_hash)},
            }
        }
        items = [delete]
        if reg.status is not RegistrationStatus.CANCELLED:  # a cancelled one let go of its marker already
            items.append(self._delete_held(marker_key(reg.email_hash), reg.id))
        _, leaving = self.leave_items(reg, head, also=ERASED)
        self._transact([*items, *leaving], token)

    # -- correct -----------------------------------------------------------------------------------------

    def correct(
        self,
        reg: StoredRegistration,
        fields: Mapping[str, Any],
        token: str,
        email: tuple[str, str, int] | None = None,
    ) -> None:
        """Change the sign-up's own fields (None removes one). With `email` (the new address, its keyed
        hash, the marker's TTL) the one-person marker moves to the new address in the same transaction and
        the receipt is owed again. Raises `Duplicate` (someone has that address), `StateChanged`."""
        names: dict[str, str] = {}
        values: dict[str, AttributeValueTypeDef] = {}
        sets, removes = [], []
        for index, (name, value) in enumerate(sorted(fields.items())):
            names[f"#f{index}"] = name
            if value is None:
                removes.append(f"#f{index}")
            else:
                values[f":f{index}"] = to_attribute(value)
                sets.append(f"#f{index} = :f{index}")
        items: list[TransactWriteItemTypeDef] = []
        if email is not None:
            address, email_hash, expires_at = email
            values[":email"], values[":hash"] = s(address), s(email_hash)
            sets += ["email = :email", "email_hash = :hash"]
            removes.append("mail_receipt")
            marker = {
                **marker_key(email_hash),
                "registration_id": s(reg.id),
                "meeting": s(reg.meeting),
                "fingerprint": s(""),  # the form's data changed: a resubmission is a new sign-up (409)
                "expires_at": n(expires_at),
            }
            items = [
                self._put_new(marker, report_old=True),
                self._delete_held(marker_key(reg.email_hash), reg.id),
            ]
        update = ("SET " + ", ".join(sets) if sets else "") + (
            " REMOVE " + ", ".join(removes) if removes else ""
        )
        if not update:
            return
        items.insert(0, self._guarded(reg, update.strip(), values, names))
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            duplicate = self._duplicate(cancelled, 1) if email is not None else None
            if duplicate is not None:
                raise duplicate from cancelled
            raise StateChanged(",".join(cancelled.reasons)) from cancelled

    def owe_receipt_again(self, reg: StoredRegistration) -> None:
        """Unmark the receipt, so it is sent again (with a fresh link: the old one stops working)."""
        self._transact([self._guarded(reg, "REMOVE mail_receipt", {})], None)

    def _transact(self, items: list[TransactWriteItemTypeDef], token: str | None) -> None:
        try:
            self.dynamo.transact(items, token or new_token())
        except TransactionCancelled as cancelled:
            raise StateChanged(",".join(cancelled.reasons)) from cancelled
