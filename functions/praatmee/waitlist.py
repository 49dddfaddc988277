"""The waiting list's tickets and the positions told: a number that is never better than the truth.

A ticket is handed out by an atomic counter (`tickets_issued`) before the transaction that writes the entry,
because a transaction returns no values. So a lower ticket can still be on its way when a higher one is
written, and then lands ahead of it. To tell a position that holds, the meeting also counts the tickets on
their way (`joining`: up by one with each ticket, down by one when its entry is written or it is given back).
Everyone who will ever stand ahead of a person was, when that person's number was told, either on the list
ahead of them or on their way; so the number told (1 + those ahead + those on their way) is an upper bound
of the person's place from that moment on: it is their place, or they are further ahead.
"""

from __future__ import annotations

import contextlib

from praatmee.dynamo import ConditionFailed, n, s
from praatmee.errors import SeatFreed
from praatmee.table import WAIT_PREFIX, Table, meeting_key

# A newcomer gets a seat only while one is free and nobody waits: the waiting list comes first, also when
# organisers raise the capacity while people wait (they are promoted before anyone new is seated).
SEAT_FOR_NEWCOMER = "placed < #capacity AND waitlist_length = :zero"
# Written with every entry of the waiting list: one ticket fewer on its way.
JOINED = "joining = if_not_exists(joining, :one) - :one"


class WaitingList(Table):
    """Tickets of the waiting list, and positions on it that are never told better than they are."""

    def take_ticket(self, meeting_id: str) -> tuple[int, int]:
        """A place in the queue, handed out while a newcomer gets no seat: (ticket, position at most).

        The ticket is the order of the waiting list (first come, first served). The position counts everyone
        waiting and every ticket on its way when it was issued: all that can ever stand ahead. Raises
        `SeatFreed`. The caller writes the entry with the ticket (`JOINED`) or gives it back
        (`return_ticket`).
        """
        try:
            response = self.dynamo.call(
                "update_item",
                TableName=self.table_name,
                Key=meeting_key(meeting_id),
                UpdateExpression="SET tickets_issued = tickets_issued + :one, "
                "joining = if_not_exists(joining, :zero) + :one",
                ConditionExpression=f"attribute_exists(pk) AND NOT ({SEAT_FOR_NEWCOMER})",
                ExpressionAttributeNames={"#capacity": "capacity"},
                ExpressionAttributeValues={":one": n(1), ":zero": n(0)},
                ReturnValues="ALL_NEW",
            )
        except ConditionFailed as exc:
            raise SeatFreed(meeting_id) from exc
        attributes = response["Attributes"]
        ahead = int(attributes["waitlist_length"]["N"]) + int(attributes["joining"]["N"]) - 1
        return int(attributes["tickets_issued"]["N"]), ahead + 1

    def return_ticket(self, meeting_id: str) -> None:
        """A ticket whose entry was certainly not written (its transaction was refused): no longer on its
        way. Not after a timeout (the entry may be written): a ticket left counted only makes numbers more
        careful."""
        with contextlib.suppress(ConditionFailed):  # nothing counted: nothing to give back
            self.dynamo.call(
                "update_item",
                TableName=self.table_name,
                Key=meeting_key(meeting_id),
                UpdateExpression="SET joining = joining - :one",
                ConditionExpression="joining >= :one",
                ExpressionAttributeValues={":one": n(1)},
            )

    def waitlist_position(self, meeting_id: str, ticket: int) -> int:
        """The place of `ticket` at most: 1 + those ahead on the list + the tickets on their way.

        Both strongly consistent; the tickets on their way first, so one that lands between the two reads
        is counted once or twice, never missed.
        """
        meeting = self.dynamo.call(
            "get_item", TableName=self.table_name, Key=meeting_key(meeting_id), ConsistentRead=True
        ).get("Item", {})
        on_their_way = max(0, int(meeting.get("joining", {}).get("N", 0)))
        pages = self.dynamo.pages(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
            ExpressionAttributeValues={
                ":pk": meeting_key(meeting_id)["pk"],
                ":low": s(WAIT_PREFIX),
                ":high": s(f"{WAIT_PREFIX}{ticket - 1:010d}"),
            },
            Select="COUNT",
            ConsistentRead=True,
        )
        return sum(int(page["Count"]) for page in pages) + on_their_way + 1
