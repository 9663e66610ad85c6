"""The shared file storage under test, twice: the local file system and a
real S3-compatible server (moto in server mode, on a free port of this
machine, spoken to over HTTP by django-storages and boto3).

Imported as a pytest plugin by `changeboard/conftest.py`. `file_storage`
runs a test once per backend, with `settings.STORAGES["default"]` switched
to it (the S3 one built by the very `settings.s3_storage_options()` a
deployment uses, from S3_* variables). Without moto the S3 run is skipped
locally and fails under CI=true (a missing server is a failure there)."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "eu-west-2"
# moto accepts any keys; these only keep boto3 from looking for real ones.
ACCESS_KEY, SECRET_KEY = "changeboard-test", "changeboard-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto S3 server for this test process (each xdist worker its own)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        message = "moto[server] is not installed: the S3 storage tests need it (it is a dev requirement)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request in the test output
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class S3Bucket:
    endpoint: str
    name: str
    client: Any

    def keys(self) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=self.name).get("Contents", [])]


@pytest.fixture
def s3_bucket(moto_endpoint: str) -> S3Bucket:
    """An empty bucket of this test's own (a uuid name), so parallel tests
    never see each other's files."""
    import boto3

    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY)
    name = f"changeboard-test-{uuid.uuid4().hex}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return S3Bucket(moto_endpoint, name, client)


def s3_env(monkeypatch: pytest.MonkeyPatch, bucket: S3Bucket, **extra: str) -> None:
    """The S3_* variables a deployment would set, pointing at `bucket`."""
    values = {"S3_BUCKET": bucket.name, "S3_ENDPOINT_URL": bucket.endpoint, "S3_REGION": REGION, "S3_ACCESS_KEY_ID": ACCESS_KEY,
              "S3_SECRET_ACCESS_KEY": SECRET_KEY, "S3_ADDRESSING_STYLE": "path", **extra}
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def s3_storages(settings: Any) -> dict[str, Any]:
    """STORAGES with the default built from the S3_* variables, as settings.py does."""
    from changeboard import settings as project_settings

    return {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage",
                                             "OPTIONS": project_settings.s3_storage_options()}}


@dataclass
class FileStorage:
    """Which backend a test runs on, and (for S3) its bucket."""

    kind: str
    bucket: S3Bucket | None = None


@pytest.fixture(params=["filesystem", "s3"])
def file_storage(request: pytest.FixtureRequest, settings: Any, monkeypatch: pytest.MonkeyPatch) -> FileStorage:
    """Run the test on the file system (the test's own MEDIA_ROOT), then on
    S3 (moto), with Django's default storage switched accordingly."""
    if request.param == "filesystem":
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
        return FileStorage("filesystem")
    bucket: S3Bucket = request.getfixturevalue("s3_bucket")
    s3_env(monkeypatch, bucket)
    settings.STORAGES = s3_storages(settings)
    return FileStorage("s3", bucket)
