"""The S3 storage settings (`settings.s3_storage_options`): what a
deployment sets, and every bad value stopping start-up with a clear
message rather than a storage that fails on the first upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from changeboard import settings as project_settings

VARIABLES = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID_FILE",
             "S3_SECRET_ACCESS_KEY_FILE", "S3_ADDRESSING_STYLE", "S3_PREFIX")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_the_options_are_private_unsigned_and_never_overwrite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3_BUCKET", "changeboard-files")
    options = project_settings.s3_storage_options()
    assert options == {"bucket_name": "changeboard-files", "endpoint_url": None, "region_name": None, "access_key": None,
                       "secret_key": None, "addressing_style": None, "location": "", "default_acl": None,
                       "querystring_auth": False, "file_overwrite": False}


def test_every_variable_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("AKIA-from-file\n")
    (tmp_path / "secret").write_text("secret-from-file\n")
    for name, value in {"S3_BUCKET": "files", "S3_ENDPOINT_URL": "https://s3.example.police.uk", "S3_REGION": "eu-west-2",
                        "S3_ACCESS_KEY_ID_FILE": str(tmp_path / "key"), "S3_SECRET_ACCESS_KEY_FILE": str(tmp_path / "secret"),
                        "S3_ADDRESSING_STYLE": "path", "S3_PREFIX": "/changeboard/"}.items():
        monkeypatch.setenv(name, value)
    options = project_settings.s3_storage_options()
    assert (options["endpoint_url"], options["region_name"], options["access_key"], options["secret_key"]) == (
        "https://s3.example.police.uk", "eu-west-2", "AKIA-from-file", "secret-from-file")
    assert (options["addressing_style"], options["location"]) == ("path", "changeboard")
    monkeypatch.setenv("S3_ADDRESSING_STYLE", "virtual")
    assert project_settings.s3_storage_options()["addressing_style"] == "virtual"


@pytest.mark.parametrize(("variables", "message"), [
    ({}, "S3_BUCKET"),
    ({"S3_BUCKET": "files", "S3_ADDRESSING_STYLE": "Path"}, "S3_ADDRESSING_STYLE must be one of auto, path, virtual"),
    ({"S3_BUCKET": "files", "S3_ENDPOINT_URL": "s3.example.police.uk"}, "S3_ENDPOINT_URL must be an http(s):// URL"),
    ({"S3_BUCKET": "files", "S3_ENDPOINT_URL": "ftp://s3.example.police.uk"}, "S3_ENDPOINT_URL must be an http(s):// URL"),
    ({"S3_BUCKET": "files", "S3_ACCESS_KEY_ID": "AKIA"}, "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"),
    ({"S3_BUCKET": "files", "S3_SECRET_ACCESS_KEY": "secret"}, "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"),
])
def test_bad_values_stop_start_up(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        project_settings.s3_storage_options()
