"""Single sign-on in the production profile: `check --deploy` stays clean
with it configured, a half-configured SSO refuses to start, and the local
provider's library never reaches Changeboard's own code."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from changeboard.core.tests.test_security import PROD, _manage

SSO = {
    "OIDC_RP_CLIENT_ID": "changeboard", "OIDC_RP_CLIENT_SECRET": "a-client-secret-from-the-vault",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example/oauth2/v2.0/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example/oauth2/v2.0/token",
    "OIDC_OP_USER_ENDPOINT": "https://graph.example/oidc/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example/discovery/v2.0/keys",
    "OIDC_OP_LOGOUT_ENDPOINT": "https://login.example/oauth2/v2.0/logout",
}


def test_check_deploy_is_clean_with_sso_configured(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    assert _manage("migrate", "-v0", DATABASE_URL=db).returncode == 0
    secret = tmp_path / "client-secret"
    secret.write_text("a-client-secret-from-a-file\n", encoding="utf-8")
    env = {**PROD, **SSO, "OIDC_RP_CLIENT_SECRET_FILE": str(secret)}
    del env["OIDC_RP_CLIENT_SECRET"]
    result = _manage("check", "--deploy", "--database", "default", "--fail-level", "WARNING", DATABASE_URL=db, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    shown = _manage("shell", "-c", "from django.conf import settings; print(settings.OIDC_RP_CLIENT_SECRET, settings.LOCAL_PASSWORD_LOGIN)",
                    DATABASE_URL=db, **env)
    assert shown.stdout.strip().splitlines()[-1].split() == ["a-client-secret-from-a-file", "break-glass"]


def test_production_refuses_half_configured_sso(tmp_path: Path) -> None:
    env = {**PROD, **SSO}
    del env["OIDC_OP_JWKS_ENDPOINT"]
    result = _manage("check", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", **env)
    assert result.returncode != 0 and "OIDC_OP_JWKS_ENDPOINT" in result.stderr


def test_oauth2_provider_is_imported_only_by_the_local_provider() -> None:
    root = Path(settings.BASE_DIR) / "changeboard"
    allowed = root / "devtools" / "idp"
    offenders = []
    for path in root.rglob("*.py"):
        if allowed in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] == "oauth2_provider" for name in names):
                offenders.append(str(path.relative_to(root)))
    assert not offenders
    assert not any(app.startswith("oauth2_provider") for app in settings.INSTALLED_APPS)


def test_the_provider_demo_people_are_the_seed_demo_accounts() -> None:
    from changeboard.devtools.personas import DEMO_PERSONAS
    from changeboard.devtools.seeding import DEMO_ACCOUNTS

    assert [a[0] for a in DEMO_ACCOUNTS] == [p[0] for p in DEMO_PERSONAS]
    assert len({p[5] for p in DEMO_PERSONAS}) == len(DEMO_PERSONAS)
