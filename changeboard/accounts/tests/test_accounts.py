"""User management: services, pages and scopes taking effect."""

from __future__ import annotations

from typing import Any

from changeboard.accounts.models import Role, User
from changeboard.core.models import AuditEntry


def test_admin_creates_a_change_manager_who_sees_only_their_programme(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    r = client.post("/users/new/", {
        "username": "newlead", "first_name": "New", "last_name": "Lead", "email": "new.lead@example.police.uk",
        "role": Role.CHANGE_MANAGER, "is_active": "on", "programmes": [world.programme_b.pk], "password": "a-very-long-passphrase-9",
    })
    assert r.status_code == 302
    user = User.objects.get(username="newlead")
    assert list(user.programmes.all()) == [world.programme_b]
    assert user.check_password("a-very-long-passphrase-9")
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk), action="create")
    assert entry.after is not None and "password" not in entry.after
    client.force_login(user)
    assert client.get(world.programme_b.get_absolute_url()).status_code == 200
    assert client.get(world.programme_a.get_absolute_url()).status_code == 404


def test_change_manager_needs_a_programme(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    r = client.post("/users/new/", {"username": "x", "role": Role.CHANGE_MANAGER, "is_active": "on"})
    assert r.status_code == 200 and b"Choose at least one programme" in r.content
    assert not User.objects.filter(username="x").exists()


def test_short_password_is_refused(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    r = client.post("/users/new/", {"username": "y", "role": Role.BOARD, "is_active": "on", "password": "short"})
    assert r.status_code == 200 and not User.objects.filter(username="y").exists()


def test_editing_scope_takes_effect_and_is_audited(client: Any, world: Any) -> None:
    champion = world.users["champion"]
    client.force_login(world.users["admin"])
    r = client.post(f"/users/{champion.pk}/edit/", {
        "username": "champion", "first_name": "C", "last_name": "H", "email": "", "role": Role.CHAMPION, "is_active": "on",
        "units": [world.camden.pk],
    })
    assert r.status_code == 302
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(champion.pk), action="update").latest("timestamp")
    assert entry.before is not None and entry.after is not None
    assert entry.before["units"] == [world.westminster.pk] and entry.after["units"] == [world.camden.pk]
    client.force_login(champion)
    assert client.get(world.staff_out.get_absolute_url()).status_code == 200
    assert client.get(world.staff_in.get_absolute_url()).status_code == 404


def test_deactivated_user_cannot_sign_in(client: Any, world: Any) -> None:
    from changeboard.accounts.services import user_update
    from changeboard.conftest import PASSWORD

    user_update(user=world.users["board"], actor=world.users["admin"], is_active=False)
    r = client.post("/login/", {"username": "board", "password": PASSWORD})
    assert r.status_code == 200 and b"Enter a correct username and password" in r.content


def test_sign_in_is_recorded_for_auditors(client: Any, world: Any) -> None:
    from changeboard.conftest import PASSWORD

    client.post("/login/", {"username": "board", "password": PASSWORD})
    entry = AuditEntry.objects.get(action="login")
    assert entry.actor == world.users["board"] and entry.object_type == "accounts.user"
    client.force_login(world.users["auditor"])
    assert b"Log in" in client.get("/audit/?action=login").content


def test_admin_marks_a_break_glass_account_and_it_is_audited(client: Any, world: Any) -> None:
    client.force_login(world.users["admin"])
    r = client.post("/users/new/", {"username": "glass", "role": Role.ADMIN, "is_active": "on", "break_glass": "on",
                                    "password": "a-very-long-passphrase-9"})
    assert r.status_code == 302
    user = User.objects.get(username="glass")
    assert user.break_glass
    entry = AuditEntry.objects.get(object_type="accounts.user", object_id=str(user.pk), action="create")
    assert entry.after is not None and entry.after["break_glass"] is True
    assert b"break-glass account" in client.get(f"/users/{user.pk}/").content
