"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path  # noqa: I001  (one import line per part, merged by hand)

from .views import dashboard
from .views import journeys

urlpatterns: list = [
    path("capability/", dashboard.DashboardView.as_view(), name="capability-dashboard"),
    path("capability/approaches/", dashboard.DashboardView.as_view(), name="approach-list"),  # TEMP until merge
    path("capability/framework/", dashboard.DashboardView.as_view(), name="framework-detail-current"),  # TEMP until merge
    path("capability/practitioners/", dashboard.DashboardView.as_view(), name="practitioner-list"),  # TEMP until merge
    path("capability/skills/", dashboard.DashboardView.as_view(), name="skills-matrix"),  # TEMP until merge
    path("capability/coaching/", dashboard.DashboardView.as_view(), name="coaching-list"),  # TEMP until merge
    path("capability/handover/", dashboard.DashboardView.as_view(), name="handover"),  # TEMP until merge
    # journeys (views/journeys.py)
    path("capability/journeys/", journeys.JourneyListView.as_view(), name="journey-list"),
    path("capability/journeys/new/", journeys.JourneyCreateView.as_view(), name="journey-create"),
    path("capability/journeys/<int:pk>/", journeys.JourneyDetailView.as_view(), name="journey-detail"),
    path("capability/journeys/<int:pk>/edit/", journeys.JourneyEditView.as_view(), name="journey-edit"),
    path("capability/journeys/<int:pk>/delete/", journeys.JourneyDeleteView.as_view(), name="journey-delete"),
    path("capability/journeys/<int:pk>/export.xlsx", journeys.JourneyXlsxView.as_view(), name="journey-xlsx"),
    path("capability/journeys/<int:pk>/pdf/", journeys.JourneyPdfView.as_view(), name="journey-pdf"),
    path("capability/journeys/<int:pk>/stages/add/", journeys.StageAddView.as_view(), name="stage-add"),
    path("capability/stages/<int:pk>/edit/", journeys.StageEditView.as_view(), name="stage-edit"),
    path("capability/stages/<int:pk>/delete/", journeys.StageDeleteView.as_view(), name="stage-delete"),
    path("capability/stages/<int:pk>/move/", journeys.StageMoveView.as_view(), name="stage-move"),
    path("capability/stages/<int:pk>/steps/add/", journeys.StepAddView.as_view(), name="step-add"),
    path("capability/steps/<int:pk>/edit/", journeys.StepEditView.as_view(), name="step-edit"),
    path("capability/steps/<int:pk>/delete/", journeys.StepDeleteView.as_view(), name="step-delete"),
    path("capability/steps/<int:pk>/move/", journeys.StepMoveView.as_view(), name="step-move"),
    path("capability/steps/<int:pk>/touchpoints/add/", journeys.TouchpointAddView.as_view(), name="touchpoint-add"),
    path("capability/touchpoints/<int:pk>/delete/", journeys.TouchpointDeleteView.as_view(), name="touchpoint-delete"),
]
