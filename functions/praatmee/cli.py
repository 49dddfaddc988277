"""The `praatmee` command: run the product locally (and, in later work, pull organiser exports)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="praatmee", description="Praat mee: site en aanmeldingen.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="bouw de site en draai alles lokaal")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    args = parser.parse_args(argv)
    if args.command == "serve":
        from praatmee.local import serve as run_server

        return run_server(host=args.host, port=args.port)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
