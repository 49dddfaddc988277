"""Every AWS client gives up well inside its function's timeout, so a slow service never loses a mail.

botocore's defaults wait 60 s per read and try again: a slow SES outlasted the API's 10 s, the function was
ended after marking the receipt and before sending it, and the cancel link was lost.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from praatmee import awsconfig, bucket, dynamo, organisers, ses, settings
from praatmee.ses import Mail, MailNotSent, SesSender
from tests.fixtures import SENDER, valid_body
from tests.infra_synth import synthesize

FUNCTIONS = Path(__file__).resolve().parent.parent / "functions" / "praatmee"


def made_clients() -> dict[str, Any]:
    return {
        "dynamodb": dynamo.default_client(),
        "sesv2": ses.default_client(),
        "s3": bucket.default_client(),
        "cognito-idp": organisers._client(),
        "secretsmanager": settings._secrets().client,
    }


def test_every_client_the_functions_make_carries_the_short_timeouts(api_settings: None) -> None:
    # Given every AWS client the functions make
    clients = made_clients()

    # Then each has the shared timeouts and at most the shared number of attempts
    for name, client in clients.items():
        config = client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (1.0, 2.0), name
        assert config.retries["mode"] == "standard", name
        assert config.retries["total_max_attempts"] <= awsconfig.ATTEMPTS, name

    # And no module of the functions makes a client any other way
    made_elsewhere = [
        path.name
        for path in FUNCTIONS.glob("*.py")
        if path.name != "awsconfig.py" and re.search(r"boto3\.(client|resource)\(", path.read_text())
    ]
    assert made_elsewhere == []
    # And no secret or parameter is read through Powertools' own client, which has botocore's long defaults
    default_provider = [
        path.name
        for path in FUNCTIONS.glob("*.py")
        if re.search(r"\bget_(secret|secrets_by_name|parameter|parameters)\(", path.read_text())
    ]
    assert default_provider == []


def test_the_worst_case_of_a_call_fits_well_inside_the_shortest_function_timeout() -> None:
    # Given the functions of the synthesised template
    functions = synthesize().resources("AWS::Lambda::Function")
    timeouts = [int(resource["Properties"]["Timeout"]) for resource in functions.values()]
    assert min(timeouts) == 10  # the registration API's

    # Then one call gives up within three quarters of the shortest timeout, whatever it waits for
    assert 0.75 * min(timeouts) >= awsconfig.WORST_CASE_SECONDS


class SlowHandler(http.server.BaseHTTPRequestHandler):
    """Answers nothing for longer than the read timeout: a slow SES."""

    calls = 0
    release = threading.Event()

    def do_POST(self) -> None:
        type(self).calls += 1
        self.release.wait(5)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def slow_ses(monkeypatch: pytest.MonkeyPatch, api_settings: None) -> Iterator[type[SlowHandler]]:
    monkeypatch.setattr(awsconfig, "READ_TIMEOUT", 0.3)  # the test's own, short wait; the rule is the same
    SlowHandler.calls = 0
    SlowHandler.release.clear()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", f"http://127.0.0.1:{server.server_address[1]}")
    yield SlowHandler
    SlowHandler.release.set()
    server.shutdown()


def test_a_slow_ses_gives_up_after_the_shared_attempts(slow_ses: type[SlowHandler]) -> None:
    # Given SES that does not answer in time
    sender = SesSender(sender=SENDER, reply_to="vragen@example.org")

    # When a mail is sent
    with pytest.raises(MailNotSent) as refused:
        sender.send(Mail(to="iemand@example.org", subject="Test", text="Hallo", html="<p>Hallo</p>"))

    # Then the sender gave up after the shared number of attempts, on a read timeout
    assert refused.value.code == "ReadTimeoutError"
    assert slow_ses.calls == awsconfig.ATTEMPTS


def test_a_sign_up_still_answers_when_ses_is_slow(
    slow_ses: type[SlowHandler], ctx: Any, edition: Any
) -> None:
    # Given the API with a real SES client that finds SES slow
    from praatmee.mail import MailContext
    from tests.fixtures import SITE, Api, registration_data

    sender = SesSender(sender=SENDER, reply_to=str(edition.contact_email))
    mail_ctx = MailContext(store=ctx.store, edition=edition, sender=sender, site_origin=SITE, now=ctx.now)
    app = Api(ctx, mail_ctx)

    # When someone signs up and confirms
    answer = app.register(**valid_body())

    # Then the sign-up is stored and answered, and the receipt stays owed to the daily job: both mails (the
    # confirm request and the receipt) gave up after the shared number of attempts
    assert answer.status == 201
    assert answer.json["status"] == "placed"
    assert slow_ses.calls == 2 * awsconfig.ATTEMPTS
    data = registration_data(ctx.store, answer.json["id"])
    assert data is not None
    assert "mail_receipt" not in data
    assert data["mail_failures"] == 2
