"""Code that runs on a laptop only: the `praatmee` command, the local stack of `make serve` and its moto.

The Lambda bundle leaves this sub-package out (infra/bundling.py); nothing outside it imports it.
"""
