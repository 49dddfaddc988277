"""An organiser's session: the ID token in an HttpOnly cookie, verified on every request, and the guards.

Every organiser request verifies the token with PyJWT: RS256 against the pool's JWKS, the pool as issuer, our
app client as audience, `token_use` "id", not expired, and the group `organisatoren`. The JWKS address follows
from the pool on AWS; only the local stack passes moto's (its key is public, so production never takes one
from settings). Sessions last at most a working day: the refresh token's cookie and Cognito's refresh token
validity both end then; the ID token itself lives an hour and is renewed from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from praatmee.errors import DomainError, TryAgain
from praatmee.organisers import GROUP, Step, Tokens

# `__Host-`: the browser keeps the cookie only if it is Secure, for path / and without a domain.
ID_COOKIE = "__Host-pm-sessie"
REFRESH_COOKIE = "__Host-pm-verlengen"
STEP_COOKIE = "__Host-pm-inloggen"
# The authenticator app's key while it is being set up, so the page can show it again after a wrong code.
SECRET_COOKIE = "__Host-pm-sleutel"  # noqa: S105 - a cookie's name
WORKING_DAY = 8 * 3600
# Cognito's sign-in session lasts 3 minutes by default; the steps' cookie a little longer, then it is useless.
STEP_SECONDS = 10 * 60
ALGORITHMS = ["RS256"]


class NoSession(DomainError):
    """No cookie, or a token that is not valid: sign in (again)."""

    code = "no_session"


class NotOrganiser(DomainError):
    """A valid token of someone outside the group `organisatoren`."""

    code = "not_organiser"


class ForeignRequest(DomainError):
    """A state-changing request whose Origin is not the site's own."""

    code = "foreign_request"


@dataclass(frozen=True)
class Organiser:
    """Who is signed in: Cognito's id (`sub`, what logs name), the username and the e-mail (the audit)."""

    sub: str
    username: str
    email: str


def issuer(pool_id: str) -> str:
    region = pool_id.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


class TokenVerifier:
    """Checks ID tokens of one pool and app client. `jwks_url` is for the local stack and tests only."""

    def __init__(self, pool_id: str, client_id: str, jwks_url: str | None = None) -> None:
        import jwt  # the registration API never loads PyJWT or cryptography

        self.issuer = issuer(pool_id)
        self.client_id = client_id
        self.keys = jwt.PyJWKClient(jwks_url or f"{self.issuer}/.well-known/jwks.json", lifespan=3600)

    def organiser(self, id_token: str) -> Organiser:
        """The organiser the token is for: `NoSession` for any invalid token, `NotOrganiser` outside the
        group."""
        import jwt

        try:
            key = self.keys.get_signing_key_from_jwt(id_token)
        except jwt.PyJWKClientConnectionError as exc:
            raise TryAgain("jwks not reachable") from exc
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
            raise NoSession(type(exc).__name__) from None
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.InvalidTokenError as exc:
            raise NoSession(type(exc).__name__) from None
        if claims.get("token_use") != "id":
            raise NoSession("not an id token")
        organiser = Organiser(
            sub=str(claims["sub"]),
            username=str(claims.get("cognito:username") or claims["sub"]),
            email=str(claims.get("email", "")),
        )
        if GROUP not in (claims.get("cognito:groups") or []):
            raise NotOrganiser(organiser.sub)
        return organiser

    @staticmethod
    def expired(id_token: str) -> bool:
        """True for a well-formed token whose only fault may be its age (worth a refresh)."""
        import jwt

        try:
            claims = jwt.decode(id_token, options={"verify_signature": False})
            return float(claims.get("exp", 0)) <= time.time()
        except jwt.InvalidTokenError:
            return False


# -- cookies -----------------------------------------------------------------------------------------------


def _cookie(name: str, value: str, seconds: int) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        path="/",
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=seconds,
    )


def session_cookies(tokens: Tokens, username: str) -> list[Cookie]:
    """The session after a sign-in (or a refresh): the ID token and, for renewing it, the refresh token."""
    cookies = [_cookie(ID_COOKIE, tokens.id_token, WORKING_DAY)]
    if tokens.refresh_token:
        cookies.append(_cookie(REFRESH_COOKIE, f"{username}|{tokens.refresh_token}", WORKING_DAY))
    return [*cookies, _cookie(STEP_COOKIE, "", 0), _cookie(SECRET_COOKIE, "", 0)]


def step_cookie(step: Step) -> Cookie:
    return _cookie(STEP_COOKIE, f"{step.challenge}|{step.username}|{step.session}", STEP_SECONDS)


def secret_cookie(secret: str) -> Cookie:
    return _cookie(SECRET_COOKIE, secret, STEP_SECONDS)


def signed_out_cookies() -> list[Cookie]:
    return [_cookie(name, "", 0) for name in (ID_COOKIE, REFRESH_COOKIE, STEP_COOKIE, SECRET_COOKIE)]


def read_cookies(cookies: list[str] | None) -> dict[str, str]:
    """API Gateway's `cookies` (`name=value` each) as a dict; the first of a name wins."""
    found: dict[str, str] = {}
    for pair in cookies or []:
        name, _, value = pair.strip().partition("=")
        found.setdefault(name, value)
    return found


def step_from(cookies: dict[str, str]) -> Step | None:
    challenge, _, rest = cookies.get(STEP_COOKIE, "").partition("|")
    username, _, session = rest.partition("|")
    if not (challenge and username and session):
        return None
    return Step(username=username, challenge=challenge, session=session)


def refresh_from(cookies: dict[str, str]) -> tuple[str, str] | None:
    username, _, token = cookies.get(REFRESH_COOKIE, "").partition("|")
    return (username, token) if username and token else None


def check_origin(headers: Any, site_origin: str) -> None:
    """A state-changing organiser request must say it comes from the site itself (browsers send Origin
    with every POST); no Origin, or another one, is refused."""
    if headers.get("origin") != site_origin:
        raise ForeignRequest("origin differs or is missing")
