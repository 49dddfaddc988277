"""The registration API: a Lambda handler behind API Gateway (HTTP API, payload v2).

Routes are thin: read the request, call one function of `service`, return a model. Domain errors become
HTTP answers in one table below. A form post without JavaScript gets a redirect or a small Dutch page.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import sys
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import Metrics, MetricUnit

from praatmee import METRICS_NAMESPACE, service, texts
from praatmee.edition import load_edition
from praatmee.errors import (
    AlreadyRegistered,
    BodyTooLarge,
    DomainError,
    ForeignOrigin,
    MalformedBody,
    NotEligible,
    RegistrationClosed,
    RegistrationNotFound,
    TryAgain,
    UnknownMeeting,
    UnsupportedMediaType,
)
from praatmee.models import (
    CancellationAnswer,
    CancellationRequest,
    ConsentAnswer,
    ConsentRequest,
    ErrorAnswer,
    ErrorItem,
    MeetingsAnswer,
    RegistrationAnswer,
    RegistrationRequest,
    RegistrationStatus,
)
from praatmee.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from praatmee.mail import MailContext
    from praatmee.settings import Settings

logger = Logger(service="praatmee-api")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="praatmee-api")

# The one table from domain errors to HTTP status codes.
HTTP_STATUS: dict[type[DomainError], int] = {
    MalformedBody: 400,
    ForeignOrigin: 403,
    RegistrationNotFound: 404,
    AlreadyRegistered: 409,
    NotEligible: 409,
    RegistrationClosed: 409,
    BodyTooLarge: 413,
    UnsupportedMediaType: 415,
    UnknownMeeting: 422,
    TryAgain: 503,
}

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CHECKED = frozenset({"on", "ja", "true", "1", "yes"})
FORM_FLAGS = frozenset({"privacy_consent", "under_16", "guardian_consent"})

ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    status: {"description": description, "content": {JSON: {"model": ErrorAnswer}}}
    for status, description in [
        (400, "The body is not readable JSON or form data"),
        (403, "A form post from another site"),
        (409, "already_registered, registration_closed or not_eligible"),
        (413, "The body is too large"),
        (415, "Neither JSON nor form data"),
        (422, "Invalid fields, with a Dutch message per field"),
        (503, "Busy or unclear: nothing was written, try again"),
    ]
}


class RequestReader(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, with our own reading of the body before the model checks it.

    It refuses oversized bodies (413), unreadable bodies (400), other content types (415) and form posts
    from other sites (403), and turns a form post into the same fields the JSON body has, so both go
    through one model.
    """

    def _get_body(self, app: Any) -> Any:
        event = app.current_event
        settings = get_settings()
        raw = event.body or ""
        if len(raw) > settings.max_body_bytes * 2:  # cheap early refusal before decoding
            raise BodyTooLarge(f"{len(raw)} characters")
        try:
            data = base64.b64decode(raw, validate=True) if event.is_base64_encoded else raw.encode()
            if len(data) > settings.max_body_bytes:
                raise BodyTooLarge(f"{len(data)} bytes")
            text = data.decode("utf-8")
        except (binascii.Error, UnicodeError) as exc:
            raise MalformedBody("body is not valid base64 or UTF-8") from exc
        media_type = _media_type(event.headers)
        if media_type == JSON:
            try:
                return json.loads(text)
            except ValueError as exc:
                raise MalformedBody("body is not JSON") from exc
        if media_type == FORM:
            _check_origin(event.headers, settings.site_origin)
            try:
                fields = parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=60)
            except ValueError as exc:
                raise MalformedBody("form data not readable") from exc
            return form_to_fields(fields)
        raise UnsupportedMediaType((media_type or "none")[:60])


def get_settings() -> Settings:
    # pydantic-settings costs a tenth of the cold import; it is first needed by the first request.
    from praatmee.settings import get_settings as cached_settings

    return cached_settings()


