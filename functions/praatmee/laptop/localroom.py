"""The organisers' room on the local stack: a user pool in the same embedded moto, one local organiser, the
room's handler beside the API's, and the commands `praatmee organisers add|code`.

moto checks TOTP codes only with `MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true` in the process that runs it,
and then every authenticator key is the same fixed one (`COGNITO_TOTP_MFA_SECRET`): so a local organiser can
use any authenticator app with the key the sign-in page shows, or `praatmee organisers code`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

POOL_NAME = "praatmee-local-organisers"
LOCAL_ORGANISER = "organisator@praatmee.example.nl"
LOCAL_PASSWORD = "Tijdelijk-wachtwoord-1"  # noqa: S105 - the printed first password of a local, in-memory user
ROOM_PATHS = ("/organisatie", "/api/organisatie")  # each exactly, or followed by "/"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def create_pool(region: str) -> tuple[str, str]:
    """The pool as the infrastructure makes it (as far as moto knows the settings); returns (pool, client)."""
    import boto3

    from praatmee.organisers import GROUP

    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    cognito = boto3.client("cognito-idp", region_name=region)
    pool = cognito.create_user_pool(
        PoolName=POOL_NAME,
        UsernameAttributes=["email"],
        MfaConfiguration="OFF",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 14,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "TemporaryPasswordValidityDays": 3,
            }
        },
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON"
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="praatmee-room",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool, GroupName=GROUP)
    return pool, client


def local_room(site_origin: str, endpoint: str, pool_id: str, client_id: str) -> Any:
    """The room's context on the local stack: the same code as on AWS, with moto's JWKS address."""
    from praatmee.bucket import ExportBucket
    from praatmee.edition import load_edition
    from praatmee.laptop.serve import EXPORT_BUCKET, TABLE
    from praatmee.organisers import UserPool
    from praatmee.room import Room
    from praatmee.ses import SesSender
    from praatmee.session import TokenVerifier
    from praatmee.settings import get_settings
    from praatmee.store import Store

    edition = load_edition()
    settings = get_settings()  # the local API's: the same one-person key and sender
    return Room(
        store=Store(TABLE),
        edition=edition,
        pool=UserPool(pool_id, client_id),
        verifier=TokenVerifier(pool_id, client_id, jwks_url=f"{endpoint}/{pool_id}/.well-known/jwks.json"),
        bucket=ExportBucket(EXPORT_BUCKET),
        site_origin=site_origin,
        hash_key=settings.hash_key(),
        sender=SesSender(sender=settings.sender_address, reply_to=str(edition.contact_email)),
    )


def is_room(path: str) -> bool:
    """The paths API Gateway sends to the room on AWS (the site's `/organisaties/` is not one of them)."""
    return path in ROOM_PATHS or path.startswith(tuple(f"{prefix}/" for prefix in ROOM_PATHS))


def dispatch(api: Handler, room: Any) -> Handler:
    """One handler for the local server that sends each request where API Gateway's routes send it on AWS."""
    from praatmee.room import lambda_handler as room_handler

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if is_room(str(event.get("rawPath", ""))):
            return room_handler(event, context, room=room)
        return api(event, context)

    return handle


def current_code(at: float | None = None) -> str:
    """The six digits an authenticator app shows now for moto's fixed key."""
    from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET
    from moto.cognitoidp.utils import cognito_totp

    return str(cognito_totp(COGNITO_TOTP_MFA_SECRET).generate(int(at or time.time())).decode())


def fixed_key() -> str:
    from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

    return str(COGNITO_TOTP_MFA_SECRET)


def find_pool(region: str) -> tuple[str, str] | None:
    """The running local stack's pool and client (for `praatmee organisers` against `make serve`)."""
    import boto3

    cognito = boto3.client("cognito-idp", region_name=region)
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        if pool.get("Name") == POOL_NAME:
            clients = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=10)
            return pool["Id"], clients["UserPoolClients"][0]["ClientId"]
    return None


def serve_room(api: Handler, origin: str, endpoint: str) -> Handler:
    """For `praatmee serve`: the handler that also serves the room."""
    room = local_room(
        origin, endpoint, os.environ["PRAATMEE_USER_POOL_ID"], os.environ["PRAATMEE_USER_POOL_CLIENT_ID"]
    )
    return dispatch(api, room)


def print_sign_in(origin: str, port: int) -> None:
    """What `praatmee serve` says about the room: where, as whom, and how to get the second step's code."""
    from praatmee.laptop.texts import ROOM_CLI_TEXTS

    print(
        ROOM_CLI_TEXTS["serve_room"].format(origin=origin, email=LOCAL_ORGANISER, password=LOCAL_PASSWORD),
        flush=True,
    )
    print(ROOM_CLI_TEXTS["serve_room_code"].format(key=fixed_key(), port=port), flush=True)
