"""Impact pages, included by the root with no prefix (they live under
`impacts/`): the change load (heatmap, hotspots, proposals, tolerances) and
impact assessments with their lines and import."""

from django.urls import path

from .views import assessments, load

urlpatterns = [
    # Change load
    path("impacts/load/", load.HeatmapView.as_view(), name="heatmap"),
    path("impacts/load.svg", load.HeatmapSvgView.as_view(), name="heatmap-svg"),
    path("impacts/load/<int:unit>/<str:week>/", load.CellView.as_view(), name="load-cell"),
    path("impacts/hotspots/", load.HotspotsView.as_view(), name="hotspots"),
    path("impacts/proposals/", load.ProposalListView.as_view(), name="proposal-list"),
    path("impacts/tolerances/", load.ToleranceView.as_view(), name="tolerances"),
    path("impacts/proposals/<int:pk>/decide/", load.ProposalDecideView.as_view(), name="proposal-decide"),
    # Impact assessments
    path("impacts/", assessments.AssessmentListView.as_view(), name="assessment-list"),
    path("impacts/new/", assessments.AssessmentCreateView.as_view(), name="assessment-create"),
    path("impacts/<int:pk>/", assessments.AssessmentDetailView.as_view(), name="assessment-detail"),
    path("impacts/<int:pk>/edit/", assessments.AssessmentEditView.as_view(), name="assessment-edit"),
    path("impacts/<int:pk>/action/<str:action>/", assessments.AssessmentActionView.as_view(), name="assessment-action"),
    path("impacts/<int:pk>/changes/", assessments.AssessmentChangesView.as_view(), name="assessment-changes"),
    path("impacts/<int:pk>/export/", assessments.AssessmentExportView.as_view(), name="assessment-export"),
    path("impacts/<int:pk>/lines/new/", assessments.LineFormView.as_view(), name="line-add"),
    path("impacts/<int:pk>/lines/<int:line_pk>/", assessments.LineFormView.as_view(), name="line-edit"),
    path("impacts/<int:pk>/lines/<int:line_pk>/delete/", assessments.LineDeleteView.as_view(), name="line-delete"),
    path("impacts/<int:pk>/lines/<int:line_pk>/staff/", assessments.LineStaffView.as_view(), name="line-staff"),
    path("impacts/<int:pk>/import/", assessments.ImpactImportView.as_view(), name="impact-import"),
    path("impacts/<int:pk>/import/<uuid:token>/", assessments.ImpactImportPreviewView.as_view(), name="impact-import-preview"),
]
