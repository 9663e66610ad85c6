"""The local OpenID Connect provider's fixtures for the accounts tests."""

from .idp import idp, sso  # noqa: F401  (fixtures: the provider subprocess, SSO settings pointing at it)
