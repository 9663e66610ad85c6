"""Champion network pages: the pool, coverage, load, activities, themes, the champion's own page, recognition."""

from django.urls import path

from .views import activities, dashboard

urlpatterns: list = [
    path("network/", dashboard.DashboardView.as_view(), name="network-dashboard"),
    # Champion activities and reach (views/activities.py)
    path("network/activities/", activities.ActivityListView.as_view(), name="activity-list"),
    path("network/activities/log/", activities.ActivityLogView.as_view(), name="activity-log"),
    path("network/activities/plan/", activities.ActivityPlanView.as_view(), name="activity-plan"),
    path("network/activities/<int:pk>/", activities.ActivityDetailView.as_view(), name="activity-detail"),
    path("network/activities/<int:pk>/edit/", activities.ActivityEditView.as_view(), name="activity-edit"),
    path("network/activities/<int:pk>/complete/", activities.ActivityCompleteView.as_view(), name="activity-complete"),
    path("network/activities/<int:pk>/cancel/", activities.ActivityCancelView.as_view(), name="activity-cancel"),
    path("network/reach/", activities.ReachView.as_view(), name="network-reach"),
    path("network/champions/<int:pk>/", activities.ActivityListView.as_view(), name="champion-detail"),  # TEMP until merge
]
