"""What the API receives and answers: strict models with size limits, and the status vocabulary."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from praatmee.edition import MeetingId, Role, Sector, Theme


class RegistrationStatus(StrEnum):
    # Signed up for the draw (`allocation: draw`): no seat yet; the draw after the deadline decides.
    APPLIED = "applied"
    PLACED = "placed"
    WAITLISTED = "waitlisted"
    PENDING_GUARDIAN = "pending_guardian"
    CANCELLED = "cancelled"


class MeetingStatus(StrEnum):
    OPEN = "open"
    FULL = "full"  # the waiting list is open
    CLOSED = "closed"


def _text(max_length: int) -> object:
    return StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=max_length)


Name = Annotated[str, _text(100)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
OptionalText = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, max_length=500)]


def _must_consent(value: bool) -> bool:
    if not value:
        raise PydanticCustomError("consent_required", "consent is required")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Guardian(_Strict):
    """The parent or guardian of a pupil under 16, who must agree (UAVG art. 5)."""

    name: Name
    email: Email
    consent: StrictBool

    _consent = field_validator("consent")(lambda value: _must_consent(value))


class RegistrationRequest(_Strict):
    """A sign-up for one meeting. The JSON body of `POST /api/registrations`."""

    meeting: MeetingId
    second_meeting: MeetingId | None = Field(
        default=None, description="Only when places are given by a draw: for seats its first choices leave"
    )
    name: Name
    email: Email
    role: Role
    sector: Sector
    themes: Annotated[list[Theme], Field(min_length=1, max_length=len(Theme))]
    organisation: Annotated[str, _text(150)] | None = None
    needs: Annotated[OptionalText, Field(description="Diet or accessibility needs")] | None = None
    privacy_consent: StrictBool
    under_16: StrictBool = False
    guardian: Guardian | None = None
    website: Annotated[str, StringConstraints(strict=True, max_length=200)] | None = Field(
        default=None, description="Honeypot: a field people never see. Leave it empty."
    )

    _consent = field_validator("privacy_consent")(lambda value: _must_consent(value))

    @field_validator("themes")
    @classmethod
    def _distinct(cls, themes: list[Theme]) -> list[Theme]:
        if len(set(themes)) != len(themes):
            raise PydanticCustomError("duplicate_theme", "a theme is chosen twice")
        return themes

    @model_validator(mode="after")
    def _guardian_rule(self) -> RegistrationRequest:
        # Errors here have no location of their own; field_errors.py reports them on the field `guardian`.
        if self.under_16 and self.guardian is None:
            raise PydanticCustomError("guardian_required", "a pupil under 16 needs a guardian")
        if not self.under_16 and self.guardian is not None:
            raise PydanticCustomError("guardian_not_allowed", "a guardian is only for pupils under 16")
        return self


class CancellationRequest(_Strict):
    """The body of `POST /api/cancellations`: the id and secret token from the confirmation e-mail."""

    registration_id: Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-f]{32}$")]
    token: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9_-]{20,100}$")]


class ConsentRequest(_Strict):
    """The body of `POST /api/consents`: a guardian's answer, with the id and token from their e-mail."""

    registration_id: Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-f]{32}$")]
    token: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9_-]{20,100}$")]
    decision: Literal["confirm", "decline"]


class ConsentAnswer(BaseModel):
    id: str
    # `declined`: the sign-up and its data are deleted. `applied`: the pupil takes part in the draw.
    status: Literal["applied", "placed", "waitlisted", "declined"]
    waitlist_position: int | None = None


class RegistrationAnswer(BaseModel):
    id: str
    status: RegistrationStatus
    meeting: str
    waitlist_position: int | None = None


class CancellationAnswer(BaseModel):
    id: str
    status: RegistrationStatus


class MeetingView(BaseModel):
    id: str
    title: str
    place: str | None
    starts_at: str
    ends_at: str
    audience: list[Sector]
    capacity: int
    seats_left: int
    waitlist_length: int
    # Signed up for the draw and not yet drawn (always 0 when places are given first come).
    applicants: int = 0
    status: MeetingStatus


class MeetingsAnswer(BaseModel):
    meetings: list[MeetingView]


class ErrorItem(BaseModel):
    field: str | None
    code: str
    message: str


class ErrorAnswer(BaseModel):
    errors: list[ErrorItem]
