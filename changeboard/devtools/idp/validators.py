"""The claims the provider sends, as Entra would: `roles` from the person's
groups (Entra's app roles), `email`, `name`, `given_name`, `family_name` and
`employeeid`, in the ID token and from userinfo alike."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    # Every claim goes out whatever the scopes: the relying party under test
    # asks for "openid email profile", and the roles claim belongs to no scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        person = getattr(user, "person", None)
        return {
            "email": user.email,
            "name": user.get_full_name(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "employeeid": person.employeeid if person is not None else "",
            "roles": sorted(user.groups.values_list("name", flat=True)),
        }
