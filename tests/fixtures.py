"""Every shared fixture and helper of the tests, each once.

moto's DynamoDB (a table made and seeded as the infrastructure does) and SES; a way to call the Lambda
handler as API Gateway would; Given helpers (sign-ups, a full meeting); Then helpers (the table as it is, a
registration's status, the seat invariants, the mails sent); and fakes of what AWS answers.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import html
import io
import json
import logging
import secrets
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_string
from email.message import EmailMessage, Message
from email.policy import default
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import boto3
import pytest
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from praatmee import api, beacon, commitment, service
from praatmee.commitment import CodeVersion, Commitment
from praatmee.dynamo import Item, plain
from praatmee.edition import Allocation, Edition, Sector, load_edition
from praatmee.mail import MailContext
from praatmee.models import RegistrationRequest, RegistrationStatus
from praatmee.ses import SesSender
from praatmee.settings import get_settings
from praatmee.store import Store
from praatmee.table import registration_key

REGION = "eu-west-1"
TABLE = "praatmee-test"
SITE = "https://praatmee.example.nl"
SENDER = "aanmelden@praatmee.example.nl"
HASH_KEY = "test-key-0123456789abcdef0123456789abcdef"
# Well before the deadline (1 March 2027, Europe/Amsterdam).
BEFORE_DEADLINE = dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)


@dataclass
class FakeLambdaContext:
    function_name: str = "praatmee-api"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:praatmee-api"
    aws_request_id: str = "test-request"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def codes(self) -> list[str]:
        return [error["code"] for error in self.json["errors"]]

    def shows(self, text: str) -> bool:
        """Whether an HTML answer shows `text` (one of texts.py's), escaped as the page escapes it."""
        return html.escape(text) in self.text


@dataclass
class Clock:
    now: dt.datetime = BEFORE_DEADLINE

    def __call__(self) -> dt.datetime:
        return self.now


# -- what people send --------------------------------------------------------------------------------


def valid_body(**changes: Any) -> dict[str, Any]:
    """A sign-up that is placed at the online meeting; a change of None leaves that field out."""
    body: dict[str, Any] = {
        "meeting": "online",
        "name": "Saskia de Vries",
        "email": "saskia.devries@example.org",
        "role": "ouder",
        "sector": "vo",
        "themes": ["dyslexie"],
        "privacy_consent": True,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def pupil(**changes: Any) -> dict[str, Any]:
    """The fields of a pupil under 16 whose guardian agreed to be asked (changes to `valid_body`)."""
    return {
        "role": "leerling",
        "under_16": True,
        "guardian": {"name": "Petra Jansen", "email": "petra.jansen@example.org", "consent": True},
        **changes,
    }


def http_event(
    method: str,
    path: str,
    *,
    body: str | bytes | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    base64_encoded: bool = False,
) -> dict[str, Any]:
    all_headers = {"host": "praatmee.example.nl", **(headers or {})}
    if content_type is not None:
        all_headers["content-type"] = content_type
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode()
        base64_encoded = True
    path, _, query = path.partition("?")
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        **({"queryStringParameters": dict(parse_qsl(query))} if query else {}),
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "praatmee.example.nl",
            "domainPrefix": "praatmee",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "pytest",
            },
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "15/Jan/2027:12:00:00 +0000",
            "timeEpoch": 1800000000000,
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


@dataclass
class Api:
    """Calls the Lambda handler the way API Gateway would; it sends mail only with a `mailing`."""

    ctx: service.Context
    mailing: MailContext | None = None
    calls: list[Answer] = field(default_factory=list)

    def call(self, event: dict[str, Any]) -> Answer:
        raw = api.lambda_handler(event, FakeLambdaContext(), self.ctx, self.mailing)  # type: ignore[arg-type]
        body = raw.get("body") or ""
        if raw.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        headers = {key.lower(): value for key, value in (raw.get("headers") or {}).items()}
        answer = Answer(status=int(raw["statusCode"]), headers=headers, text=body)
        self.calls.append(answer)
        return answer

    def get(self, path: str) -> Answer:
        return self.call(http_event("GET", path))

    def post_json(self, path: str, body: Any) -> Answer:
        return self.call(http_event("POST", path, body=json.dumps(body), content_type="application/json"))

    def register_unconfirmed(self, **changes: Any) -> Answer:
        """A sign-up as the form sends it, and no more: it is `unconfirmed` until its link is followed."""
        return self.post_json("/api/registrations", valid_body(**changes))

    def register(self, **changes: Any) -> Answer:
        """Someone signs up AND follows the confirm link of their first e-mail: the answer is the sign-up's,
        with the status the confirmation gave (placed, waitlisted, applied). Other answers come back as they
        are (errors, a pupil under 16, a replay of a confirmed sign-up)."""
        answer = self.register_unconfirmed(**changes)
        if answer.status != 201 or answer.json["status"] != "unconfirmed":
            return answer
        registration_id = answer.json["id"]
        if registration_data(self.ctx.store, registration_id) is None:
            return answer  # the honeypot's answer: it looks like a sign-up, and nothing was stored
        confirmed = self.confirm(registration_id, self.confirm_token(registration_id, valid_body(**changes)))
        assert confirmed.status == 200, confirmed.text
        merged = {**answer.json, **confirmed.json, "confirm_before": None}
        return Answer(201, answer.headers, json.dumps(merged))

    def confirm_token(self, registration_id: str, body: dict[str, Any]) -> str:
        """The token of the confirm link: from the mail moto's SES got, or (no mail sent) a new one written
        as the daily job's resend would."""
        if self.mailing is not None and (token := mailed_confirm_token(body["email"], registration_id)):
            return token
        return new_confirm_token(self.ctx.store, registration_id)  # no mail sent, or it was refused

    def confirm(self, registration_id: str, token: str) -> Answer:
        """What the confirm page's form sends, as JSON."""
        return self.post_json("/api/confirmations", {"registration_id": registration_id, "token": token})

    def cancel(self, registration_id: str, token: str | None) -> Answer:
        """What the cancel page's form sends, as JSON."""
        return self.post_json("/api/cancellations", {"registration_id": registration_id, "token": token})

    def consent(self, registration_id: str, token: str, decision: str) -> Answer:
        """What the guardian's page sends, as JSON."""
        body = {"registration_id": registration_id, "token": token, "decision": decision}
        return self.post_json("/api/consents", body)

    def post_form(
        self,
        path: str,
        fields: list[tuple[str, str]],
        *,
        origin: str | None = SITE,
        base64_encoded: bool = True,
    ) -> Answer:
        headers = {"origin": origin} if origin is not None else {}
        encoded = urlencode(fields)
        body: str | bytes = encoded.encode() if base64_encoded else encoded
        return self.call(
            http_event(
                "POST", path, body=body, content_type="application/x-www-form-urlencoded", headers=headers
            )
        )


# -- the function's environment, the store and the service ------------------------------------------


@pytest.fixture
def api_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Environment of the function, with fake AWS credentials so nothing can reach AWS."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "PRAATMEE_TABLE_NAME": TABLE,
        "PRAATMEE_EMAIL_HASH_KEY": HASH_KEY,
        "PRAATMEE_SITE_ORIGIN": SITE,
        "PRAATMEE_SENDER_ADDRESS": SENDER,
        "POWERTOOLS_METRICS_NAMESPACE": "Praatmee",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    get_settings.cache_clear()
    api.default_context.cache_clear()
    api.default_mail_context.cache_clear()
    yield
    get_settings.cache_clear()
    api.default_context.cache_clear()
    api.default_mail_context.cache_clear()


@pytest.fixture
def api_log() -> Iterator[io.StringIO]:
    """Everything the API logs, formatted as Lambda would write it (JSON lines)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(api.logger.registered_handler.formatter)
    api.logger.addHandler(handler)
    yield stream
    api.logger._logger.removeHandler(handler)


def first_come_edition() -> Edition:
    """The shipped edition with places given first come: the rules most API tests specify. The shipped
    allocation (the draw) has its own tests (test_draw_*)."""
    return load_edition().model_copy(update={"allocation": Allocation.FIRST_COME})


@pytest.fixture
def edition() -> Edition:
    return first_come_edition()


def make_store(table: str = TABLE, **options: Any) -> Store:
    """A table like the infrastructure's, seeded from the edition file (call inside `mock_aws`)."""
    options.setdefault("sleep", lambda _: None)
    store = Store(table, boto3.client("dynamodb", region_name=REGION), **options)
    store.create_table()
    store.seed(load_edition())
    return store


def make_context(store: Store, now: Clock | None = None, edition: Edition | None = None) -> service.Context:
    """What the handler builds once per process, on `store`, with the test key and a clock before the
    deadline."""
    return service.Context(
        store=store, edition=edition or first_come_edition(), hash_key=HASH_KEY.encode(), now=now or Clock()
    )


@pytest.fixture
def store(api_settings: None) -> Iterator[Store]:
    with mock_aws():
        yield make_store()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(store: Store, edition: Edition, clock: Clock) -> service.Context:
    return make_context(store, clock, edition)


@pytest.fixture
def client(ctx: service.Context) -> Api:
    return Api(ctx)


# -- Given: people who signed up ------------------------------------------------------------------


def sign_up_unconfirmed(ctx: service.Context, **changes: Any) -> service.Registered:
    """Someone signs up through the service (no HTTP) and does not (yet) confirm: a change to `valid_body`
    per keyword."""
    return service.register(ctx, RegistrationRequest.model_validate(valid_body(**changes)))


def sign_up(ctx: service.Context, **changes: Any) -> service.Registered:
    """Someone signs up through the service (no HTTP) and confirms with the link of their first mail: the
    answer has the status the confirmation gave. A change to `valid_body` per keyword."""
    registered = sign_up_unconfirmed(ctx, **changes)
    if registered.confirm_token is None:
        return registered
    from praatmee import confirming

    confirmed = confirming.confirm(ctx, registered.answer.id, registered.confirm_token).answer
    answer = registered.answer.model_copy(
        update={
            "status": RegistrationStatus(confirmed.status),
            "waitlist_position": confirmed.waitlist_position,
            "confirm_before": None,
        }
    )
    outcome = service.Outcome(answer.status.value)
    return dataclasses.replace(registered, answer=answer, outcome=outcome)


def new_confirm_token(store: Store, registration_id: str) -> str:
    """A fresh confirm token for an unconfirmed sign-up, written as a resent confirm mail writes it."""
    token = secrets.token_urlsafe(32)
    store.client.update_item(
        TableName=store.table_name,
        Key=registration_key(registration_id),
        UpdateExpression="SET confirm_token_hash = :hash",
        ExpressionAttributeValues={":hash": {"S": service.token_hash(token)}},
    )
    return token


def confirm_link_token(address: str, registration_id: str) -> str:
    """The token of the newest confirm link mailed to `address` for `registration_id`."""
    token = mailed_confirm_token(address, registration_id)
    if token is None:
        raise AssertionError(f"no confirm link mailed to {address}")
    return token


def mailed_confirm_token(address: str, registration_id: str) -> str | None:
    for mail in reversed(mails_to(address)):
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None
        for word in str(body.get_content()).split():
            if "/api/confirmations?" in word:
                query = dict(parse_qsl(word.partition("?")[2]))
                if query.get("registration_id") == registration_id:
                    return str(query["token"])
    return None


FillMeeting = Callable[[str], None]


@pytest.fixture
def fill_meeting(ctx: service.Context) -> FillMeeting:
    """Given helper: a meeting gets one seat and someone else takes it, so it is full.

    One seat, not the edition's 30: where the number does not matter, filling them is only slow.
    """

    def fill(meeting: str) -> None:
        sector = next(s for s in Sector if s in ctx.edition.meeting(meeting).audience)  # type: ignore[union-attr]
        ctx.store.set_capacity(meeting, 1)
        taken = sign_up(ctx, meeting=meeting, sector=sector, email="filler@example.org")
        assert taken.outcome is service.Outcome.PLACED

    return fill


# -- Then: the table as it is ----------------------------------------------------------------------


def table_items(store: Store) -> list[Item]:
    """Every item of the table, as DynamoDB holds it: a consistent, paginated scan."""
    items: list[Item] = []
    kwargs: dict[str, Any] = {"TableName": store.table_name, "ConsistentRead": True}
    while True:
        page = store.client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def registration_items(store: Store) -> list[Item]:
    """Every registration item, of every meeting and status."""
    return [item for item in table_items(store) if item["sk"]["S"] == "REG"]


def registration_data(store: Store, registration_id: str) -> dict[str, Any] | None:
    """Every field of one registration as plain values (a consistent read), or None when it is gone."""
    response = store.client.get_item(
        TableName=store.table_name, Key=registration_key(registration_id), ConsistentRead=True
    )
    item = response.get("Item")
    return None if item is None else plain(item)


def status_of(store: Store, registration_id: str) -> RegistrationStatus | None:
    """A registration's status, or None when it is gone."""
    stored = store.registration(registration_id)
    return None if stored is None else stored.status


def placed_and_waiting(store: Store, meeting: str) -> tuple[int, int]:
    """A meeting's two counters: seats taken and the length of its waiting list."""
    counts = store.meeting_counts([meeting])[meeting]
    return counts.placed, counts.waitlist_length


@dataclass(frozen=True)
class Ledger:
    """One meeting as the table holds it, from one consistent scan."""

    capacity: int
    placed: int  # the counter
    waitlist_length: int  # the counter
    registrations: dict[str, Item]  # of this meeting, by id
    waiting: list[str]  # the registration ids of the waiting-list entries, in ticket order
    markers: list[str]  # the registration ids of every uniqueness marker in the table

    def ids(self, status: RegistrationStatus) -> set[str]:
        return {rid for rid, item in self.registrations.items() if item["status"]["S"] == status.value}


def assert_seat_invariants(store: Store, meeting: str) -> Ledger:
    """The counter equals the placed registrations and never exceeds capacity; the applicants' counter equals
    the applications; the waiting list's length
    equals its entries, which are exactly the waiting registrations; every live registration holds its
    marker. Returns what was read, for assertions of the test's own."""
    items = table_items(store)
    pk = f"MEETING#{meeting}"
    [counters] = [i for i in items if i["pk"]["S"] == pk and i["sk"]["S"] == "MEETING"]
    ledger = Ledger(
        capacity=int(counters["capacity"]["N"]),
        placed=int(counters["placed"]["N"]),
        waitlist_length=int(counters["waitlist_length"]["N"]),
        registrations={
            i["registration_id"]["S"]: i
            for i in items
            if i["sk"]["S"] == "REG" and i["meeting"]["S"] == meeting
        },
        waiting=[
            i["registration_id"]["S"]
            for i in sorted(items, key=lambda i: i["sk"]["S"])
            if i["pk"]["S"] == pk and i["sk"]["S"].startswith("WAIT#")
        ],
        markers=[i["registration_id"]["S"] for i in items if i["pk"]["S"].startswith("EMAIL#")],
    )
    assert ledger.placed == len(ledger.ids(RegistrationStatus.PLACED)) <= ledger.capacity
    assert ledger.waitlist_length == len(ledger.waiting) == len(set(ledger.waiting))
    assert set(ledger.waiting) == ledger.ids(RegistrationStatus.WAITLISTED)
    assert int(counters.get("applied", {}).get("N", 0)) == len(ledger.ids(RegistrationStatus.APPLIED))
    live = set(ledger.registrations) - ledger.ids(RegistrationStatus.CANCELLED)
    assert live <= set(ledger.markers)
    return ledger


# -- mail: moto's SES and what it sent -------------------------------------------------------------


@pytest.fixture
def ses(store: Store) -> Any:
    """moto's SES (inside the `store` fixture's `mock_aws`) with the sender verified."""
    client = boto3.client("sesv2", region_name=REGION)
    client.create_email_identity(EmailIdentity=SENDER)
    return client


@pytest.fixture
def mail_ctx(ctx: service.Context, ses: Any, edition: Edition) -> MailContext:
    sender = SesSender(sender=SENDER, reply_to=str(edition.contact_email), client_factory=lambda: ses)
    return MailContext(store=ctx.store, edition=edition, sender=sender, site_origin=SITE, now=ctx.now)


@pytest.fixture
def app(ctx: service.Context, mail_ctx: MailContext) -> Api:
    """The handler as deployed: it also sends mail."""
    return Api(ctx, mail_ctx)


def sent() -> list[EmailMessage]:
    """Every mail moto's SES accepted, oldest first."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [
        message_from_string(m.raw_data, _class=EmailMessage, policy=default)
        for m in backend.sent_messages
        if hasattr(m, "raw_data")
    ]


def mails_to(address: str) -> list[EmailMessage]:
    return [m for m in sent() if m["To"] == address]


def receipts_to(address: str) -> list[EmailMessage]:
    """The mails to `address` after the confirm link: what a sign-up that counts is sent."""
    from praatmee import confirm_texts

    asks = (confirm_texts.SUBJECT, confirm_texts.SUBJECT_AGAIN)
    return [m for m in mails_to(address) if m["Subject"] not in asks]


# -- fakes of AWS's answers, and a count of the calls ------------------------------------------------


def service_name(client: Any) -> str:
    """How botocore's events name the client's service: "dynamodb", "sesv2"."""
    return str(client.meta.service_model.service_id.hyphenize())


class FakeHttp:
    """The HTTP half of an answer a `before-call` handler gives instead of AWS."""

    status_code = 400


def refuse_every(client: Any, operation: str, error: dict[str, Any]) -> None:
    """From now on `client` gets `error` for every call of `operation` (e.g. "TransactWriteItems")."""

    def refuse(**_: Any) -> tuple[FakeHttp, dict[str, Any]]:
        return FakeHttp(), error

    client.meta.events.register(f"before-call.{service_name(client)}.{operation}", refuse)


@dataclass
class CallLog:
    """Every call our code makes through a boto3 client, in order, with its parameters (botocore's
    `provide-client-params`: once per call, so botocore's own retries inside it are not counted)."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @classmethod
    def on(cls, client: Any) -> CallLog:
        log = cls()

        def note(params: dict[str, Any], model: Any, **_: Any) -> None:
            log.calls.append((model.name, dict(params)))

        client.meta.events.register(f"provide-client-params.{service_name(client)}", note)
        return log

    @property
    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]


# -- the draw anyone can check: recorded drand rounds and commitments -------------------------------------

BEACON_DIR = Path(__file__).parent / "beacon"
RECORDED_ROUND = BEACON_DIR / "quicknet-12040883.json"  # a real round of quicknet (drand/tlock's test vector)
DRAW_SECRET = "s" * 64  # as Secrets Manager would make it: 64 letters and digits
FIXED_CODE = CodeVersion(
    commit="0" * 40, clean=True, pyproject_sha256="1" * 64, draw_code_sha256="2" * 64
)  # a code version that never moves, for files that must stay byte for byte the same


def recorded_round(path: Path = RECORDED_ROUND) -> beacon.Round:
    return beacon.parse(path.read_bytes())


def trial_commitment(
    edition: Edition, secret: str = DRAW_SECRET, code: CodeVersion = FIXED_CODE
) -> Commitment:
    """A local trial's commitment of `edition` to the recorded round, made before the deadline."""
    made = edition.registration_closes_at - dt.timedelta(days=7)
    return commitment.make(edition, secret, code, made, recorded_round().number, trial=True)


@pytest.fixture
def published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edition: Edition) -> Commitment:
    """The edition's trial commitment, published where the draw and the site read it."""
    promised = trial_commitment(edition)
    path = tmp_path / "commitment.json"
    commitment.write(promised, path)
    monkeypatch.setenv(commitment.FILE_VARIABLE, str(path))
    return promised


@pytest.fixture
def drand(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """drand's relays answer the recorded round (and 404 for any other); returns the URLs asked."""
    asked: list[str] = []
    body = RECORDED_ROUND.read_bytes()

    def get(url: str) -> bytes:
        asked.append(url)
        if url.endswith(f"/public/{recorded_round().number}"):
            return body
        raise urllib.error.HTTPError(url, 404, "Not Found", Message(), None)

    monkeypatch.setattr(beacon, "http_get", get)
    return asked
