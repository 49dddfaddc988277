"""Sending e-mail through Amazon SES (API v2): the only module that talks to SES.

A mail is plain text plus simple HTML (multipart/alternative), with optional attachments, sent as one raw
MIME message so an .ics file can travel with it. The client is made lazily, on the first mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from email.message import EmailMessage
    from email.policy import EmailPolicy


class MailNotSent(Exception):
    """SES refused or could not be reached. `code` is SES's error code: never an address."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=PUBLISH"
    data: bytes


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


@cache
def smtp_policy() -> EmailPolicy[EmailMessage]:
    """The email package's SMTP policy, with a registry that makes each header class once.

    `HeaderRegistry` builds a new class for every header it parses (some thirty per receipt): a third of the
    time a mail takes to compose (bench_api_warm.py). The classes it builds for one name are all alike.
    """
    from email.headerregistry import BaseHeader, HeaderRegistry
    from email.policy import SMTP

    class OnceHeaderRegistry(HeaderRegistry):
        def __init__(self) -> None:
            super().__init__()
            self.classes: dict[str, type[BaseHeader]] = {}

        def __getitem__(self, name: str) -> type[BaseHeader]:
            key = name.lower()
            if key not in self.classes:
                self.classes[key] = super().__getitem__(name)
            return self.classes[key]

    return SMTP.clone(header_factory=OnceHeaderRegistry())


def mime(mail: Mail, sender: str, reply_to: str) -> bytes:
    """The raw message: text and HTML as alternatives, attachments after them."""
    from email.message import EmailMessage  # the email package is paid for on the first mail only
    from email.utils import formatdate, make_msgid

    message = EmailMessage(policy=smtp_policy())
    message["From"] = sender
    message["To"] = mail.to
    message["Reply-To"] = reply_to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.text, charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    for attachment in mail.attachments:
        kind, *params = (part.strip() for part in attachment.content_type.split(";"))
        maintype, _, subtype = kind.partition("/")
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
            params=dict(param.partition("=")[::2] for param in params),
        )
    # Last: set_content, add_alternative and add_attachment move or clear the Content-* headers before them.
    message["Content-Language"] = "nl"
    return message.as_bytes()


def default_client() -> Any:
    from praatmee import awsconfig

    # Short timeouts: a slow SES must give up well before the function's own timeout ends it mid-send.
    return awsconfig.client("sesv2")


@dataclass
class SesSender:
    """Sends mails from one verified sender; replies go to the organisers (the edition's contact)."""

    sender: str
    reply_to: str
    client_factory: Callable[[], Any] = default_client
    _client: Any = field(default=None, repr=False)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    def send(self, mail: Mail) -> str:
        """Send one mail; returns SES's message id. Raises `MailNotSent`."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self.client.send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": [mail.to]},
                ReplyToAddresses=[self.reply_to],
                Content={"Raw": {"Data": mime(mail, self.sender, self.reply_to)}},
            )
        except ClientError as exc:
            raise MailNotSent(str(exc.response.get("Error", {}).get("Code", "ClientError"))) from exc
        except BotoCoreError as exc:
            raise MailNotSent(type(exc).__name__) from exc
        return str(response.get("MessageId", ""))
