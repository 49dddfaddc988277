"""The export bucket: every S3 call of the product, and the only module that talks to S3.

Keys look like `exports/<UTC time>/<file>`; nothing personal goes into a key. Every object is written with
server-side encryption, whatever the bucket's default says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

PREFIX = "exports/"
# Presigned links live minutes: long enough to click, short enough to be useless when forwarded.
LINK_SECONDS = 15 * 60


def default_client() -> S3Client:
    from praatmee import awsconfig

    # Signature version 4 and the regional endpoint: presigned links then work in every region.
    client: S3Client = awsconfig.client("s3", signature_version="s3v4")
    return client


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


class ExportBucket:
    def __init__(self, name: str, client: S3Client | None = None) -> None:
        self.name = name
        self._client = client

    @property
    def client(self) -> S3Client:
        if self._client is None:
            self._client = default_client()
        return self._client

    def create(self, region: str) -> None:
        """For the local stack and tests only; on AWS the infrastructure makes the bucket."""
        self.client.create_bucket(
            Bucket=self.name,
            CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
        )

    def put(self, key: str, body: bytes, content_type: str) -> None:
        if not key.startswith(PREFIX):
            raise ValueError(f"export keys start with {PREFIX}")
        self.client.put_object(
            Bucket=self.name,
            Key=key,
            Body=body,
            ContentType=content_type,
            ServerSideEncryption="AES256",
        )

    def exports(self) -> list[str]:
        """The folders of all exports (`exports/<time>/`), newest first."""
        folders: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=PREFIX, Delimiter="/"
        ):
            folders += [entry["Prefix"] for entry in page.get("CommonPrefixes", []) if "Prefix" in entry]
        return sorted(folders, reverse=True)

    def objects(self, folder: str) -> list[StoredObject]:
        found: list[StoredObject] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=folder):
            found += [
                StoredObject(o["Key"], o.get("Size", 0)) for o in page.get("Contents", []) if "Key" in o
            ]
        return sorted(found, key=lambda o: o.key)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def download(self, key: str, path: Path) -> None:
        self.client.download_file(self.name, key, str(path))

    def link(self, key: str, seconds: int = LINK_SECONDS, filename: str | None = None) -> str:
        """A presigned GET link that expires after `seconds` (at most 15 minutes); with `filename`, the
        browser saves the file under that name instead of showing it."""
        params = {"Bucket": self.name, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        return self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=min(seconds, LINK_SECONDS)
        )
