"""A domain of our own from the deploy's context: its name and the ACM certificate that covers it.

Two are optional: the site's (`siteDomain` + `siteCertificateArn`, a certificate in us-east-1, where
CloudFront takes them) and the API's (`apiDomain` + `apiCertificateArn`, in the API's region; see
`infra/api_domain.py`). Each is given whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(ValueError):
    """The two context values do not make one usable domain; the app stops with this message."""


@dataclass(frozen=True)
class Domain:
    name: str
    certificate_arn: str


def from_context(
    name: str | None, certificate_arn: str | None, *, region: str, keys: tuple[str, str], use: str
) -> Domain | None:
    """Both values or neither (`keys`: their context names); the certificate must be an ACM certificate in
    `region`, the one region where `use` can take it."""
    if not name and not certificate_arn:
        return None
    if not name or not certificate_arn:
        raise DomainError(f"set both -c {keys[0]}=… and -c {keys[1]}=… for {use}, or neither (see README)")
    parts = certificate_arn.split(":")
    if len(parts) < 6 or parts[2] != "acm" or parts[3] != region:
        raise DomainError(
            f"{keys[1]} must be an ACM certificate in {region}, the only region {use} can use one from: "
            f"{certificate_arn}"
        )
    return Domain(name=name, certificate_arn=certificate_arn)
