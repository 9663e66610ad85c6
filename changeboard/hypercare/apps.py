from django.apps import AppConfig


class HypercareConfig(AppConfig):
    name = "changeboard.hypercare"
    label = "hypercare"

    def ready(self) -> None:
        from changeboard.core.navigation import NavEntry, register
        from changeboard.readiness.feeds import register_support_results, register_training_gap_rows
        from changeboard.reports.sections import register_programme_section

        from .models import Period
        from .services.board import hypercare_section
        from .services.feedback import review_training_gaps, support_results

        register(NavEntry("Hypercare", "period-list", order=47, model=Period))
        # Back into readiness (which sits below hypercare): the "support" feed and earlier waves' training gaps.
        register_support_results(support_results)
        register_training_gap_rows(review_training_gaps)
        # On the Board's programme dashboard and in the board pack (reports sits below hypercare).
        register_programme_section(hypercare_section)
