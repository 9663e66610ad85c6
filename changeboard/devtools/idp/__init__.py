"""A tiny OpenID Connect provider for tests and `make scale`: its own Django
project (settings, SQLite file, login page) on django-oauth-toolkit, so
Changeboard's single sign-on is exercised against a real provider (code
flow with PKCE, RS256 ID tokens, JWKS, userinfo, end-session) and never a
mocked token. A development dependency: nothing outside this package
imports `oauth2_provider`, and production settings never load it.

Run it with `python -m changeboard.devtools.idp serve|env|adduser|client`."""
