"""What the API receives and answers: strict models with size limits, and the status vocabulary."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
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

# C0 and C1 control characters (NUL, CR, LF, ESC, ...) and DEL: never in a name or a one-line answer. They
# break mail headers and hide in exports.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A multi-line answer keeps its line breaks and tabs; every other control character is refused.
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(pattern: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        if pattern.search(value):
            raise PydanticCustomError("control_character", "a control character is not allowed")
        return value

    return AfterValidator(check)


# A web address in a name: a scheme, `www.`, a domain with a path, or a domain of a common top-level domain.
# Names reach other people's mail (a guardian's request), so a stranger could make them into a link there.
_URL = re.compile(
    r"[a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]\.[a-z]{2,}/"
    r"|[a-z0-9-]\.(?:nl|com|net|org|eu|be|info|io|ly|me|app|xyz|top|site|online|link|shop)\b",
)


def _plain_name(value: str) -> str:
    """A name of a person or a school: at least one letter, and no web address."""
    if not any(unicodedata.category(char).startswith("L") for char in value):
        raise PydanticCustomError("no_letter", "a name needs a letter")
    return _no_web_address(value)


def _no_web_address(value: str) -> str:
    """No web address, also not one hidden by full-width characters or invisible joiners: compared after
    NFKC and without format characters."""
    visible = "".join(c for c in unicodedata.normalize("NFKC", value) if unicodedata.category(c) != "Cf")
    if _URL.search(visible.casefold()):
        raise PydanticCustomError("web_address", "a name holds a web address")
    return value


class RegistrationStatus(StrEnum):
    # Signed up for the draw (`allocation: draw`): no seat yet; the draw after the deadline decides.
    APPLIED = "applied"
    PLACED = "placed"
    WAITLISTED = "waitlisted"
    PENDING_GUARDIAN = "pending_guardian"
    CANCELLED = "cancelled"
    # Signed up, address not yet confirmed: holds no seat, no reserve place and no entry in the draw's pool;
    # gone (with its data) after the edition's `confirm_within_hours`.
    UNCONFIRMED = "unconfirmed"


class MeetingStatus(StrEnum):
    OPEN = "open"
    FULL = "full"  # the waiting list is open
    CLOSED = "closed"


def _text(max_length: int) -> object:
    return StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=max_length)


# Personal data stays out of a model's repr: Powertools' debug log (POWERTOOLS_DEBUG) writes every route's
# arguments, and a repr in a traceback or a log line must not carry a name, an address or a token either.
_PRIVATE = Field(repr=False)
Name = Annotated[str, _text(100), _no_control(_CONTROL), AfterValidator(_plain_name), _PRIVATE]
Email = Annotated[EmailStr, StringConstraints(max_length=254), _PRIVATE]
Token = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9_-]{20,100}$"), _PRIVATE]
OptionalText = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, max_length=500),
    _no_control(_CONTROL_IN_LINES),
]


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
    organisation: Annotated[str, _text(150), _no_control(_CONTROL), AfterValidator(_plain_name)] | None = (
        Field(default=None, repr=False)
    )
    # Shown in the guardian's request too, so no link there either.
    needs: (
        Annotated[
            OptionalText, AfterValidator(_no_web_address), Field(description="Diet or accessibility needs")
        ]
        | None
    ) = Field(default=None, repr=False)
    privacy_consent: StrictBool
    under_16: StrictBool = False
    guardian: Guardian | None = Field(default=None, repr=False)
    website: Annotated[str, StringConstraints(strict=True, max_length=200)] | None = Field(
        default=None, description="Honeypot: a field people never see. Leave it empty.", repr=False
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
        # Errors here have no location of their own; field_errors.py names the field each code belongs to.
        if self.role is Role.LEERLING and "under_16" not in self.model_fields_set:
            # Unanswered, a pupil of 12 would be placed without a parent asked.
            raise PydanticCustomError("under_16_required", "a pupil must say whether they are under 16")
        if self.under_16 and self.guardian is None:
            raise PydanticCustomError("guardian_required", "a pupil under 16 needs a guardian")
        if not self.under_16 and self.guardian is not None:
            raise PydanticCustomError("guardian_not_allowed", "a guardian is only for pupils under 16")
        if self.guardian is not None and normalise_email(self.guardian.email) == normalise_email(self.email):
            # The pupil could approve their own sign-up.
            raise PydanticCustomError("guardian_email_same", "the guardian's address is the pupil's")
        return self


def normalise_email(email: str) -> str:
    """An address as the uniqueness marker and the guardian check compare it."""
    return unicodedata.normalize("NFKC", email).strip().lower()


class CancellationRequest(_Strict):
    """The body of `POST /api/cancellations`: the id and secret token from the confirmation e-mail."""

    registration_id: Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-f]{32}$")]
    token: Token


class ConsentRequest(_Strict):
    """The body of `POST /api/consents`: a guardian's answer, with the id and token from their e-mail."""

    registration_id: Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-f]{32}$")]
    token: Token
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
    # Only while `unconfirmed`: the moment (ISO 8601) the link in the e-mail stops working.
    confirm_before: str | None = None


class ConfirmationRequest(CancellationRequest):
    """The body of `POST /api/confirmations`: the id and token of the link in the first e-mail."""


class ConfirmationAnswer(BaseModel):
    id: str
    # `pending_guardian` never: a pupil under 16 is confirmed by their guardian's consent.
    status: Literal["applied", "placed", "waitlisted", "cancelled"]
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
