"""The local stack behind `make serve`: the whole product on one machine, without an AWS account.

It builds the site, starts moto in server mode on loopback as the local AWS (one port above the site; its
DynamoDB backend serialised, see `localaws`), creates and seeds the table and the export bucket, and serves
the site with `/api/*` routed to the same Lambda handler that runs on AWS, through a small adapter from HTTP
to API Gateway (HTTP API v2) events.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from praatmee.laptop import guard
from praatmee.laptop.compress import GzipFiles
from praatmee.laptop.gateway import FUNCTION_FAILED, LambdaContext, from_result, to_event

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "site"
REGION = "eu-central-1"
TABLE = "praatmee-local"
EXPORT_BUCKET = "praatmee-local-exports"
# The local sender, verified in moto's SES; every mail sent can be read at OUTBOX (not part of the site).
SENDER = "aanmelden@praatmee.example.nl"
OUTBOX = "/lokaal/postvak/"
# The local stack plays CloudFront: its origin header, with a value of this run only (praatmee.origin).
ORIGIN_HEADER, ORIGIN_SECRET = "x-praatmee-origin", secrets.token_urlsafe(32)

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def build_site(site: Path = SITE) -> None:
    """Build the site with --strict; mkdocs' own notices are shown only when the build fails."""
    build = subprocess.run(  # noqa: S603 - our own interpreter running mkdocs, no outside input
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        sys.stderr.write(build.stdout + build.stderr)
        raise SystemExit(f"De site kon niet worden gebouwd (mkdocs stopte met code {build.returncode}).")


def site_pages(site: Path = SITE) -> list[str]:
    """The URL path of every page of a built site (`/`, `/doel/`, ...), in a stable order."""
    pages = []
    for index in site.rglob("index.html"):
        folder = index.parent.relative_to(site)
        if "assets" not in folder.parts:
            pages.append("/" if folder == Path() else f"/{folder.as_posix()}/")
    return sorted(pages)


# -- HTTP <-> API Gateway HTTP API (payload format 2.0) ---------------------------------------------------


class LocalHandler(GzipFiles):
    """Static files from the built site, gzipped as CloudFront does (`compress`); everything under /api/ goes
    to the Lambda handler."""

    server: LocalServer
    path = ""  # until a request line is read: a malformed one leaves none

    def setup(self) -> None:
        super().setup()
        # A client that stops sending is let go after the time limit (see `guard`), not held for ever.
        self.connection.settimeout(self.server.read_limit)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if guard.unusable_target(self.path):
            self.send_error(400)
            return False
        return True

    def _is_api(self) -> bool:
        # The organisers' room (`/organisatie/…`) is a function behind the same API on AWS; the site's own
        # page `/organisaties/` is not.
        path = self.path.split("?", 1)[0]
        return path in ("/api", "/organisatie") or path.startswith(("/api/", "/organisatie/"))

    def _to_api(self) -> None:
        api = self.server.api
        if api is None:
            self.send_error(404)
            return
        try:
            body = guard.read_body(self.rfile, guard.body_length(self.headers.get("Content-Length")))
        except guard.Refused as refused:
            self.send_error(refused.status)
            return
        headers = [(k, v) for k, v in self.headers.items() if k.lower() != ORIGIN_HEADER]
        headers.append((ORIGIN_HEADER, ORIGIN_SECRET))  # as CloudFront replaces a viewer's header of its name
        event = to_event(self.command, self.path, headers, body, self.client_address[0])
        # One request at a time, as one Lambda instance handles them: Powertools' resolver keeps the current
        # request in shared state, so two at once would mix up.
        with self.server.api_lock:
            try:
                result = api(event, LambdaContext())
            except Exception:
                # What API Gateway answers when the function fails: a 500, not a dropped connection.
                traceback.print_exc()
                result = FUNCTION_FAILED
        status, headers, payload = from_result(result)
        self.send_response(status)
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path.startswith(OUTBOX):
            self._outbox()
            return
        self._to_api() if self._is_api() else super().do_GET()

    def _outbox(self) -> None:
        status, page = outbox_page(self.path.split("?", 1)[0].removeprefix(OUTBOX))
        body = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._to_api() if self._is_api() else super().do_HEAD()

    def _api_only(self) -> None:
        self._to_api() if self._is_api() else self.send_error(405)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _api_only

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """An unknown page of the site gets the site's Dutch 404 page (the API answers its own); what the
        server refuses itself gets a Dutch answer (see `guard`)."""
        if code in guard.REFUSALS:  # 400, 408, 413
            self._refuse(code)
            return
        page = Path(self.directory) / "404.html"
        if code != 404 or self._is_api() or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: int) -> None:
        content_type, body = guard.refusal(status, api=self._is_api())
        self.close_connection = True  # the rest of what the client sent can not be trusted
        # An unreadable request line leaves HTTP/0.9, which has no status line: answer as HTTP/1.0.
        self.request_version = "HTTP/1.0" if self.request_version == "HTTP/0.9" else self.request_version
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        super().end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        # Static files only: the API's answers carry their own Cache-Control.
        if not self._is_api() and not self.path.startswith(OUTBOX):
            from praatmee.caching import cache_control

            self.send_header("Cache-Control", cache_control(self.path))
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        # Paths only, never query strings: they could carry personal data.
        status = args[1] if len(args) > 1 else ""
        sys.stderr.write(f"{self.command} {self.path.split('?', 1)[0]} {status}\n")


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    # The standard library's backlog of 5 resets connections when a burst of sign-ups arrives at once.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: Path, api: Handler | None, read_limit: float) -> None:
        self.api = api
        self.read_limit = read_limit
        self.api_lock = threading.Lock()
        super().__init__(address, functools.partial(LocalHandler, directory=str(site)))


