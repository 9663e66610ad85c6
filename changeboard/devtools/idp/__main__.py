"""`python -m changeboard.devtools.idp <command>`: the local OpenID Connect provider.

- `serve --port 9000 --site-url http://127.0.0.1:8000 [--data var/idp]`:
  migrate, register the Changeboard client for each site URL, create the demo
  people, and serve until stopped (prints "ready" when it listens).
- `env --port 9000 --site-url ... [--data var/idp]`: the `export NAME=value`
  lines Changeboard needs to sign in through this provider.
- `adduser USERNAME --password ... [--email --first-name --last-name
  --employeeid --role CLAIM ...]`: add or replace a person (tests).
- `client --site-url URL ...`: add site URLs to the Changeboard client (tests).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from .data import prepare

CLIENT_ID = "changeboard"
DEFAULT_DATA = str(Path(__file__).resolve().parents[3] / "var" / "idp")  # the checkout's var/, wherever it is run from


def _setup(data: str) -> None:
    os.environ["CHANGEBOARD_IDP_DATA"] = str(Path(data).resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "changeboard.devtools.idp.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def register_client(data: str, site_urls: list[str]) -> None:
    """The Changeboard client: confidential, authorization code with PKCE,
    RS256, no consent screen; its redirect and post-logout URIs for every
    site URL given now or before."""
    from oauth2_provider.models import Application

    secret = prepare(Path(data).resolve()).client_secret
    app = Application.objects.filter(client_id=CLIENT_ID).first()
    sites = [url.rstrip("/") for url in site_urls]
    redirects = set(app.redirect_uris.split()) if app else set()
    logouts = set(app.post_logout_redirect_uris.split()) if app else set()
    redirects |= {f"{site}/oidc/callback/" for site in sites}
    logouts |= {f"{site}/login/" for site in sites}
    if app is None:
        app = Application(client_id=CLIENT_ID, client_secret=secret, name="Changeboard")
    app.client_type = Application.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    app.algorithm = Application.RS256_ALGORITHM
    app.skip_authorization = True
    app.redirect_uris = " ".join(sorted(redirects))
    app.post_logout_redirect_uris = " ".join(sorted(logouts))
    app.save()


def add_person(*, username: str, password: str, email: str = "", first_name: str = "", last_name: str = "",
               employeeid: str = "", roles: list[str] | None = None) -> None:
    from django.contrib.auth.models import Group, User

    from .models import Person

    user = User.objects.filter(username=username).first() or User(username=username)
    user.email, user.first_name, user.last_name = email, first_name, last_name
    user.set_password(password)
    user.save()
    Person.objects.update_or_create(user=user, defaults={"employeeid": employeeid})
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles or []])


def add_demo_people() -> None:
    from changeboard.devtools.personas import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_PERSONAS

    for username, _role, first, last, _scope, claim in DEMO_PERSONAS:
        add_person(username=username, password=DEMO_PASSWORD, email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                   first_name=first, last_name=last, roles=[claim])


def environment(port: int, data: str, host: str = "127.0.0.1") -> dict[str, str]:
    base = f"http://{host}:{port}/o"
    return {
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": prepare(Path(data).resolve()).client_secret,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base}/authorize/",
        "OIDC_OP_TOKEN_ENDPOINT": f"{base}/token/",
        "OIDC_OP_USER_ENDPOINT": f"{base}/userinfo/",
        "OIDC_OP_JWKS_ENDPOINT": f"{base}/.well-known/jwks.json",
        "OIDC_OP_LOGOUT_ENDPOINT": f"{base}/logout/",
    }


def serve(args: Any) -> None:
    """Serve on Django's threaded development WSGI server (no DEBUG, no
    access log: its URLs carry codes and tokens)."""
    import socketserver

    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, get_internal_wsgi_application

    _setup(args.data)
    register_client(args.data, args.site_url)
    add_demo_people()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # the standard library's name
            pass

    server_class = type("ThreadedWSGIServer", (socketserver.ThreadingMixIn, WSGIServer), {"daemon_threads": True})
    httpd = server_class((args.host, args.port), QuietHandler, ipv6=False)
    httpd.set_app(get_internal_wsgi_application())
    print(f"ready: local identity provider on http://{args.host}:{args.port}/", flush=True)
    httpd.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m changeboard.devtools.idp", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "env"):
        command = commands.add_parser(name)
        command.add_argument("--port", type=int, default=9000)
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--site-url", action="append", default=[], help="Changeboard's address (repeatable)")
        command.add_argument("--data", default=DEFAULT_DATA)
    adduser = commands.add_parser("adduser")
    adduser.add_argument("username")
    adduser.add_argument("--password", required=True)
    adduser.add_argument("--email", default="")
    adduser.add_argument("--first-name", default="")
    adduser.add_argument("--last-name", default="")
    adduser.add_argument("--employeeid", default="")
    adduser.add_argument("--role", action="append", default=[], help="a roles claim value (repeatable)")
    adduser.add_argument("--data", default=DEFAULT_DATA)
    client = commands.add_parser("client")
    client.add_argument("--site-url", action="append", default=[], required=True)
    client.add_argument("--data", default=DEFAULT_DATA)
    args = parser.parse_args(argv)

    if args.command == "serve":
        serve(args)
    elif args.command == "env":
        for name, value in environment(args.port, args.data, args.host).items():
            sys.stdout.write(f"export {name}={shlex.quote(value)}\n")
    elif args.command == "adduser":
        _setup(args.data)
        add_person(username=args.username, password=args.password, email=args.email, first_name=args.first_name,
                   last_name=args.last_name, employeeid=args.employeeid, roles=args.role)
    elif args.command == "client":
        _setup(args.data)
        register_client(args.data, args.site_url)


if __name__ == "__main__":
    main()
