"""The registration API: a Lambda handler behind API Gateway (HTTP API, payload v2).

Routes are thin: read the request, call one function of `service`, return a model. Domain errors become
HTTP answers in one table below. A form post without JavaScript gets a redirect or a small Dutch page.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import Metrics, MetricUnit

from praatmee import METRICS_NAMESPACE, guardian_consent, origin, pages, service, texts
from praatmee.edition import load_edition
from praatmee.errors import (
    HTTP_STATUS,
    DomainError,
    MalformedBody,
)
from praatmee.field_errors import field_error
from praatmee.models import (
    CancellationAnswer,
    CancellationRequest,
    ConfirmationAnswer,
    ConfirmationRequest,
    ConsentAnswer,
    ConsentRequest,
    ErrorAnswer,
    ErrorItem,
    MeetingsAnswer,
    RegistrationAnswer,
    RegistrationRequest,
)
from praatmee.reader import FORM, JSON, RequestReader, media_type
from praatmee.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from praatmee.mail import MailContext
    from praatmee.settings import Settings

logger = Logger(service="praatmee-api")
metrics = Metrics(namespace=METRICS_NAMESPACE, service="praatmee-api")


ERROR_RESPONSES: dict[int, OpenAPIResponse] = {
    status: {"description": description, "content": {JSON: {"model": ErrorAnswer}}}
    for status, description in [
        (400, "The body is not readable JSON or form data"),
        (403, "A form post from another site"),
        (409, "already_registered, registration_closed, not_eligible or guardian_asked_too_often"),
        (413, "The body is too large"),
        (415, "Neither JSON nor form data"),
        (422, "Invalid fields, with a Dutch message per field"),
        (503, "Busy or unclear: nothing was written, try again"),
    ]
}


def get_settings() -> Settings:
    # Validating the settings is work for the first request, not for the import (bench_api_import.py).
    from praatmee.settings import get_settings as cached_settings

    return cached_settings()


app = APIGatewayHttpResolver(enable_validation=True)
# No public hook of Powertools runs before validation, so our reader takes its private place (DECISIONS.md).
app._request_validation_middleware = RequestReader()  # type: ignore[no-untyped-call]


def _is_form_post() -> bool:
    return media_type(app.current_event.headers) == FORM


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
        return pages.form_error_page(status, errors, back=get_settings().form_path)
    return _json(status, {"errors": [error.model_dump() for error in errors]})


def _see_result(
    status: str, waitlist_position: int | None = None, meeting: str | None = None
) -> Response[Any]:
    """Post/Redirect/Get for form posts: a result page per status; no personal data in the URL. The fragment
    names the meeting, which the page then shows (CSS `:target`, so also without JavaScript)."""
    location = f"{get_settings().result_path}{status}/"
    if waitlist_position:
        location += f"?positie={waitlist_position}"
    if meeting:
        location += f"#bijeenkomst-{meeting}"
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
            "description": "unconfirmed (the e-mail's link confirms it), placed, waitlisted, applied or "
            "pending_guardian",
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
            registered.confirm_token,
        )
        for promoted in registered.promoted:  # seats this sign-up found free went to people waiting
            mail.after_promotion(_mailing(), promoted)
    elif registered.outcome is service.Outcome.REPLAYED:
        from praatmee import mail

        mail.after_replay(_mailing(), registered.answer.id)
    if registered.outcome is service.Outcome.HONEYPOT:
        logger.info("honeypot filled: nothing stored")
    else:
        logger.info(
            "registration answered",
            extra={
                "outcome": status,
                "meeting": registered.answer.meeting,
                "replayed": registered.outcome is service.Outcome.REPLAYED,
            },
        )
    _count(registered.outcome.value)
    if _is_form_post():
        return _see_result(status, registered.answer.waitlist_position, registered.answer.meeting)
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
    "/api/confirmations",
    summary="Confirm a sign-up's address with the id and token from its first e-mail",
    responses={
        200: {
            "description": "placed, waitlisted or applied (also when it was confirmed before)",
            "content": {JSON: {"model": ConfirmationAnswer}},
        },
        303: {"description": "Form posts: the result page of the site"},
        **{status: ERROR_RESPONSES[status] for status in (400, 403, 413, 415, 422, 503)},
        404: {"description": "Unknown id or wrong token", "content": {JSON: {"model": ErrorAnswer}}},
        410: {"description": "Expired: sign up again", "content": {JSON: {"model": ErrorAnswer}}},
    },
)
def confirm_registration(confirmation: Annotated[ConfirmationRequest, Body()]) -> Response[Any]:
    from praatmee import confirming

    confirmed = confirming.confirm(_ctx(), confirmation.registration_id, confirmation.token)
    answer = confirmed.answer
    logger.info("registration confirmed", extra={"outcome": answer.status, "newly": confirmed.newly})
    _count(f"confirmed_{answer.status}")
    if confirmed.newly:
        from praatmee import mail

        mail.after_confirmation(_mailing(), answer.id, answer.waitlist_position)
        for promoted in confirmed.promoted:  # seats this confirmation found free went to people waiting
            mail.after_promotion(_mailing(), promoted)
    if _is_form_post():
        return _see_result(answer.status, answer.waitlist_position, answer.meeting)
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
    consented = guardian_consent.answer_consent(
        _ctx(), consent.registration_id, consent.token, consent.decision
    )
    answer = consented.answer
    logger.info("consent answered", extra={"outcome": answer.status})
    _count(f"consent_{answer.status}")
    if answer.status != "declined":
        from praatmee import mail

        mail.after_consent(_mailing(), answer.id, answer.waitlist_position)
        for promoted in consented.promoted:  # seats this consent found free went to people waiting
            mail.after_promotion(_mailing(), promoted)
    if _is_form_post():
        return _see_result("consented" if answer.status != "declined" else "declined")
    return _json(200, answer.model_dump(mode="json"))


# The pages the links in the e-mails open: they ask; only their form's POST above changes anything.
app.include_router(pages.router)


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
    errors = [field_error(error) for error in exc.errors()]
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
    if (refused := origin.refusal(event)) is not None:  # first: not through CloudFront, no work at all
        return refused
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