def _media_type(headers: Any) -> str:
    return str(headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def _check_origin(headers: Any, site_origin: str) -> None:
    """Form posts must come from the site's own pages (browsers send Origin; older ones only Referer)."""
    origin = headers.get("origin")
    if origin is not None:
        if origin != site_origin:
            raise ForeignOrigin("origin differs")
        return
    referer = str(headers.get("referer") or "")
    if referer != site_origin and not referer.startswith(site_origin + "/"):
        raise ForeignOrigin("no matching origin or referer")


def form_to_fields(form: dict[str, list[str]]) -> dict[str, Any]:
    """Form fields as the JSON body has them: checkboxes become booleans, `guardian_*` a nested object.

    Empty optional fields are left out; a field sent twice stays a list, so the model refuses it.
    """
    data: dict[str, Any] = {}
    guardian: dict[str, Any] = {}
    for key, values in form.items():
        if key == "themes":
            data[key] = [value for value in values if value]
            continue
        value: Any = values[0] if len(values) == 1 else values
        if key in FORM_FLAGS:
            value = isinstance(value, str) and value.strip().lower() in CHECKED
        elif value == "":
            continue
        if key.startswith("guardian_"):
            guardian[key.removeprefix("guardian_")] = value
        else:
            data[key] = value
    # The form always has the guardian fields; they count only for a pupil under 16.
    if data.get("under_16") is True:
        guardian.setdefault("consent", False)
        data["guardian"] = guardian
    return data


app = APIGatewayHttpResolver(enable_validation=True)
# Our reader replaces Powertools' default request validator (same class, one method overridden).
app._request_validation_middleware = RequestReader()  # type: ignore[no-untyped-call]


def _is_form_post() -> bool:
    return _media_type(app.current_event.headers) == FORM


def _ctx() -> service.Context:
    ctx: service.Context = app.context["service"]
    return ctx


def _mailing() -> MailContext | None:
    """The mail context of this request; in Lambda built on the first mail, None when a test sends none."""
    get_mailing: Callable[[], MailContext | None] = app.context["mail"]
    return get_mailing()


def _count(outcome: str) -> None:
    # The only dimension is the outcome code: never anything a person typed. Flushed at once, so
    # every answer (also an error answer) writes exactly one figure.
    metrics.add_dimension(name="outcome", value=outcome)
    metrics.add_metric(name="Registrations", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _error_answer(status: int, errors: list[ErrorItem]) -> Response[Any]:
    if _is_form_post():
        return _form_error_page(status, errors)
    return _json(status, {"errors": [error.model_dump() for error in errors]})


def _form_error_page(status: int, errors: list[ErrorItem]) -> Response[Any]:
    items = "".join(f"<li>{html.escape(error.message)}</li>" for error in errors)
    # "What you still need to change" only fits errors on fields, not "busy, try again".
    intro = f"<p>{html.escape(texts.FORM_ERROR_INTRO)}</p>" if any(e.field for e in errors) else ""
    back = html.escape(get_settings().form_path)
    inner = f'{intro}<ul>{items}</ul><p><a href="{back}">{html.escape(texts.FORM_BACK)}</a></p>'
    return _page(status, texts.FORM_ERROR_TITLE, inner, title_prefix=texts.FORM_TEXTS["error_title_prefix"])


def _see_result(status: str, waitlist_position: int | None = None) -> Response[Any]:
    """Post/Redirect/Get for form posts: a result page per status; no personal data in the URL."""
    location = f"{get_settings().result_path}{status}/"
    if waitlist_position:
        location += f"?positie={waitlist_position}"
    return Response(
        status_code=303, content_type=content_types.TEXT_PLAIN, body="", headers={"Location": location}
    )


# -- routes ----------------------------------------------------------------------------------------


@app.get(
    "/api/meetings",
    summary="Meetings with seats left",
    responses={
        200: {"description": "Every meeting of the edition", "content": {JSON: {"model": MeetingsAnswer}}},
        503: ERROR_RESPONSES[503],
    },
)
def list_meetings() -> MeetingsAnswer:
    return service.meetings_overview(_ctx())


@app.post(
    "/api/registrations",
    summary="Sign up for one meeting (JSON, or a form post without JavaScript)",
    responses={
        201: {
            "description": "placed, waitlisted or pending_guardian",
            "content": {JSON: {"model": RegistrationAnswer}},
        },
        303: {"description": "Form posts: the result page of the site"},
        **{status: ERROR_RESPONSES[status] for status in (400, 403, 409, 413, 415, 422, 503)},
    },
)
def create_registration(registration: Annotated[RegistrationRequest, Body()]) -> Response[Any]:
    registered = service.register(_ctx(), registration)
    status = registered.answer.status.value
    if registered.stored:
        # After the write, never instead of it: a mail that fails is sent by the daily job (mail.py).
        # Imported here, like the settings: the import budget of a cold start has no room for it.
        from praatmee import mail

        mail.after_registration(
            _mailing(),
            registered.answer.id,
            registered.cancel_token,
            registered.guardian_token,
            registered.answer.waitlist_position,
        )
    if not registered.answer.waitlist_position and not registered.stored and registration.website:
        logger.info("honeypot filled: nothing stored")
        _count("honeypot")
    else:
        logger.info(
            "registration answered",
            extra={
                "outcome": status,
                "meeting": registered.answer.meeting,
                "replayed": not registered.stored,
            },
        )
        _count(status if registered.stored else "replayed")
    if _is_form_post():
        return _see_result(status, registered.answer.waitlist_position)
    return _json(201, registered.answer.model_dump(mode="json"))


@app.post(
    "/api/cancellations",
    summary="Cancel a registration with the id and secret token from the e-mail",
    responses={
        200: {"description": "cancelled", "content": {JSON: {"model": CancellationAnswer}}},
        303: {"description": "Form posts: the result page of the site"},
        **{status: ERROR_RESPONSES[status] for status in (400, 403, 413, 415, 422, 503)},
        404: {"description": "Unknown id or wrong token", "content": {JSON: {"model": ErrorAnswer}}},
    },
)
def cancel_registration(cancellation: Annotated[CancellationRequest, Body()]) -> Response[Any]:
    cancelled = service.cancel_registration(_ctx(), cancellation.registration_id, cancellation.token)
    answer = cancelled.answer
    logger.info("registration cancelled", extra={"promoted": cancelled.promoted is not None})
    _count("cancelled")
    if cancelled.promoted is not None:
        from praatmee import mail

        mail.after_promotion(_mailing(), cancelled.promoted)
    if _is_form_post():
        return _see_result(answer.status.value)
    return _json(200, answer.model_dump(mode="json"))


@app.post(
    "/api/consents",
    summary="A guardian confirms or declines a pupil's sign-up, with the id and token from their e-mail",
    responses={
        200: {"description": "placed, waitlisted or declined", "content": {JSON: {"model": ConsentAnswer}}},
        303: {"description": "Form posts: the result page of the site"},
        **{status: ERROR_RESPONSES[status] for status in (400, 403, 413, 415, 422, 503)},
        404: {"description": "Unknown id or wrong token", "content": {JSON: {"model": ErrorAnswer}}},
    },
)
def answer_consent(consent: Annotated[ConsentRequest, Body()]) -> Response[Any]:
    answer = service.answer_consent(_ctx(), consent.registration_id, consent.token, consent.decision)
    logger.info("consent answered", extra={"outcome": answer.status})
    _count(f"consent_{answer.status}")
    if answer.status != "declined":
        from praatmee import mail

        mail.after_consent(_mailing(), answer.id, answer.waitlist_position)
    if _is_form_post():
        return _see_result("consented" if answer.status != "declined" else "declined")
    return _json(200, answer.model_dump(mode="json"))


# -- the pages the links in the e-mails open: they ask, only their form's POST changes anything ------


def _link_query() -> tuple[str, str] | None:
    event = app.current_event
    registration_id = event.get_query_string_value("registration_id") or ""
    token = event.get_query_string_value("token") or ""
    try:
        CancellationRequest(registration_id=registration_id, token=token)
    except ValueError:
        return None
    return registration_id, token


def _page(status: int, title: str, inner: str, title_prefix: str = "") -> Response[Any]:
    """A small Dutch page without scripts or outside resources (the site's Content-Security-Policy holds)."""
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(title_prefix + title)}</title>"
        '<link rel="stylesheet" href="/assets/praatmee.css"></head>'
        f'<body><main class="pm-link-page"><h1>{html.escape(title)}</h1>{inner}'
        f'<p><a href="/">{html.escape(texts.LINK_PAGES["home"])}</a></p></main></body></html>'
    )
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=page,
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
    )


