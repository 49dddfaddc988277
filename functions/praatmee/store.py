"""The ledger of a registration's life: seats, the waiting list, consent, the draw's placements, cancelling.

Every change is one conditional write or one transaction, so counters and items always agree. A failed
condition becomes a domain error here (`MeetingFull`, `SeatFreed`, `Duplicate`, `StateChanged`), and so does
an answer that is not clear (`TryAgain`). `Store` is a `Table` (table.py: keys, items, set-up and every
read), and sends its requests through `dynamo.Dynamo`, which retries them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from praatmee.confirmstore import marker_put
from praatmee.dynamo import CHECK_FAILED, NO_REASON, ConditionFailed, Item, TransactionCancelled, n, s
from praatmee.errors import Duplicate, MeetingFull, SeatFreed, StateChanged, TryAgain
from praatmee.marks import MailMarks
from praatmee.models import RegistrationStatus
from praatmee.table import (
    DrawRecord,
    NewRegistration,
    StoredRegistration,
    marker_key,
    meeting_key,
    registration_key,
    wait_entry,
    wait_key,
)
from praatmee.waitlist import JOINED, SEAT_FOR_NEWCOMER, WaitingList

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        PutTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )


# Counter changes of the draw (`allocation: draw`): a sign-up applies; the draw turns an application into a
# seat or a reserve place.
APPLY = "SET applied = if_not_exists(applied, :zero) + :one"
WITHDRAW = "SET applied = applied - :one"
DRAWN = ", applied = applied - :one"  # added to the seat or waiting-list counter update


Leaving = Literal["promoted", "released", "left_waitlist", "withdrawn"]


def seats_free(meeting: Item) -> bool:
    return int(meeting["placed"]["N"]) < int(meeting["capacity"]["N"])


class Store(MailMarks, WaitingList):
    """The ledger: every write that moves a registration through its life. `MailMarks` adds the send-once
    marks of its mails, `WaitingList` the tickets and positions, `Table` the reads."""

    @staticmethod
    def _duplicate(cancelled: TransactionCancelled, marker_index: int) -> Duplicate | None:
        if cancelled.reasons[marker_index] != CHECK_FAILED:
            return None
        old = cancelled.items[marker_index] or {}
        registration_id = old.get("registration_id", {}).get("S")
        fingerprint = old.get("fingerprint", {}).get("S")
        if registration_id is None or fingerprint is None:
            raise TryAgain("marker without registration")
        return Duplicate(registration_id, fingerprint)

    # -- registering -------------------------------------------------------------------------------

    def seat_items(self, new: NewRegistration) -> list[TransactWriteItemTypeDef]:
        """The seat transaction of DESIGN.md: counter, uniqueness marker, registration. Order matters."""
        return [
            self._seat_counter(new.meeting),
            marker_put(self, new),
            self._put_new(new.item(RegistrationStatus.PLACED)),
        ]

    def _seat_counter(self, meeting_id: str, also: str = "") -> TransactWriteItemTypeDef:
        """Take one seat for a newcomer: only while a seat is free and nobody waits (they come first).
        `also` adds to the update (`, applied = applied - :one` when the draw places an applicant)."""
        update = self._meeting_update(
            meeting_id, f"SET placed = placed + :one{also}", f" AND {SEAT_FOR_NEWCOMER}"
        )
        update["Update"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return update

    def _waitlist_counter(self, meeting_id: str, also: str = "") -> TransactWriteItemTypeDef:
        """Join the waiting list: exactly when a newcomer gets no seat; the ticket is no longer on its way."""
        return self._meeting_update(
            meeting_id,
            f"SET waitlist_length = waitlist_length + :one, {JOINED}{also}",
            f" AND NOT ({SEAT_FOR_NEWCOMER})",
        )

    def place(self, new: NewRegistration, token: str) -> None:
        """Take a seat. Raises `MeetingFull`, `Duplicate` or `TryAgain`."""
        try:
            self.dynamo.transact(self.seat_items(new), token)
        except TransactionCancelled as cancelled:
            duplicate = self._duplicate(cancelled, 1)
            if duplicate is not None:
                raise duplicate from cancelled
            if cancelled.reasons == [CHECK_FAILED, NO_REASON, NO_REASON]:
                if not cancelled.items[0]:
                    raise TryAgain(f"meeting {new.meeting} is not in the table") from cancelled
                raise MeetingFull(new.meeting, seats_free=seats_free(cancelled.items[0])) from cancelled
            raise TryAgain(f"seat transaction cancelled: {cancelled.reasons}") from cancelled

    def waitlist_items(self, new: NewRegistration, ticket: int) -> list[TransactWriteItemTypeDef]:
        return [
            self._waitlist_counter(new.meeting),
            marker_put(self, new),
            self._put_new(new.item(RegistrationStatus.WAITLISTED, ticket)),
            self._put_new(wait_entry(new.meeting, ticket, new.id, new.expires_at)),
        ]

    def join_waitlist(self, new: NewRegistration, ticket: int, token: str) -> None:
        """Put a sign-up on the waiting list with its ticket. Raises `SeatFreed`, `Duplicate`, `TryAgain`."""
        try:
            self.dynamo.transact(self.waitlist_items(new, ticket), token)
        except TransactionCancelled as cancelled:
            duplicate = self._duplicate(cancelled, 1)
            if duplicate is not None:
                raise duplicate from cancelled
            if cancelled.reasons == [CHECK_FAILED, NO_REASON, NO_REASON, NO_REASON]:
                raise SeatFreed(new.meeting) from cancelled
            raise TryAgain(f"waitlist transaction cancelled: {cancelled.reasons}") from cancelled

    def hold(self, new: NewRegistration, status: RegistrationStatus, token: str) -> None:
        """Keep a sign-up without a seat: until its address (`unconfirmed`) or a guardian (`pending_guardian`)
        confirms, or until the draw (`applied`, counted on the meeting)."""
        meeting: TransactWriteItemTypeDef = {
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": meeting_key(new.meeting),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        if status is RegistrationStatus.APPLIED:
            meeting = self._meeting_update(new.meeting, APPLY, "")
        items: list[TransactWriteItemTypeDef] = [
            meeting,
            marker_put(self, new),
            self._put_new(new.item(status)),
        ]
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            duplicate = self._duplicate(cancelled, 1)
            if duplicate is not None:
                raise duplicate from cancelled
            raise TryAgain(f"pending transaction cancelled: {cancelled.reasons}") from cancelled

    # -- cancelling and promoting ------------------------------------------------------------------

    def _cancel_item(self, reg: StoredRegistration, token_hash: str) -> TransactWriteItemTypeDef:
        # The personal fields go at once; the bare record stays until the TTL for the organisers' counts.
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": registration_key(reg.id),
                "UpdateExpression": "SET #status = :cancelled "
                "REMOVE #name, email, organisation, needs, guardian, ticket",
                "ConditionExpression": "#status = :was AND token_hash = :token",
                "ExpressionAttributeNames": {"#status": "status", "#name": "name"},
                "ExpressionAttributeValues": {
                    ":cancelled": s(RegistrationStatus.CANCELLED.value),
                    ":was": s(reg.status.value),
                    ":token": s(token_hash),
                },
            }
        }

    def _promote_items(self, meeting_id: str, head: tuple[int, str]) -> list[TransactWriteItemTypeDef]:
        ticket, registration_id = head
        return [
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": registration_key(registration_id),
                    # `promoted` tells the mail job who is owed a "a seat is free" mail (mail.py).
                    "UpdateExpression": "SET #status = :placed, promoted = :true REMOVE ticket",
                    "ConditionExpression": "#status = :waitlisted",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":placed": s(RegistrationStatus.PLACED.value),
                        ":waitlisted": s(RegistrationStatus.WAITLISTED.value),
                        ":true": {"BOOL": True},
                    },
                }
            },
            self._delete_held(wait_key(meeting_id, ticket), registration_id),
        ]

    def cancel(
        self, reg: StoredRegistration, token_hash: str, head: tuple[int, str] | None, token: str
    ) -> Leaving:
        """Cancel `reg` in one transaction; a seat goes to `head` (the first waiting) or back to the pool.

        Raises `StateChanged` when the registration or the waiting list changed meanwhile.
        """
        outcome, leaving = self.leave_items(reg, head)
        items = [
            self._cancel_item(reg, token_hash),
            self._delete_held(marker_key(reg.email_hash), reg.id),
            *leaving,
        ]
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            raise StateChanged(",".join(cancelled.reasons)) from cancelled
        return outcome

    def leave_items(
        self, reg: StoredRegistration, head: tuple[int, str] | None, also: str = ""
    ) -> tuple[Leaving, list[TransactWriteItemTypeDef]]:
        """What `reg` leaving its meeting writes besides the registration (a cancellation, an erasure, a
        move): its seat to `head` or back to the pool, its reserve place, its application. `also` adds to
        the meeting's update (an erasure's anonymous count)."""
        items: list[TransactWriteItemTypeDef] = []
        outcome: Leaving
        counters: tuple[str, str] | None = None  # the meeting's update and its condition
        if reg.status is RegistrationStatus.PLACED and head is not None:
            outcome = "promoted"
            items += self._promote_items(reg.meeting, head)
            # Not while more are placed than the capacity (organisers lowered it): the seat then goes.
            counters = "SET waitlist_length = waitlist_length - :one", " AND placed <= #capacity"
        elif reg.status is RegistrationStatus.PLACED:
            outcome = "released"
            # A seat is never given back while people wait, unless more are placed than the capacity.
            counters = (
                "SET placed = placed - :one",
                " AND placed >= :one AND (waitlist_length = :zero OR placed > #capacity)",
            )
        elif reg.status is RegistrationStatus.APPLIED:
            outcome = "withdrawn"
            counters = WITHDRAW, " AND applied >= :one"
        elif reg.status is RegistrationStatus.WAITLISTED and reg.ticket is not None:
            outcome = "left_waitlist"
            items.append(self._delete_held(wait_key(reg.meeting, reg.ticket), reg.id))
            counters = "SET waitlist_length = waitlist_length - :one", " AND waitlist_length >= :one"
        else:
            outcome = "withdrawn"
        if counters is not None:
            items.append(self._meeting_update(reg.meeting, counters[0] + also, counters[1]))
        elif also:
            items.append(self._meeting_update(reg.meeting, "SET" + also.removeprefix(","), ""))
        return outcome, items

    def _meeting_update(self, meeting_id: str, expression: str, condition: str) -> TransactWriteItemTypeDef:
        """Change a meeting's counters by one, if it exists and `condition` (`" AND ..."` or "") holds."""
        values: dict[str, AttributeValueTypeDef] = {":one": n(1)}
        if ":zero" in condition + expression:
            values[":zero"] = n(0)
        update: UpdateTypeDef = {
            "TableName": self.table_name,
            "Key": meeting_key(meeting_id),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(pk)" + condition,
            "ExpressionAttributeValues": values,
        }
        if "#capacity" in condition:
            update["ExpressionAttributeNames"] = {"#capacity": "capacity"}
        return {"Update": update}

    def promote(self, meeting_id: str, head: tuple[int, str], token: str) -> None:
        """Give a free seat (after a capacity raise) to the first person waiting. Raises `StateChanged`."""
        items = self._promote_items(meeting_id, head)
        items.append(
            self._meeting_update(
                meeting_id,
                "SET placed = placed + :one, waitlist_length = waitlist_length - :one",
                " AND placed < #capacity",
            )
        )
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            raise StateChanged(",".join(cancelled.reasons)) from cancelled

    # -- items that several changes write ----------------------------------------------------------

    def _put_new(self, item: Item, *, report_old: bool = False) -> TransactWriteItemTypeDef:
        """Write `item` only where no item is yet; `report_old` hands back the one in the way on failure."""
        put: PutTypeDef = {
            "TableName": self.table_name,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if report_old:
            put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {"Put": put}

    def _delete_held(self, key: Item, registration_id: str) -> TransactWriteItemTypeDef:
        """Delete a marker or waiting-list entry, only while it still belongs to `registration_id`."""
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": key,
                "ConditionExpression": "registration_id = :id",
                "ExpressionAttributeValues": {":id": s(registration_id)},
            }
        }

    # -- a guardian's consent ------------------------------------------------------------------------

    def _move_item(
        self,
        registration_id: str,
        was: RegistrationStatus,
        to: RegistrationStatus,
        ticket: int | None = None,
        consent: tuple[str, str] | None = None,
        meetings: tuple[str, str] | None = None,
    ) -> TransactWriteItemTypeDef:
        """Change a registration's status, only from `was`; `consent` (the guardian's token hash, the time)
        also requires that guardian's token and records when they agreed; `meetings` (from, to) also moves
        it to another meeting, only from `from`."""
        values: dict[str, AttributeValueTypeDef] = {":new": s(to.value), ":was": s(was.value)}
        update, condition = "SET #status = :new", "#status = :was"
        if ticket is not None:
            values[":ticket"] = n(ticket)
            update += ", ticket = :ticket"
        if meetings is not None:
            values[":from"], values[":to"] = s(meetings[0]), s(meetings[1])
            update += ", meeting = :to"
            condition += " AND meeting = :from"
        if consent is not None:
            # The guardian's token hash stays, so a second click can be answered with what happened.
            values[":hash"], values[":at"] = s(consent[0]), s(consent[1])
            update += ", consented_at = :at"
            condition += " AND guardian_token_hash = :hash"
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": registration_key(registration_id),
                "UpdateExpression": update,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": values,
            }
        }

    def seat_held(
        self,
        registration_id: str,
        meeting_id: str,
        was: RegistrationStatus,
        token: str,
        *,
        wait: tuple[int, int] | None = None,
        consent: tuple[str, str] | None = None,
        applied_at: str | None = None,
    ) -> None:
        """Move a registration that holds no seat (`was`: waiting for a guardian, or applied for the draw)
        to a seat, or with `wait` (ticket from `take_ticket`, TTL) to the waiting list, through the counters
        a sign-up uses: never one seat too many, the waiting list first. `applied_at` (a seat only) is the
        meeting it applied for first, when the draw seats it at its second choice `meeting_id`: it leaves
        that meeting's applicants in the same transaction.

        Raises `StateChanged` (the registration moved on, or a wrong guardian token), `MeetingFull` (no seat),
        `SeatFreed` (a seat is free, so not the waiting list) or `TryAgain`.
        """
        also = DRAWN if was is RegistrationStatus.APPLIED and applied_at is None else ""
        if wait is None:
            meetings = None if applied_at is None else (applied_at, meeting_id)
            move = self._move_item(
                registration_id, was, RegistrationStatus.PLACED, consent=consent, meetings=meetings
            )
            items = [self._seat_counter(meeting_id, also), move]
            if applied_at is not None:
                items.append(self._meeting_update(applied_at, WITHDRAW, " AND applied >= :one"))
        else:
            assert applied_at is None, "a second choice is only ever seated, never put on a waiting list"
            ticket, expires_at = wait
            move = self._move_item(registration_id, was, RegistrationStatus.WAITLISTED, ticket, consent)
            entry = self._put_new(wait_entry(meeting_id, ticket, registration_id, expires_at))
            items = [self._waitlist_counter(meeting_id, also), move, entry]
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            if cancelled.reasons[1] == CHECK_FAILED:
                raise StateChanged("the registration moved on") from cancelled
            if wait is not None and cancelled.reasons[0] == CHECK_FAILED:
                raise SeatFreed(meeting_id) from cancelled
            if wait is not None or not cancelled.items[0]:
                raise TryAgain(f"transaction cancelled: {cancelled.reasons}") from cancelled
            raise MeetingFull(meeting_id, seats_free=seats_free(cancelled.items[0])) from cancelled

    def apply_consented(
        self, registration_id: str, meeting_id: str, guardian_hash: str, at: str, token: str
    ) -> None:
        """The guardian agreed before the draw: the pupil applies like anyone else. Raises `StateChanged`."""
        pending, applied = RegistrationStatus.PENDING_GUARDIAN, RegistrationStatus.APPLIED
        items = [
            self._meeting_update(meeting_id, APPLY, ""),
            self._move_item(registration_id, pending, applied, consent=(guardian_hash, at)),
        ]
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            raise StateChanged("not waiting for this consent") from cancelled

    def record_draw(self, record: DrawRecord, expires_at: int) -> DrawRecord:
        """Keep a meeting's draw, once: the first record written wins, and is what this returns."""
        try:
            self.dynamo.call(
                "put_item",
                TableName=self.table_name,
                Item=record.item(expires_at),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ConditionFailed:
            earlier = self.draw_record(record.meeting, record.choice)
            if earlier is None:
                raise TryAgain("a draw record was there and is gone") from None
            return earlier
        return record

    def delete_pending(
        self, registration_id: str, email_hash: str, guardian_hash: str | None, token: str
    ) -> None:
        """Delete a sign-up that waits for consent, and its marker: the guardian declined (their token in
        `guardian_hash`) or the consent period ended (None). Raises `StateChanged`."""
        values: dict[str, AttributeValueTypeDef] = {":pending": s(RegistrationStatus.PENDING_GUARDIAN.value)}
        condition = "#status = :pending"
        if guardian_hash is not None:
            values[":hash"] = s(guardian_hash)
            condition += " AND guardian_token_hash = :hash"
        items: list[TransactWriteItemTypeDef] = [
            {
                "Delete": {
                    "TableName": self.table_name,
                    "Key": registration_key(registration_id),
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": values,
                }
            },
            self._delete_held(marker_key(email_hash), registration_id),
        ]
        try:
            self.dynamo.transact(items, token)
        except TransactionCancelled as cancelled:
            raise StateChanged(",".join(cancelled.reasons)) from cancelled