def make_server(
    host: str,
    port: int,
    site: Path = SITE,
    api: Handler | None = None,
    read_limit: float = guard.READ_TIMEOUT,
) -> LocalServer:
    return LocalServer((host, port), site, api, read_limit)


# -- the local AWS -----------------------------------------------------------------------------------------


def aws_port(site_port: int) -> int:
    """The local AWS listens one port above the site, so `praatmee export` finds it from the same PORT."""
    return site_port + 1


@contextmanager
def local_aws(site_origin: str, port: int = 0) -> Iterator[str]:
    """moto in server mode on loopback (on `port`, 0 for any), with the table created and seeded and the
    export bucket made; yields its endpoint.

    Sets the environment the functions read (as the Lambda configuration does on AWS). Nothing is kept:
    the data lives in memory and is gone when the block ends.
    """
    from moto.server import ThreadedMotoServer  # a development dependency: never imported on AWS

    from praatmee.bucket import ExportBucket
    from praatmee.edition import load_edition
    from praatmee.laptop.localaws import local_moto
    from praatmee.store import Store

    if port:
        # moto's server thread hangs on a port in use instead of failing: check first.
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as exc:
                raise RuntimeError(f"port {port} for the local AWS is in use: choose another PORT") from exc
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: no line per AWS call
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "PRAATMEE_TABLE_NAME": TABLE,
            "PRAATMEE_EMAIL_HASH_KEY": secrets.token_urlsafe(32),
            "PRAATMEE_SITE_ORIGIN": site_origin,
            "PRAATMEE_ORIGIN_SECRET": ORIGIN_SECRET,
            "PRAATMEE_EXPORT_BUCKET": EXPORT_BUCKET,
            "PRAATMEE_SENDER_ADDRESS": SENDER,
            "POWERTOOLS_SERVICE_NAME": "praatmee-local",
        }
    )
    try:
        with local_moto():
            store = Store(TABLE)
            store.create_table()
            store.seed(load_edition())
            ExportBucket(EXPORT_BUCKET).create(REGION)
            _verify_sender(SENDER)
            _organisers()
            yield endpoint
    finally:
        moto.stop()


