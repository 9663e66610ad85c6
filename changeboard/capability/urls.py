"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path

from .views import approach, dashboard

urlpatterns: list = [
    path("capability/", dashboard.DashboardView.as_view(), name="capability-dashboard"),
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
    path("capability/journeys/", dashboard.DashboardView.as_view(), name="journey-list"),  # TEMP until merge
    path("capability/framework/", dashboard.DashboardView.as_view(), name="framework-detail-current"),  # TEMP until merge
    path("capability/practitioners/", dashboard.DashboardView.as_view(), name="practitioner-list"),  # TEMP until merge
    path("capability/skills/", dashboard.DashboardView.as_view(), name="skills-matrix"),  # TEMP until merge
    path("capability/coaching/", dashboard.DashboardView.as_view(), name="coaching-list"),  # TEMP until merge
    path("capability/handover/", dashboard.DashboardView.as_view(), name="handover"),  # TEMP until merge
]
