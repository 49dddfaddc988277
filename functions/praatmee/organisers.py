"""Organisers in the Cognito user pool: signing in step by step behind our API, and adding an organiser.

The browser never talks to Cognito. Our API runs `AdminInitiateAuth` (`ADMIN_USER_PASSWORD_AUTH`) and answers
the challenges Cognito sets (a new password, setting up an authenticator app, its code), so the same flow runs
on AWS and on moto's Cognito, which has no hosted sign-in pages (DECISIONS.md). A step that hands out tokens
without an MFA challenge is refused: the pool requires MFA, so this never happens on AWS, but moto does not
enforce MFA and a test proves the guard.

Only this module calls Cognito; its errors become the domain errors below.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from praatmee.errors import DomainError, TryAgain

GROUP = "organisatoren"

NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a challenge name
MFA_SETUP = "MFA_SETUP"
MFA_CODE = "SOFTWARE_TOKEN_MFA"
# Tokens may only be the answer to one of these: the second factor was asked for.
MFA_CHALLENGES = frozenset({MFA_SETUP, MFA_CODE})


class SignInFailed(DomainError):
    """Unknown address, wrong password, or a disabled organiser: the same answer for each."""

    code = "sign_in_failed"


class SignInExpired(DomainError):
    """The sign-in's steps took too long (Cognito's session lasts minutes), or their state is missing."""

    code = "sign_in_expired"


class WrongCode(DomainError):
    code = "wrong_code"
    field = "code"


class WeakPassword(DomainError):
    code = "weak_password"
    field = "new_password"


class OrganiserExists(DomainError):
    code = "organiser_exists"


class MfaMissing(DomainError):
    """Cognito handed out tokens without asking for the second factor: refused, whatever the pool says."""

    code = "mfa_missing"


@dataclass(frozen=True)
class Tokens:
    id_token: str
    refresh_token: str | None


@dataclass(frozen=True)
class Step:
    """Where a sign-in stands: the next challenge with Cognito's session for it, or the tokens at the end."""

    username: str
    challenge: str | None = None
    session: str = ""
    tokens: Tokens | None = None


def _client() -> Any:
    from praatmee import awsconfig  # the registration API never loads this module

    return awsconfig.client("cognito-idp")


def _code(exc: Exception) -> str:
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _translated(exc: Exception) -> DomainError:
    code = _code(exc)
    if code in ("NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"):
        # A Cognito session that timed out is also "not authorized"; its message is the only difference.
        if "session" in str(exc).lower():
            return SignInExpired(code)
        return SignInFailed(code)
    if code in ("CodeMismatchException", "EnableSoftwareTokenMFAException"):
        return WrongCode(code)
    if code == "UsernameExistsException":
        return OrganiserExists(code)
    if code == "InvalidPasswordException":
        return WeakPassword(code)
    if code in ("ExpiredCodeException", "ResourceNotFoundException"):
        return SignInExpired(code)
    return TryAgain(f"cognito: {code or type(exc).__name__}")


