"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path

from .views import coaching, dashboard, handover, journeys

urlpatterns: list = [
    # coaching (views/coaching.py, views/handover.py, views/dashboard.py)
    path("capability/", dashboard.DashboardView.as_view(), name="capability-dashboard"),
    path("capability/coaching/", coaching.CoachingListView.as_view(), name="coaching-list"),
    path("capability/coaching/add/", coaching.CoachingAddView.as_view(), name="coaching-add"),
    path("capability/coaching/<int:pk>/", coaching.CoachingDetailView.as_view(), name="coaching-detail"),
    path("capability/coaching/<int:pk>/edit/", coaching.CoachingEditView.as_view(), name="coaching-edit"),
    path("capability/handover/", handover.HandoverView.as_view(), name="handover"),
    path("capability/handover/add/", handover.HandoverItemAddView.as_view(), name="handover-item-add"),
    path("capability/handover/<int:pk>/edit/", handover.HandoverItemEditView.as_view(), name="handover-item-edit"),
    path("capability/handover/<int:pk>/delete/", handover.HandoverItemDeleteView.as_view(), name="handover-item-delete"),
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