def _not_found_page() -> Response[Any]:
    words = texts.LINK_PAGES
    return _page(404, words["not_found_title"], f"<p>{html.escape(words['not_found'])}</p>")


def _hidden(registration_id: str, token: str) -> str:
    return (
        f'<input type="hidden" name="registration_id" value="{html.escape(registration_id)}">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">'
    )


@app.get("/api/cancellations", summary="The page a cancel link opens: it asks; nothing changes on GET")
def cancellation_page() -> Response[Any]:
    words = texts.LINK_PAGES
    query = _link_query()
    if query is None:
        return _not_found_page()
    registration_id, token = query
    try:
        stored = service.registration_for_token(_ctx(), registration_id, token)
    except RegistrationNotFound:
        return _not_found_page()
    if stored.status is RegistrationStatus.CANCELLED:
        return _page(200, words["cancel_title"], f"<p>{html.escape(words['cancelled_already'])}</p>")
    meeting = _ctx().edition.meeting(stored.meeting)
    line = texts.meeting_line(_ctx().edition, meeting) if meeting else stored.meeting
    inner = (
        f"<p>{html.escape(words['cancel_intro'])}</p><p><strong>{html.escape(line)}</strong></p>"
        f"<p>{html.escape(words['cancel_question'])}</p>"
        f'<form method="post" action="/api/cancellations">{_hidden(registration_id, token)}'
        f'<button type="submit">{html.escape(words["cancel_button"])}</button></form>'
    )
    return _page(200, words["cancel_title"], inner)


