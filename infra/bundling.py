"""Packaging without Docker: pip installs wheels for the Lambda platform, cached per requirement set.

The asset is the package `praatmee` plus its [project] dependencies from pyproject.toml. boto3 is not one of
them: the Lambda runtime provides it. The package's `laptop` sub-package (the `praatmee` command and the local
stack) runs on a laptop only, so the asset leaves it out.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

from infra import names

CACHE_DIR = names.REPO / "build" / "lambda-deps"
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
# What never runs on AWS stays out of the asset (and out of its hash, so editing it redeploys nothing).
LAPTOP_ONLY = "laptop"


def package_files() -> list[Path]:
    """The package's files that go into the asset, in a stable order."""
    return [
        path
        for path in sorted(names.PACKAGE_DIR.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
        and path.relative_to(names.PACKAGE_DIR).parts[0] != LAPTOP_ONLY
    ]


def runtime_requirements() -> list[str]:
    """The pinned run-time dependencies, read from pyproject.toml (the one place they are written)."""
    with names.PYPROJECT.open("rb") as handle:
        requirements: list[str] = tomllib.load(handle)["project"]["dependencies"]
    return requirements


def _requirements_key() -> str:
    spec = [runtime_requirements(), names.PYTHON_VERSION, names.PIP_PLATFORM]
    return hashlib.sha256(json.dumps(spec).encode()).hexdigest()[:16]


def dependencies_dir() -> Path:
    """Wheels for the Lambda platform, installed once per requirement set and reused by every synth."""
    target = CACHE_DIR / _requirements_key()
    if (target / ".complete").exists():
        return target
    scratch = CACHE_DIR / f"{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--platform", names.PIP_PLATFORM, "--only-binary=:all:", "--implementation", "cp",
        "--python-version", names.PYTHON_VERSION, "--target", str(scratch), *runtime_requirements(),
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


def source_hash() -> str:
    """Changes when the package's files or the requirement set change, and only then."""
    digest = hashlib.sha256(_requirements_key().encode())
    for path in package_files():
        digest.update(str(path.relative_to(names.PACKAGE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@jsii.implements(cdk.ILocalBundling)
class LocalPipBundling:
    """Copies the cached wheels and the package into the asset folder; no container involved."""

    # jsii passes the bundling options positionally; they are not needed here.
    def try_bundle(self, output_dir: str, *_options: Any, **_kwargs: Any) -> bool:
        out = Path(output_dir)
        shutil.copytree(dependencies_dir(), out, dirs_exist_ok=True, ignore=_SKIP)
        (out / ".complete").unlink(missing_ok=True)
        package = out / names.PACKAGE_DIR.name
        for path in package_files():
            target = package / path.relative_to(names.PACKAGE_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        return True


def function_code() -> lambda_.Code:
    """One asset shared by every function (CDK uploads it once)."""
    return lambda_.Code.from_asset(
        str(names.PACKAGE_DIR),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=source_hash(),
        bundling=cdk.BundlingOptions(
            # Never pulled: local bundling always succeeds, so no Docker engine is needed.
            image=cdk.DockerImage.from_registry("unused-local-bundling-only"),
            local=LocalPipBundling(),
        ),
    )
