"""The demo personas, as plain data (no Django imports): the demo seed makes
their Changeboard accounts and claim rules, and the local OpenID Connect
provider (`devtools/idp`, a separate Django project) makes the same people
with the same roles claim, so a demo person signs in by single sign-on with
the role the seed gives them."""

from __future__ import annotations

DEMO_EMAIL_DOMAIN = "met.example.police.uk"
DEMO_PASSWORD = "changeboard-demo"  # every demo account's, here and at the local provider

# (username, role, first name, last name, scope, roles claim value): the scope
# is a programme code for change managers, a borough name for champions.
# The claim values look like Entra app roles.
DEMO_PERSONAS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("admin", "admin", "Priya", "Shah", "", "Changeboard.Admin"),
    ("board", "board", "Helen", "Carter", "", "Changeboard.Board"),
    ("lead", "change_manager", "Sam", "Okafor", "CMS", "Changeboard.ChangeManager.CMS"),
    ("lead2", "change_manager", "Jo", "Kowalski", "ROTA", "Changeboard.ChangeManager.ROTA"),
    ("champion", "champion", "Dev", "Patel", "Westminster", "Changeboard.Champion.Westminster"),
    ("auditor", "auditor", "Alex", "Reid", "", "Changeboard.Auditor"),
)
