"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path

from .views import dashboard, framework, practitioners

urlpatterns: list = [
    path("capability/", dashboard.DashboardView.as_view(), name="capability-dashboard"),
    # framework (views/framework.py)
    path("capability/framework/", framework.FrameworkDetailView.as_view(), name="framework-detail-current"),
    path("capability/frameworks/<int:pk>/", framework.FrameworkDetailView.as_view(), name="framework-detail"),
    path("capability/frameworks/<int:pk>/edit/", framework.FrameworkEditView.as_view(), name="framework-edit"),
    path("capability/frameworks/<int:pk>/competencies/add/", framework.CompetencyAddView.as_view(), name="competency-add"),
    path("capability/competencies/<int:pk>/edit/", framework.CompetencyEditView.as_view(), name="competency-edit"),
    path("capability/frameworks/<int:pk>/roles/add/", framework.PractitionerRoleAddView.as_view(), name="practitioner-role-add"),
    path("capability/practitioner-roles/<int:pk>/edit/", framework.PractitionerRoleEditView.as_view(), name="practitioner-role-edit"),
    # practitioners (views/practitioners.py)
    path("capability/practitioners/", practitioners.PractitionerListView.as_view(), name="practitioner-list"),
    path("capability/practitioners/add/", practitioners.PractitionerAddView.as_view(), name="practitioner-add"),
    path("capability/practitioners/<int:pk>/", practitioners.PractitionerDetailView.as_view(), name="practitioner-detail"),
    path("capability/practitioners/<int:pk>/edit/", practitioners.PractitionerEditView.as_view(), name="practitioner-edit"),
    path("capability/practitioners/<int:pk>/assess/", practitioners.AssessmentAddView.as_view(), name="assessment-add"),
    path("capability/skills/", practitioners.SkillsMatrixView.as_view(), name="skills-matrix"),
    path("capability/approaches/", dashboard.DashboardView.as_view(), name="approach-list"),  # TEMP until merge
    path("capability/journeys/", dashboard.DashboardView.as_view(), name="journey-list"),  # TEMP until merge
    path("capability/handover/", dashboard.DashboardView.as_view(), name="handover"),  # TEMP until merge
    path("capability/coaching/", dashboard.DashboardView.as_view(), name="coaching-list"),  # TEMP until merge
    path("capability/coaching/add/", dashboard.DashboardView.as_view(), name="coaching-add"),  # TEMP until merge
]
