"""Impact assessment pages. Included at the root with no prefix, e.g.
`path("", include("changeboard.impacts.urls"))`; the change-load pages
(impacts/load/, impacts/hotspots/, ...) are routed by the project's urls."""

from django.urls import path

from .views import assessments as views

urlpatterns = [
    path("impacts/", views.AssessmentListView.as_view(), name="assessment-list"),
    path("impacts/new/", views.AssessmentCreateView.as_view(), name="assessment-create"),
    path("impacts/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("impacts/<int:pk>/edit/", views.AssessmentEditView.as_view(), name="assessment-edit"),
    path("impacts/<int:pk>/action/<str:action>/", views.AssessmentActionView.as_view(), name="assessment-action"),
    path("impacts/<int:pk>/changes/", views.AssessmentChangesView.as_view(), name="assessment-changes"),
    path("impacts/<int:pk>/export/", views.AssessmentExportView.as_view(), name="assessment-export"),
    path("impacts/<int:pk>/lines/new/", views.LineFormView.as_view(), name="line-add"),
    path("impacts/<int:pk>/lines/<int:line_pk>/", views.LineFormView.as_view(), name="line-edit"),
    path("impacts/<int:pk>/lines/<int:line_pk>/delete/", views.LineDeleteView.as_view(), name="line-delete"),
    path("impacts/<int:pk>/lines/<int:line_pk>/staff/", views.LineStaffView.as_view(), name="line-staff"),
    path("impacts/<int:pk>/import/", views.ImpactImportView.as_view(), name="impact-import"),
    path("impacts/<int:pk>/import/<uuid:token>/", views.ImpactImportPreviewView.as_view(), name="impact-import-preview"),
]