class UserPool:
    """The organisers' user pool and its one app client (no secret, admin flows only)."""

    def __init__(self, pool_id: str, client_id: str, client: Any = None) -> None:
        self.pool_id = pool_id
        self.client_id = client_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _client()
        return self._client

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer: dict[str, Any] = getattr(self.client, operation)(**params)
        except ClientError as exc:
            raise _translated(exc) from None
        except BotoCoreError as exc:
            raise TryAgain(f"cognito: {type(exc).__name__}") from None
        return answer

    def _step(self, username: str, answer: dict[str, Any], *, after: str | None) -> Step:
        result = answer.get("AuthenticationResult")
        if result:
            if after not in MFA_CHALLENGES:
                raise MfaMissing(f"tokens after {after or 'the password'}")
            return Step(username, tokens=Tokens(result["IdToken"], result.get("RefreshToken")))
        challenge = str(answer.get("ChallengeName", ""))
        if challenge not in (NEW_PASSWORD, MFA_SETUP, MFA_CODE):
            # SMS, e-mail codes, device tracking: none is set up for this pool; never half-sign someone in.
            raise SignInFailed(f"unexpected challenge {challenge or 'none'}")
        return Step(username, challenge=challenge, session=str(answer.get("Session", "")))

    # -- signing in --------------------------------------------------------------------------------

    def start(self, email: str, password: str) -> Step:
        answer = self._call(
            "admin_initiate_auth",
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
        username = str(answer.get("ChallengeParameters", {}).get("USER_ID_FOR_SRP") or email)
        return self._step(username, answer, after=None)

    def _respond(self, step: Step, challenge: str, responses: dict[str, str], session: str) -> Step:
        answer = self._call(
            "admin_respond_to_auth_challenge",
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses={"USERNAME": step.username, **responses},
        )
        return self._step(step.username, answer, after=challenge)

    def new_password(self, step: Step, password: str) -> Step:
        return self._respond(step, NEW_PASSWORD, {"NEW_PASSWORD": password}, step.session)

    def authenticator_secret(self, step: Step) -> tuple[str, Step]:
        """The secret for an authenticator app (MFA_SETUP), and the step with Cognito's next session."""
        answer = self._call("associate_software_token", Session=step.session)
        return str(answer["SecretCode"]), Step(step.username, MFA_SETUP, str(answer.get("Session", "")))

    def finish_setup(self, step: Step, code: str) -> Step:
        verified = self._call(
            "verify_software_token", Session=step.session, UserCode=code, FriendlyDeviceName="praatmee"
        )
        if verified.get("Status") != "SUCCESS":
            raise WrongCode("verify_software_token")
        signed_in = self._respond(step, MFA_SETUP, {}, str(verified.get("Session", "")))
        # The app is now the organiser's second factor; asking for it explicitly keeps moto (which would
        # otherwise stop challenging) as strict as AWS.
        self._call(
            "admin_set_user_mfa_preference",
            UserPoolId=self.pool_id,
            Username=step.username,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        return signed_in

    def code(self, step: Step, code: str) -> Step:
        return self._respond(step, MFA_CODE, {"SOFTWARE_TOKEN_MFA_CODE": code}, step.session)

    def refresh(self, username: str, refresh_token: str) -> Tokens:
        """A fresh ID token while the refresh token (a working day) lasts."""
        answer = self._call(
            "admin_initiate_auth",
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token, "USERNAME": username},
        )
        return Tokens(answer["AuthenticationResult"]["IdToken"], refresh_token)

    def sign_out(self, username: str) -> None:
        """Ends every session of the organiser: their refresh tokens stop working. `username` may be the
        e-mail address (an alias in this pool; moto matches sessions by the name signed in with)."""
        self._call("admin_user_global_sign_out", UserPoolId=self.pool_id, Username=username)

    # -- administration ------------------------------------------------------------------------------

    def add_organiser(self, email: str, temporary_password: str | None = None, *, invite: bool = True) -> str:
        """A new organiser in the group; Cognito mails the temporary password unless `invite` is False.
        Returns the temporary password (for the local stack, which prints it)."""
        password = temporary_password or temporary()
        options: dict[str, Any] = {} if invite else {"MessageAction": "SUPPRESS"}
        self._call(
            "admin_create_user",
            UserPoolId=self.pool_id,
            Username=email,
            TemporaryPassword=password,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            DesiredDeliveryMediums=["EMAIL"],
            **options,
        )
        self._call("admin_add_user_to_group", UserPoolId=self.pool_id, Username=email, GroupName=GROUP)
        return password


def temporary() -> str:
    """A temporary password that meets the pool's policy: 16 characters of every kind."""
    kinds = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#%+-=?")
    chosen = [secrets.choice(kind) for kind in kinds]
    chosen += [secrets.choice("".join(kinds)) for _ in range(16 - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)
