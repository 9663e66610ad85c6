from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "changeboard.accounts"
    label = "accounts"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register

        from . import (
            checks,  # noqa: F401  (refuses demo accounts in production)
            signals,  # noqa: F401  (connects the sign-in audit)
        )
        from .models import ClaimRule, User

        register(NavEntry("Users", "user-list", order=100, model=User),
                 NavEntry("Claim rules", "claim-rule-list", order=105, model=ClaimRule))