def _decision_button(decision: str, label: str) -> str:
    return f'<p><button type="submit" name="decision" value="{decision}">{html.escape(label)}</button></p>'


@app.get("/api/consents", summary="The page a guardian's link opens: it asks; nothing changes on GET")
def consent_page() -> Response[Any]:
    words = texts.LINK_PAGES
    query = _link_query()
    if query is None:
        return _not_found_page()
    registration_id, token = query
    try:
        data = service.guardian_registration(_ctx(), registration_id, token)
    except RegistrationNotFound:
        return _not_found_page()
    if data.get("status") in ("placed", "waitlisted"):
        return _page(200, words["consent_title"], f"<p>{html.escape(words['consent_done'])}</p>")
    if data.get("status") != "pending_guardian":
        return _not_found_page()
    pupil = str(data.get("name", ""))
    meeting = _ctx().edition.meeting(str(data.get("meeting")))
    line = texts.meeting_line(_ctx().edition, meeting) if meeting else ""
    inner = (
        f"<p>{html.escape(words['consent_intro'].format(pupil=pupil))}</p>"
        f"<p><strong>{html.escape(line)}</strong></p>"
        f"<p>{html.escape(words['consent_question'].format(pupil=pupil))}</p>"
        f'<form method="post" action="/api/consents">{_hidden(registration_id, token)}'
        f"{_decision_button('confirm', words['consent_yes'])}"
        f"{_decision_button('decline', words['consent_no'])}"
        "</form>"
    )
    return _page(200, words["consent_title"], inner)


# -- errors: the one place that turns them into answers --------------------------------------------


