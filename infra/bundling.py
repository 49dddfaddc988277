"""Packaging without Docker: pip installs wheels for the Lambda platform, cached per requirement set.

Three assets. The API asset (every function but the draw and the room) is the package `praatmee` plus its
[project] dependencies from pyproject.toml; the room's adds the `room` extra (PyJWT and cryptography); the
draw asset adds the `draw` extra (HiGHS and numpy) and the solver module, which the API asset leaves out, so
the registration function's bundle and cold start carry neither the solver nor the token library. boto3 is
in none: the Lambda runtime provides it. The package's `laptop` sub-package (the `praatmee` command and the
local stack) runs on a laptop only, so every asset leaves it out.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

from infra import names

CACHE_DIR = names.REPO / "build" / "lambda-deps"
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
# What never runs on AWS stays out of the assets (and out of their hashes, so editing it redeploys nothing).
LAPTOP_ONLY = "laptop"
# The solver imports highspy and numpy: only the draw's asset carries them, so only it carries the solver
# and the bundle (which re-runs it). The beacon's BLS check (py-arkworks-bls12381) is imported only to verify.
SOLVER_ONLY = "sortition.py"
DRAW_ONLY = (SOLVER_ONLY, "bundle.py")


@dataclass(frozen=True)
class Bundle:
    """One asset: a requirement set (the run-time dependencies plus `extras`) for pip's `platforms`, and the
    package without the top-level entries in `leave_out`."""

    extras: tuple[str, ...] = ()
    platforms: tuple[str, ...] = (names.PIP_PLATFORM,)
    leave_out: tuple[str, ...] = (LAPTOP_ONLY,)


API = Bundle(leave_out=(LAPTOP_ONLY, *DRAW_ONLY))
DRAW = Bundle(extras=("draw",), platforms=(names.PIP_PLATFORM, *names.DRAW_PIP_PLATFORMS))
# The organisers' room: PyJWT and cryptography (about 15 MiB unzipped) only where tokens are checked.
ROOM = Bundle(extras=("room",), leave_out=(LAPTOP_ONLY, SOLVER_ONLY))


def package_files(bundle: Bundle = API) -> list[Path]:
    """The package's files that go into the asset, in a stable order."""
    return [
        path
        for path in sorted(names.PACKAGE_DIR.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
        and path.relative_to(names.PACKAGE_DIR).parts[0] not in bundle.leave_out
    ]


def _project() -> dict[str, Any]:
    with names.PYPROJECT.open("rb") as handle:
        project: dict[str, Any] = tomllib.load(handle)["project"]
    return project


def runtime_requirements() -> list[str]:
    """The pinned run-time dependencies, read from pyproject.toml (the one place they are written)."""
    requirements: list[str] = _project()["dependencies"]
    return requirements


def requirements(bundle: Bundle) -> list[str]:
    """The run-time dependencies plus the bundle's extras, each read from pyproject.toml."""
    extras: dict[str, list[str]] = _project()["optional-dependencies"]
    return [*runtime_requirements(), *(line for extra in bundle.extras for line in extras[extra])]


def _requirements_key(bundle: Bundle) -> str:
    # For the API bundle the same spec as before there were two, so its cached wheels stay valid.
    spec = [requirements(bundle), names.PYTHON_VERSION, *bundle.platforms]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]


def dependencies_dir(bundle: Bundle = API) -> Path:
    """Wheels for the Lambda platform, installed once per requirement set and reused by every synth."""
    target = CACHE_DIR / _requirements_key(bundle)
    if (target / ".complete").exists():
        return target
    scratch = CACHE_DIR / f"{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    platforms = [option for platform in bundle.platforms for option in ("--platform", platform)]
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        *platforms, "--only-binary=:all:", "--implementation", "cp",
        "--python-version", names.PYTHON_VERSION, "--target", str(scratch), *requirements(bundle),
    ]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, pinned requirements
    shutil.rmtree(scratch / "bin", ignore_errors=True)  # console scripts: no use in a function
    for cache in list(scratch.rglob("__pycache__")):
        shutil.rmtree(cache)
    (scratch / ".complete").touch()
    try:
        scratch.rename(target)
    except OSError:  # another process finished first: its copy is as good
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def source_hash(bundle: Bundle = API) -> str:
    """Changes when the bundle's files of the package or its requirement set change, and only then."""
    digest = hashlib.sha256(_requirements_key(bundle).encode())
    for path in package_files(bundle):
        digest.update(str(path.relative_to(names.PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@jsii.implements(cdk.ILocalBundling)
class LocalPipBundling:
    """Copies the cached wheels and the package into the asset folder; no container involved."""

    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle

    # jsii passes the bundling options positionally; they are not needed here.
    def try_bundle(self, output_dir: str, *_options: Any, **_kwargs: Any) -> bool:
        out = Path(output_dir)
        shutil.copytree(dependencies_dir(self.bundle), out, dirs_exist_ok=True, ignore=_SKIP)
        (out / ".complete").unlink(missing_ok=True)
        package = out / names.PACKAGE_DIR.name
        for path in package_files(self.bundle):
            target = package / path.relative_to(names.PACKAGE_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        return True


def function_code(bundle: Bundle = API) -> lambda_.Code:
    """The bundle's asset; every function on the same bundle shares it (CDK uploads it once)."""
    return lambda_.Code.from_asset(
        str(names.PACKAGE_DIR),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=source_hash(bundle),
        bundling=cdk.BundlingOptions(
            # Never pulled: local bundling always succeeds, so no Docker engine is needed.
            image=cdk.DockerImage.from_registry("unused-local-bundling-only"),
            local=LocalPipBundling(bundle),
        ),
    )
