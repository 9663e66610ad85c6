"""Survey pages, included by the root with no prefix (they live under
`surveys/`, and the public answering page under `s/`)."""

from django.urls import path

from .views import imports, instruments, respond, waves

urlpatterns = [
    path("surveys/", waves.WaveListView.as_view(), name="wave-list"),
    path("surveys/new/", waves.WaveFormView.as_view(), name="wave-create"),
    path("surveys/<int:pk>/", waves.WaveDetailView.as_view(), name="wave-detail"),
    path("surveys/<int:pk>/edit/", waves.WaveFormView.as_view(), name="wave-edit"),
    path("surveys/<int:pk>/rates/", waves.WaveRatesView.as_view(), name="wave-rates"),
    path("surveys/<int:pk>/action/<str:action>/", waves.WaveActionView.as_view(), name="wave-action"),
    path("surveys/<int:pk>/confirm/<str:action>/", waves.WaveConfirmView.as_view(), name="wave-confirm"),
    path("surveys/<int:pk>/deferred/", waves.DeferralListView.as_view(), name="wave-deferrals"),
    path("surveys/rules/", waves.PolicyView.as_view(), name="survey-policy"),
    path("surveys/questionnaires/", instruments.InstrumentListView.as_view(), name="instrument-list"),
    path("surveys/questionnaires/new/", instruments.InstrumentCreateView.as_view(), name="instrument-create"),
    path("surveys/questionnaires/<int:pk>/", instruments.InstrumentDetailView.as_view(), name="instrument-detail"),
    path("surveys/questionnaires/<int:pk>/add/", instruments.InstrumentItemView.as_view(), name="instrument-add"),
    path("surveys/questionnaires/<int:pk>/remove/<int:question_pk>/", instruments.InstrumentItemView.as_view(), name="instrument-remove"),
    path("surveys/questionnaires/<int:pk>/questions/new/", instruments.QuestionCreateView.as_view(), name="question-create"),
    # Response import (from another survey tool)
    path("surveys/<int:pk>/import/", imports.ResponseImportView.as_view(), name="response-import"),
    path("surveys/<int:pk>/import/<uuid:token>/", imports.ResponseImportPreviewView.as_view(), name="response-import-preview"),
    # The public survey page: a personal link, no account.
    path("s/<str:token>/", respond.RespondView.as_view(), name="survey-respond"),
]
