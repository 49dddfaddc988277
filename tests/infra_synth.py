"""Synthesise the CDK app once per test session (cached), with cdk-nag's AwsSolutions pack attached.

Nothing here needs AWS credentials: the account is a made-up number and nothing is deployed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # after the variable above: jsii starts node on import
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from infra import names
from infra.stack import build
from praatmee.edition import Allocation, Edition, load_edition

ACCOUNT = "123456789012"
SENDER_DOMAIN = "example.org"
RESERVED_CONCURRENCY = 7


@dataclass(frozen=True)
class Synth:
    outdir: Path
    main: Template
    edge: Template
    main_json: dict[str, Any]
    edge_json: dict[str, Any]
    validation_error: str | None
    seconds: float

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: dict(resource) for logical_id, resource in self.main.find_resources(type_).items()
        }

    def metadata(self) -> dict[str, list[dict[str, Any]]]:
        loaded: dict[str, list[dict[str, Any]]] = json.loads(
            (self.outdir / f"{names.STACK}.metadata.json").read_text()
        )
        return loaded


def _site_dir() -> Path:
    """The built site when `make site` ran (as `make test` does), otherwise a one-page stand-in."""
    if (names.SITE_DIR / "index.html").exists():
        return names.SITE_DIR
    stand_in = Path(tempfile.mkdtemp(prefix="praatmee-site-"))
    (stand_in / "index.html").write_text("<!doctype html><title>Praat mee</title>\n")
    (stand_in / "404.html").write_text("<!doctype html><title>Pagina niet gevonden</title>\n")
    return stand_in


def draw_edition() -> Edition:
    """The shipped edition: its places given by the draw at its `draw_at`."""
    return load_edition().model_copy(update={"allocation": Allocation.DRAW})


@cache
def synthesize(draw: bool = False, **context: str) -> Synth:
    """The app for the shipped edition given out first come (what most infra tests specify), or with `draw` as
    shipped: given out by the draw. `context` holds optional values as the app passes them to `build` (for
    example `api_domain=…`); each combination is synthesised once."""
    import time

    started = time.perf_counter()
    outdir = Path(tempfile.mkdtemp(prefix="praatmee-cdk-"))
    app = cdk.App(outdir=str(outdir), context=names.FEATURE_FLAGS)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    build(
        app,
        edition=draw_edition()
        if draw
        else load_edition().model_copy(update={"allocation": Allocation.FIRST_COME}),
        site_dir=_site_dir(),
        sender_domain=SENDER_DOMAIN,
        reserved_concurrency=RESERVED_CONCURRENCY,
        alarm_email="alarms@example.org",
        account=ACCOUNT,
        **context,
    )
    error = None
    try:
        app.synth()
    except RuntimeError as exc:  # cdk-nag findings fail the synth; the templates are written before
        error = str(exc)
        report = outdir / "validation-report.json"
        if report.exists():
            error += "\n" + report.read_text()
    main_json = json.loads((outdir / f"{names.STACK}.template.json").read_text())
    edge_json = json.loads((outdir / f"{names.EDGE_STACK}.template.json").read_text())
    return Synth(
        outdir=outdir,
        main=Template.from_json(main_json),
        edge=Template.from_json(edge_json),
        main_json=main_json,
        edge_json=edge_json,
        validation_error=error,
        seconds=time.perf_counter() - started,
    )