def _organisers() -> None:
    """The organisers' user pool in the same moto, and the one local organiser `serve` prints."""
    from praatmee.laptop.localroom import LOCAL_ORGANISER, LOCAL_PASSWORD, create_pool
    from praatmee.organisers import UserPool

    pool, client = create_pool(REGION)
    os.environ.update({"PRAATMEE_USER_POOL_ID": pool, "PRAATMEE_USER_POOL_CLIENT_ID": client})
    UserPool(pool, client).add_organiser(LOCAL_ORGANISER, LOCAL_PASSWORD, invite=False)


# -- the local outbox: every mail moto's SES accepted, readable in the browser ---------------------------


def _verify_sender(sender: str) -> None:
    import boto3

    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=sender)


def sent_mails() -> list[Any]:
    """The messages moto's SES holds (moto runs in this process), oldest first, as parsed e-mails."""
    from email import message_from_string
    from email.policy import default

    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [
        message_from_string(message.raw_data, policy=default)
        for message in backend.sent_messages
        if hasattr(message, "raw_data")
    ]


def outbox_page(rest: str) -> tuple[int, str]:
    """`/lokaal/postvak/`: a list of sent mails; `/lokaal/postvak/<n>/`: mail n as its reader sees it."""
    import html

    mails = sent_mails()
    if rest.strip("/").isdigit():
        number = int(rest.strip("/"))
        if not 1 <= number <= len(mails):
            return 404, "<!doctype html><title>Niet gevonden</title><p>Deze e-mail bestaat niet.</p>"
        part = mails[number - 1].get_body(preferencelist=("html",))
        return 200, str(part.get_content()) if part is not None else ""
    rows = "".join(
        f"<tr><td>{number}</td><td>{html.escape(str(mail['To']))}</td><td>{html.escape(str(mail['Subject']))}"
        f"</td><td>{html.escape(', '.join(a.get_filename() or '' for a in mail.iter_attachments()))}</td>"
        f'<td><a href="{OUTBOX}{number}/">Lees e-mail {number}</a></td></tr>'
        for number, mail in reversed(list(enumerate(mails, start=1)))
    )
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Lokaal postvak</title></head>'
        "<body><main><h1>Lokaal postvak</h1><p>Alle e-mails die de lokale omgeving verstuurde, nieuwste "
        "eerst. Dit postvak bestaat alleen bij <code>make serve</code>.</p>"
        "<table><thead><tr><th>Nummer</th><th>Aan</th><th>Onderwerp</th><th>Bijlagen</th><th>Lezen</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></main></body></html>"
    )
    return 200, page


def serve(host: str = "127.0.0.1", port: int = 8000, site: Path | None = None) -> int:
    """`praatmee serve`: one process, one Ctrl-C."""
    # A stack of its own may build into a folder of its own (the tests run several editions at once).
    site = site or SITE
    build_site(site)
    from praatmee.api import lambda_handler
    from praatmee.laptop import localroom

    server = make_server(host, port, site, api=lambda_handler)
    origin = f"http://{host}:{server.server_port}"

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with local_aws(origin, aws_port(server.server_port)) as endpoint, server:
        server.api = localroom.serve_room(lambda_handler, origin, endpoint)
        print(f"Praat mee draait op {origin}/  (stoppen: Ctrl-C)", flush=True)
        print(f"  aanmelden: {origin}/aanmelden/", flush=True)
        print(f"  lokale AWS (moto): {endpoint}; gegevens worden niet bewaard na het stoppen.", flush=True)
        print(f"  exports: praatmee export --to MAP (met PORT={server.server_port})", flush=True)
        print(f"  verstuurde e-mails (lokaal postvak): {origin}{OUTBOX}", flush=True)
        localroom.print_sign_in(origin, server.server_port)
        server.serve_forever()
    print("Gestopt.", flush=True)
    return 0
