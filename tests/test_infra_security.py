"""The security rule packs pass on the synthesised templates: cdk-nag's AwsSolutions and cfn-lint."""

from __future__ import annotations

import pytest
from cfnlint.api import ManualArgs, lint_file  # type: ignore[import-untyped]

from infra import names
from tests.infra_synth import Synth, synthesize

# W3005 (a DependsOn already implied by a reference) is emitted by CDK's own constructs on every role.
CFN_LINT_IGNORED = {"W3005"}
# Each acknowledgment explains itself; a short word is not a reason.
MIN_REASON_LENGTH = 40


@pytest.fixture(scope="session", params=["shipped edition", "draw edition"])
def synth(request: pytest.FixtureRequest) -> Synth:
    """The app for the shipped edition (first come) and for the same edition given out by the draw."""
    return synthesize(draw=request.param == "draw edition")


def acknowledgments(synth: Synth) -> dict[str, dict[str, str]]:
    """Acknowledged findings by construct path, from the cloud assembly's metadata."""
    found: dict[str, dict[str, str]] = {}
    for path, entries in synth.metadata().items():
        for entry in entries:
            if entry["type"] == "aws:cdk:acknowledged-rules":
                found.setdefault(path, {}).update(entry["data"])
    return found


def test_cdk_nag_aws_solutions_finds_nothing_unacknowledged(synth: Synth) -> None:
    assert synth.validation_error is None, synth.validation_error


def test_every_acknowledgment_names_one_finding_with_a_reason(synth: Synth) -> None:
    found = acknowledgments(synth)
    assert found, "the acknowledgments are recorded in the cloud assembly"
    for path, rules in found.items():
        assert path != f"/{names.STACK}", "no acknowledgment for a whole stack"
        for rule, reason in rules.items():
            assert rule.startswith("AwsSolutions::AwsSolutions-"), rule
            assert len(reason) >= MIN_REASON_LENGTH, f"{path}: {rule}: {reason!r}"


def test_wildcards_are_acknowledged_one_finding_at_a_time(synth: Synth) -> None:
    for rules in acknowledgments(synth).values():
        for rule in rules:
            if "IAM5" in rule or "IAM4" in rule:
                assert "[" in rule, f"{rule} must name the exact action, resource or policy"


@pytest.mark.parametrize(
    ("stack", "region"), [(names.STACK, names.DEFAULT_REGION), (names.EDGE_STACK, names.EDGE_REGION)]
)
def test_cfn_lint_is_clean_but_for_documented_ignores(synth: Synth, stack: str, region: str) -> None:
    matches = lint_file(synth.outdir / f"{stack}.template.json", config=ManualArgs(regions=[region]))
    findings = [f"{m.rule.id} {m.message}" for m in matches if m.rule.id not in CFN_LINT_IGNORED]
    assert not findings, "\n".join(findings)
