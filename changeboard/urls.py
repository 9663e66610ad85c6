"""URL map: pages per area, the API under /api/v1/, health checks."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from changeboard.accounts import views as accounts
from changeboard.accounts.api.views import UserViewSet
from changeboard.core import views as core
from changeboard.core.api import AuditEntryViewSet
from changeboard.impacts.api.load import LoadView
from changeboard.impacts.api.views import AssessmentViewSet, ImpactLineViewSet
from changeboard.impacts.views import load as impact_load
from changeboard.organisation import views as organisation
from changeboard.organisation.api.views import RankGradeViewSet, StaffViewSet, UnitViewSet
from changeboard.portfolio import views as portfolio
from changeboard.portfolio.api.views import ProgrammeViewSet
from changeboard.readiness.api import actions as action_api
from changeboard.readiness.api import criteria as criteria_api
from changeboard.readiness.api import reviews as review_api
from changeboard.readiness.api.views import ScoresView
from changeboard.reports.api import packs as pack_api
from changeboard.surveys.api.views import InstrumentViewSet, SurveyRespondView, SurveyWaveViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="api-unit")
router.register("staff", StaffViewSet, basename="api-staff")
router.register("ranks", RankGradeViewSet, basename="api-rank")
router.register("programmes", ProgrammeViewSet, basename="api-programme")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("impact-lines", ImpactLineViewSet, basename="api-impact-line")
router.register("users", UserViewSet, basename="api-user")
router.register("audit", AuditEntryViewSet, basename="api-audit")
router.register("instruments", InstrumentViewSet, basename="api-survey-instrument")
router.register("survey-waves", SurveyWaveViewSet, basename="api-survey-wave")
for prefix, viewset, basename in [*criteria_api.routes, *review_api.routes, *action_api.routes, *pack_api.routes]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("", include("changeboard.site.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, extra_context={"page_title": "Sign in"}), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accessibility/", core.AccessibilityView.as_view(), name="accessibility"),
    path("healthz", core.healthz, name="healthz"),
    path("readyz", core.readyz, name="readyz"),
    # Organisation
    path("units/", organisation.UnitTreeView.as_view(), name="unit-tree"),
    path("units/<int:pk>/", organisation.UnitDetailView.as_view(), name="unit-detail"),
    path("staff/", organisation.StaffListView.as_view(), name="staff-list"),
    path("staff/<int:pk>/", organisation.StaffDetailView.as_view(), name="staff-detail"),
    path("staff/import/", organisation.StaffImportView.as_view(), name="staff-import"),
    path("staff/import/<uuid:token>/", organisation.StaffImportPreviewView.as_view(), name="staff-import-preview"),
    # Portfolio
    path("programmes/", portfolio.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/new/", portfolio.ProgrammeCreateView.as_view(), name="programme-create"),
    path("programmes/<int:pk>/", portfolio.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programmes/<int:pk>/edit/", portfolio.ProgrammeEditView.as_view(), name="programme-edit"),
    path("programmes/<int:programme_pk>/milestones/new/", portfolio.MilestoneFormView.as_view(), name="milestone-add"),
    path("programmes/<int:programme_pk>/milestones/<int:pk>/", portfolio.MilestoneFormView.as_view(), name="milestone-edit"),
    path("programmes/<int:programme_pk>/milestones/<int:pk>/delete/", portfolio.MilestoneDeleteView.as_view(), name="milestone-delete"),
    path("programmes/<int:programme_pk>/waves/new/", portfolio.WaveFormView.as_view(), name="wave-add"),
    path("programmes/<int:programme_pk>/waves/<int:pk>/", portfolio.WaveFormView.as_view(), name="wave-edit"),
    path("programmes/<int:programme_pk>/waves/<int:pk>/delete/", portfolio.WaveDeleteView.as_view(), name="wave-delete"),
    # Impacts: change load
    path("impacts/load/", impact_load.HeatmapView.as_view(), name="heatmap"),
    path("impacts/load.svg", impact_load.HeatmapSvgView.as_view(), name="heatmap-svg"),
    path("impacts/load/<int:unit>/<str:week>/", impact_load.CellView.as_view(), name="load-cell"),
    path("impacts/hotspots/", impact_load.HotspotsView.as_view(), name="hotspots"),
    path("impacts/proposals/", impact_load.ProposalListView.as_view(), name="proposal-list"),
    path("impacts/tolerances/", impact_load.ToleranceView.as_view(), name="tolerances"),
    path("impacts/proposals/<int:pk>/decide/", impact_load.ProposalDecideView.as_view(), name="proposal-decide"),
    path("", include("changeboard.impacts.urls")),
    # Readiness surveys
    path("", include("changeboard.surveys.urls")),
    path("", include("changeboard.readiness.urls")),
    path("", include("changeboard.reports.urls")),
    # Accounts
    path("users/", accounts.UserListView.as_view(), name="user-list"),
    path("users/new/", accounts.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/", accounts.UserDetailView.as_view(), name="user-detail"),
    path("users/<int:pk>/edit/", accounts.UserEditView.as_view(), name="user-edit"),
    # Audit
    path("audit/", core.AuditListView.as_view(), name="audit-list"),
    path("audit/<int:pk>/", core.AuditDetailView.as_view(), name="audit-detail"),
    # Email outbox
    path("outbox/", core.OutboxListView.as_view(), name="outbox-list"),
    path("outbox/<int:pk>/", core.OutboxDetailView.as_view(), name="outbox-detail"),
    # API
    path("api/v1/", include(router.urls)),
    path("api/v1/load/", LoadView.as_view(), name="api-load"),
    path("api/v1/scores/", ScoresView.as_view(), name="api-scores"),
    path("api/v1/survey/<str:token>/", SurveyRespondView.as_view(), name="api-survey-respond"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

handler403 = "changeboard.core.views.error_403"
handler404 = "changeboard.core.views.error_404"
handler500 = "changeboard.core.views.error_500"