@app.exception_handler(DomainError)  # type: ignore[untyped-decorator]
def _domain_error(exc: DomainError) -> Response[Any]:
    status = next(HTTP_STATUS[cls] for cls in type(exc).__mro__ if cls in HTTP_STATUS)
    log = logger.warning if status == 503 else logger.info
    log("request refused", extra={"status": status, "code": exc.code, "detail": str(exc)})
    _count(exc.code)
    message = texts.ERROR_MESSAGES[exc.code]
    return _error_answer(status, [ErrorItem(field=exc.field, code=exc.code, message=message)])


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def _invalid_request(exc: RequestValidationError) -> Response[Any]:
    errors = [_field_error(error) for error in exc.errors()]
    status = 400 if any(error.code == MalformedBody.code for error in errors) else 422
    # Field names and codes only: pydantic's `input` holds what the person typed.
    logger.info(
        "request invalid", extra={"status": status, "fields": [f"{e.field}:{e.code}" for e in errors]}
    )
    _count("invalid")
    return _error_answer(status, errors)


@app.not_found
def _no_route(exc: NotFoundError) -> Response[Any]:
    return _json(
        404,
        {
            "errors": [
                {"field": None, "code": "not_found", "message": texts.ERROR_MESSAGES["not_found_route"]}
            ]
        },
    )


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
}


def _field_error(error: Any) -> ErrorItem:
    """A pydantic error as a field, a code of the contract and a Dutch message."""
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    kind = str(error.get("type", ""))
    path = loc[1:] if loc[:1] == ["body"] else loc
    field = ".".join(path) or None
    if kind == "json_invalid" or (
        field is None and kind not in {"guardian_required", "guardian_not_allowed"}
    ):
        return ErrorItem(
            field=None, code=MalformedBody.code, message=texts.ERROR_MESSAGES[MalformedBody.code]
        )
    if field is None:
        field = "guardian"
    code = _CODES.get(kind, "invalid")
    if code == "missing" and field in CONSENT_FIELDS:
        code = "consent_required"  # an unticked checkbox is simply not sent
    if code == "invalid" and field.endswith("email") and kind == "value_error":
        code = "invalid_email"
    if field == "meeting" and kind == "string_pattern_mismatch":
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


# -- entry points ----------------------------------------------------------------------------------


@cache
def default_context() -> service.Context:
    """Built once per process, on the first request (the cold start): settings are validated here."""
    settings = get_settings()
    edition = load_edition()
    return service.Context(
        store=Store(settings.table_name),
        edition=edition,
        hash_key=settings.hash_key(),
    )


@cache
def default_mail_context() -> MailContext:
    """Built once per process, on its first mail: requests that send none never import the mail code."""
    from praatmee.mail import MailContext
    from praatmee.ses import SesSender

    settings = get_settings()
    ctx = default_context()
    return MailContext(
        store=ctx.store,
        edition=ctx.edition,
        sender=SesSender(sender=settings.sender_address, reply_to=str(ctx.edition.contact_email)),
        site_origin=settings.site_origin,
        now=ctx.now,
    )


# Every log line carries the request id of API Gateway; the event itself is never logged (it holds
# what people typed), whatever POWERTOOLS_LOGGER_LOG_EVENT says.
@logger.inject_lambda_context(
    log_event=False, correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    ctx: service.Context | None = None,
    mailing: MailContext | None = None,
) -> dict[str, Any]:
    """The Lambda entry point; tests pass their own `ctx`, and a `mailing` when mails should go out."""
    if ctx is None:
        app.append_context(service=default_context(), mail=default_mail_context)  # type: ignore[no-untyped-call]
    else:
        app.append_context(service=ctx, mail=lambda: mailing)  # type: ignore[no-untyped-call]
    return app.resolve(event, context)


def openapi_document() -> str:
    """The OpenAPI document generated from the routes; `openapi.json` at the repository root holds it."""
    schema = app.get_openapi_json_schema(
        title="Praat mee: aanmeldingen",
        version="1.0.0",
        description="Sign-ups for the basisondersteuning meetings. Messages for people are in Dutch.",
    )
    return json.dumps(json.loads(schema), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--openapi"]:
        sys.stdout.write(openapi_document())
    else:
        sys.exit("usage: python -m praatmee.api --openapi > openapi.json")
