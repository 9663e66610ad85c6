"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path

from .views import approach, coaching, dashboard, framework, handover, journeys, practitioners

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
    # approach (views/approach.py)
    path("capability/approaches/", approach.ApproachListView.as_view(), name="approach-list"),
    path("capability/approaches/new/", approach.ApproachCreateView.as_view(), name="approach-create"),
    path("capability/approaches/<int:pk>/", approach.ApproachDetailView.as_view(), name="approach-detail"),
    path("capability/approaches/<int:pk>/edit/", approach.ApproachEditView.as_view(), name="approach-edit"),
    path("capability/approaches/<int:pk>/submit/", approach.ApproachSubmitView.as_view(), name="approach-submit"),
    path("capability/approaches/<int:pk>/approve/", approach.ApproachApproveView.as_view(), name="approach-approve"),
    path("capability/approaches/<int:pk>/return/", approach.ApproachReturnView.as_view(), name="approach-return"),
    path("capability/approaches/<int:pk>/versions/", approach.ApproachVersionsView.as_view(), name="approach-versions"),
    path("capability/approaches/<int:pk>/versions/<int:number>/", approach.ApproachVersionView.as_view(), name="approach-version"),
    path("capability/approaches/<int:pk>/pdf/", approach.ApproachPdfView.as_view(), name="approach-pdf"),
    path("capability/approaches/<int:pk>/groups/add/", approach.GroupApproachAddView.as_view(), name="group-approach-add"),
    path("capability/group-approaches/<int:pk>/edit/", approach.GroupApproachEditView.as_view(), name="group-approach-edit"),
    path("capability/group-approaches/<int:pk>/delete/", approach.GroupApproachDeleteView.as_view(), name="group-approach-delete"),
    path("capability/approaches/<int:pk>/promises/add/", approach.PromiseAddView.as_view(), name="promise-add"),
    path("capability/promises/<int:pk>/edit/", approach.PromiseEditView.as_view(), name="promise-edit"),
    path("capability/promises/<int:pk>/delete/", approach.PromiseDeleteView.as_view(), name="promise-delete"),
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
]
