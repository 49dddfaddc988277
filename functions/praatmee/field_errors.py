"""Pydantic's validation errors as the contract's field errors: a field, a stable code and a Dutch message."""

from __future__ import annotations

from typing import Any

from praatmee import texts
from praatmee.errors import MalformedBody
from praatmee.models import ErrorItem

CHOICE_FIELDS = frozenset({"meeting", "role", "sector"})
CONSENT_FIELDS = frozenset({"privacy_consent", "guardian.consent"})
_CODES = {
    "missing": "missing",
    "string_too_short": "missing",
    "too_short": "missing",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "enum": "invalid_choice",
    "literal_error": "invalid_choice",
    "extra_forbidden": "not_allowed",
    "consent_required": "consent_required",
    "duplicate_theme": "duplicate_theme",
    "guardian_required": "guardian_required",
    "guardian_not_allowed": "guardian_not_allowed",
    "under_16_required": "under_16_required",
    "guardian_email_same": "guardian_email_same",
    "control_character": "control_character",
    "web_address": "web_address",
    "no_letter": "no_letter",
}
# The model's own rules have no location: the field each one is about.
_RULE_FIELDS = {
    "guardian_required": "guardian",
    "guardian_not_allowed": "guardian",
    "under_16_required": "under_16",
    "guardian_email_same": "guardian.email",
}


# The fields in the order the form shows them (overrides/aanmelden.html): errors are listed in this order.
FORM_ORDER = (
    "name", "email", "role", "sector", "themes", "meeting", "organisation", "needs", "under_16",
    "guardian", "guardian.name", "guardian.email", "guardian.consent", "privacy_consent",
)  # fmt: skip


def in_form_order(errors: list[ErrorItem]) -> list[ErrorItem]:
    """Errors as a reader meets their fields; errors about the whole request first."""
    place = {field: index for index, field in enumerate(FORM_ORDER)}
    return sorted(errors, key=lambda error: place.get(error.field, len(FORM_ORDER)) if error.field else -1)


def field_error(error: Any) -> ErrorItem:
    """A pydantic error as a field, a code of the contract and a Dutch message."""
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    kind = str(error.get("type", ""))
    path = loc[1:] if loc[:1] == ["body"] else loc
    field = ".".join(path) or None
    if field is None:
        field = _RULE_FIELDS.get(kind)
    if kind == "json_invalid" or field is None:
        return ErrorItem(
            field=None, code=MalformedBody.code, message=texts.ERROR_MESSAGES[MalformedBody.code]
        )
    code = _CODES.get(kind, "invalid")
    if code == "missing" and field in CONSENT_FIELDS:
        code = "consent_required"  # an unticked checkbox is simply not sent
    if code == "invalid" and field.endswith("email") and kind == "value_error":
        code = "invalid_email"
    if field in ("meeting", "second_meeting") and kind == "string_pattern_mismatch":
        code = "invalid_choice"
    message_key = code
    if code == "missing" and field in CHOICE_FIELDS:
        message_key = "choice_missing"
    if code == "missing" and field == "themes":
        message_key = "themes_missing"
    elif code == "consent_required" and field.startswith("guardian"):
        message_key = "guardian_consent_required"
    label = texts.FIELD_LABELS.get(field, "dit veld")
    return ErrorItem(field=field, code=code, message=texts.FIELD_MESSAGES[message_key].format(label=label))
