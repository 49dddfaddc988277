"""Domain errors: what can go wrong with a sign-up, as classes.

Each error carries a stable `code` (part of the HTTP contract) and, where it concerns one field, that field.
The Dutch text lives in `texts.py`; the HTTP status in `HTTP_STATUS` below, the one table that the
registration API and the organisers' room (which adds its own sign-in errors) both answer by.
"""

from __future__ import annotations


class DomainError(Exception):
    """Something the client can be told about in plain words."""

    code = "error"
    field: str | None = None

    def __init__(self, detail: str = "") -> None:
        # `detail` is for developers and logs only: never personal data.
        super().__init__(detail or self.code)


class MalformedBody(DomainError):
    code = "malformed_body"


class BodyTooLarge(DomainError):
    code = "too_large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class ForeignOrigin(DomainError):
    """A form post that does not come from the site's own pages."""

    code = "foreign_origin"


class UnknownMeeting(DomainError):
    code = "unknown_meeting"
    field = "meeting"


class NotEligible(DomainError):
    code = "not_eligible"
    field = "meeting"


class SecondMeetingRefused(DomainError):
    """The second choice is the first one again, not for the person's kind of school, or unknown."""

    code = "second_meeting_refused"
    field = "second_meeting"


class SecondMeetingNotOffered(SecondMeetingRefused):
    """A second choice where places are given first come: it would never be used."""

    code = "second_meeting_not_offered"


class RegistrationClosed(DomainError):
    code = "registration_closed"


class AlreadyRegistered(DomainError):
    code = "already_registered"
    field = "email"


class GuardianAskedTooOften(DomainError):
    """The guardian's address was named by too many sign-ups already (guardian_asks.LIMIT)."""

    code = "guardian_asked_too_often"
    field = "guardian.email"


class RegistrationNotFound(DomainError):
    """Unknown id or wrong token: the answer is the same, so it cannot be used to probe ids."""

    code = "not_found"


class ConfirmationExpired(DomainError):
    """The confirm link of a sign-up that was not confirmed in time: it is gone, sign up again."""

    code = "confirmation_expired"


class ChangedMeanwhile(DomainError):
    """An organiser acted on a registration that someone else changed since it was shown."""

    code = "changed_meanwhile"


class StillUnconfirmed(DomainError):
    """An organiser tried to move or correct a sign-up whose address is not confirmed yet."""

    code = "still_unconfirmed"


class PupilRoleFixed(DomainError):
    """An organiser tried to turn a pupil's sign-up into an adult's, or back."""

    code = "pupil_role_fixed"
    field = "role"


class NotConfirmed(DomainError):
    """An organiser's action that cannot be undone, sent without ticking that they are sure."""

    code = "not_confirmed"
    field = "zeker"


class TryAgain(DomainError):
    """The store could not give a clear answer; nothing was half-written."""

    code = "try_again"


# Outcomes the store reports to the service. They never reach a client.


class StoreOutcome(Exception):
    pass


class MeetingFull(StoreOutcome):
    """No seat for a newcomer: the meeting is full, or people are waiting (they come first)."""

    def __init__(self, meeting_id: str, *, seats_free: bool = False) -> None:
        super().__init__(meeting_id)
        # Seats are free but people wait (organisers raised the capacity): promote them first.
        self.seats_free = seats_free


class SeatFreed(StoreOutcome):
    """The meeting is no longer full, so the waiting list is not the right place."""


class Duplicate(StoreOutcome):
    """A uniqueness marker already exists for this e-mail address."""

    def __init__(self, registration_id: str, fingerprint: str) -> None:
        super().__init__("duplicate")
        self.registration_id = registration_id
        self.fingerprint = fingerprint


class StateChanged(StoreOutcome):
    """A cancellation lost a race (the waiting list or the registration changed); read again and retry."""


# The one table from domain errors to HTTP status codes (a subclass answers as its nearest listed class).
HTTP_STATUS: dict[type[DomainError], int] = {
    MalformedBody: 400,
    ForeignOrigin: 403,
    RegistrationNotFound: 404,
    AlreadyRegistered: 409,
    ChangedMeanwhile: 409,
    StillUnconfirmed: 409,
    GuardianAskedTooOften: 409,
    NotEligible: 409,
    RegistrationClosed: 409,
    ConfirmationExpired: 410,
    BodyTooLarge: 413,
    UnsupportedMediaType: 415,
    UnknownMeeting: 422,
    SecondMeetingRefused: 422,
    NotConfirmed: 422,
    PupilRoleFixed: 422,
    TryAgain: 503,
}
