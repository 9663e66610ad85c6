"""The provider's data directory: the secrets made once and kept there (the
RS256 signing key, Django's secret key, the Changeboard client's secret),
so a restart keeps the same keys and tokens stay verifiable. Plain Python:
`env` reads it without starting Django."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Files:
    signing_key: str
    secret_key: str
    client_secret: str


def _keep(path: Path, make: Callable[[], str]) -> str:
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8")


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode("ascii")


def prepare(data: Path) -> Files:
    data.mkdir(parents=True, exist_ok=True)
    return Files(
        signing_key=_keep(data / "oidc-rs256.pem", _rsa_key),
        secret_key=_keep(data / "secret-key.txt", lambda: secrets.token_urlsafe(50)),
        client_secret=_keep(data / "client-secret.txt", lambda: secrets.token_urlsafe(40)),
    )
