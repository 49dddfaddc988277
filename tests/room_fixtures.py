"""Fixtures of the organisers' room: moto in server mode (Cognito's JWKS is fetched over HTTP), the room's
handler called as API Gateway calls it, with a cookie jar, and organisers signed in through our API."""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import boto3
import jwt
import pytest

from praatmee import room
from praatmee.bucket import ExportBucket
from praatmee.edition import Edition
from praatmee.laptop.localroom import create_pool, current_code
from praatmee.organisers import GROUP, UserPool
from praatmee.session import TokenVerifier, issuer
from praatmee.store import Store
from tests.fixtures import SITE, Answer, Clock, FakeLambdaContext, first_come_edition, http_event

REGION = "eu-central-1"
PASSWORD = "Een-sterk-wachtwoord-42"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def local_aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


@dataclass
class RoomClient:
    """The room's handler as the browser reaches it: cookies kept from answer to answer."""

    context: room.Room
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)

    def call(self, event: dict[str, Any]) -> Answer:
        if self.cookies:
            event["cookies"] = [f"{name}={value}" for name, value in self.cookies.items()]
        raw = room.lambda_handler(event, FakeLambdaContext(), room=self.context)  # type: ignore[arg-type]
        self.set_cookies = list(raw.get("cookies") or [])
        for cookie in self.set_cookies:
            pair = cookie.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if "Max-Age=0" in cookie or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        body = raw.get("body") or ""
        if raw.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        headers = {key.lower(): value for key, value in (raw.get("headers") or {}).items()}
        return Answer(status=int(raw["statusCode"]), headers=headers, text=body)

    def get(self, path: str) -> Answer:
        return self.call(http_event("GET", path))

    def post(self, path: str, fields: dict[str, str] | None = None, origin: str | None = SITE) -> Answer:
        headers = {"origin": origin} if origin is not None else {}
        return self.call(
            http_event("POST", path, body=urlencode(fields or {}), content_type=FORM, headers=headers)
        )

    def sign_in(self, email: str, password: str = PASSWORD) -> Answer:
        """Through every step our API asks for, as the sign-in pages do."""
        answer = self.post("/api/organisatie/inloggen", {"email": email, "password": password})
        for _ in range(3):
            if answer.headers.get("location") != "/organisatie/inloggen/":
                return answer
            step = self.cookies["__Host-pm-inloggen"].split("|", 1)[0]
            if step == "NEW_PASSWORD_REQUIRED":
                answer = self.post("/api/organisatie/inloggen", {"new_password": PASSWORD})
            else:
                answer = self.post("/api/organisatie/inloggen", {"code": fresh_code()})
        return answer


def fresh_code() -> str:
    """moto allows no clock skew: wait out the last seconds of a 30-second window, then take its code."""
    if time.time() % 30 > 27:
        time.sleep(3.5)
    return current_code()


@dataclass
class Pool:
    pool_id: str
    client_id: str

    @property
    def users(self) -> UserPool:
        return UserPool(self.pool_id, self.client_id)

    def organiser(self, email: str | None = None, *, group: bool = True) -> str:
        """A new user with the temporary password PASSWORD, in the group unless told otherwise."""
        email = email or f"org-{uuid.uuid4().hex[:8]}@praatmee.example.nl"
        self.users.add_organiser(email, PASSWORD, invite=False)
        if not group:
            boto3.client("cognito-idp").admin_remove_user_from_group(
                UserPoolId=self.pool_id, Username=email, GroupName=GROUP
            )
        return email


@pytest.fixture
def pool(local_aws: str, monkeypatch: pytest.MonkeyPatch) -> Pool:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    return Pool(*create_pool(REGION))


def make_room(
    endpoint: str, pool: Pool, edition: Edition | None = None, clock: Clock | None = None
) -> room.Room:
    suffix = uuid.uuid4().hex[:8]
    store = Store(f"room-{suffix}")
    store.create_table()
    store.seed(edition or first_come_edition())
    bucket = ExportBucket(f"room-exports-{suffix}")
    bucket.create(REGION)
    jwks = f"{endpoint}/{pool.pool_id}/.well-known/jwks.json"
    return room.Room(
        store=store,
        edition=edition or first_come_edition(),
        pool=pool.users,
        verifier=TokenVerifier(pool.pool_id, pool.client_id, jwks_url=jwks),
        bucket=bucket,
        site_origin=SITE,
        now=clock or Clock(),
    )


@pytest.fixture
def the_room(local_aws: str, pool: Pool) -> room.Room:
    return make_room(local_aws, pool)


@pytest.fixture
def desk(the_room: room.Room) -> RoomClient:
    return RoomClient(the_room)


def moto_signed(claims: dict[str, Any]) -> str:
    """A token signed with moto's signing key (public in moto's source), with the claims given."""
    text = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz").read_bytes()
    key = jwt.PyJWK(json.loads(gzip.decompress(text)))
    return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})


def claims_for(pool: Pool, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer(pool.pool_id),
        "sub": str(uuid.uuid4()),
        "aud": pool.client_id,
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
        "email": "someone@praatmee.example.nl",
        "cognito:groups": [GROUP],
        **changes,
    }
