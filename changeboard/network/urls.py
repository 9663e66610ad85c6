"""Champion network pages: the pool, coverage, load, activities, themes, the champion's own page, recognition."""

from django.urls import path

from .views import activities, coverage, dashboard, mine, pool, pulse, recognition, themes

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

    # The pool, programmes' asks and load (views/pool.py)
    path("network/champions/", pool.ChampionListView.as_view(), name="champion-list"),
    path("network/champions/nominate/", pool.NominateView.as_view(), name="champion-nominate"),
    path("network/champions/<int:pk>/", pool.ChampionDetailView.as_view(), name="champion-detail"),
    path("network/champions/<int:pk>/edit/", pool.ChampionEditView.as_view(), name="champion-edit"),
    path("network/champions/<int:pk>/end/", pool.ChampionEndView.as_view(), name="champion-end"),
    path("network/champions/<int:pk>/review/", pool.ChampionReviewView.as_view(), name="champion-review"),
    path("network/supports/<int:pk>/edit/", pool.SupportEditView.as_view(), name="support-edit"),
    path("network/supports/<int:pk>/end/", pool.SupportEndView.as_view(), name="support-end"),
    path("network/load/", pool.LoadView.as_view(), name="network-load"),

    path("network/mine/", mine.MineView.as_view(), name="network-mine"),
    path("network/champions/<int:pk>/accept/", mine.AcceptView.as_view(), name="champion-accept"),
    path("network/champions/<int:pk>/decline/", mine.DeclineView.as_view(), name="champion-decline"),
    path("network/recognition/", recognition.RecognitionView.as_view(), name="network-recognition"),
    path("network/champions/<int:pk>/thanks/", recognition.ThanksSendView.as_view(), name="thanks-send"),
    path("network/pulse/", pulse.PulseView.as_view(), name="network-pulse"),

    path("network/coverage/", coverage.CoverageView.as_view(), name="network-coverage"),
    path("network/coverage/map/", coverage.CoverageMapView.as_view(), name="network-coverage-map"),
    path("network/coverage/gap/", coverage.GapView.as_view(), name="network-gap"),
    path("network/coverage/target/<int:pk>/", coverage.CoverageTargetView.as_view(), name="coverage-target"),
    path("network/policy/", coverage.PolicyView.as_view(), name="network-policy"),

    path("network/feedback/", themes.ThemeListView.as_view(), name="theme-list"),
    path("network/feedback/record/", themes.ThemeRecordView.as_view(), name="theme-record"),
    path("network/feedback/summary/", themes.ThemeSummaryView.as_view(), name="theme-summary"),
    path("network/feedback/<int:pk>/", themes.ThemeDetailView.as_view(), name="theme-detail"),
    path("network/feedback/<int:pk>/action/", themes.ThemeActionView.as_view(), name="theme-action"),
    path("network/feedback/<int:pk>/link/", themes.ThemeLinkView.as_view(), name="theme-link"),
    path("network/feedback/<int:pk>/close/", themes.ThemeCloseView.as_view(), name="theme-close"),
]
