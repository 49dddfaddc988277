"""`praatmee organisers add EMAIL` (local, or `--aws`) and `praatmee organisers code` (local only)."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any, TextIO

from praatmee.laptop.texts import ROOM_CLI_TEXTS


def add_parser(commands: Any) -> None:
    organisers = commands.add_parser("organisers", help="organisatoren van de organisatiepagina beheren")
    actions = organisers.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="voeg een organisator toe (lokaal, of met --aws)")
    add.add_argument("email", metavar="E-MAILADRES")
    add.add_argument("--aws", action="store_true", help="de user pool op AWS in plaats van lokaal")
    add.add_argument(
        "--user-pool",
        default=os.environ.get("PRAATMEE_USER_POOL_ID"),
        help="id van de user pool (standaard PRAATMEE_USER_POOL_ID; de stack toont OrganiserUserPoolId)",
    )
    add.add_argument("--profile", help="AWS-profiel (standaard AWS_PROFILE); alleen met --aws")
    add.add_argument("--region", help="AWS-regio (standaard AWS_REGION); alleen met --aws")
    code = actions.add_parser("code", help="lokaal: de code van 6 cijfers voor de inlogstap")
    for command in (add, code):
        command.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="poort van make serve"
        )


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from praatmee.laptop.organiser import Target, _guarded, _printer, connect

    say = _printer(out)
    if args.action == "code":
        from praatmee.laptop.localroom import current_code

        now = time.time()
        say(ROOM_CLI_TEXTS["code"].format(code=current_code(now), seconds=30 - int(now) % 30))
        return 0
    if args.aws:
        if not args.user_pool:
            say(ROOM_CLI_TEXTS["no_pool"])
            return 2
        if args.profile:
            os.environ["AWS_PROFILE"] = args.profile
        region = args.region or args.user_pool.split("_", 1)[0]
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = region
    elif not connect(Target(aws=False, bucket="", port=args.port), say):
        return 2

    def work() -> int:
        from praatmee.organisers import OrganiserExists, UserPool

        pool_id = args.user_pool if args.aws else None
        if pool_id is None:
            from praatmee.laptop.localroom import find_pool
            from praatmee.laptop.serve import REGION

            found = find_pool(REGION)
            if found is None:
                say(ROOM_CLI_TEXTS["no_local_pool"])
                return 1
            pool_id = found[0]
        try:
            password = UserPool(pool_id, "").add_organiser(args.email, invite=args.aws)
        except OrganiserExists:
            say(ROOM_CLI_TEXTS["exists"].format(email=args.email))
            return 1
        if args.aws:
            say(ROOM_CLI_TEXTS["added_aws"].format(email=args.email))
        else:
            say(ROOM_CLI_TEXTS["added"].format(email=args.email, password=password))
        return 0

    return _guarded(work, say)
