"""Champion network pages: the pool, coverage, load, activities, themes, the champion's own page, recognition."""

from django.urls import path

from .views import dashboard, mine, pulse, recognition

urlpatterns: list = [
    path("network/", dashboard.DashboardView.as_view(), name="network-dashboard"),
    path("network/mine/", mine.MineView.as_view(), name="network-mine"),
    path("network/champions/<int:pk>/accept/", mine.AcceptView.as_view(), name="champion-accept"),
    path("network/champions/<int:pk>/decline/", mine.DeclineView.as_view(), name="champion-decline"),
    path("network/recognition/", recognition.RecognitionView.as_view(), name="network-recognition"),
    path("network/champions/<int:pk>/thanks/", recognition.ThanksSendView.as_view(), name="thanks-send"),
    path("network/pulse/", pulse.PulseView.as_view(), name="network-pulse"),
    path("network/temp/champions/<int:pk>/", mine.MineView.as_view(), name="champion-detail"),  # TEMP until merge
    path("network/temp/champions/", mine.MineView.as_view(), name="champion-list"),  # TEMP until merge
    path("network/temp/load/", mine.MineView.as_view(), name="network-load"),  # TEMP until merge
    path("network/temp/coverage/", mine.MineView.as_view(), name="network-coverage"),  # TEMP until merge
    path("network/temp/activities/", mine.MineView.as_view(), name="activity-list"),  # TEMP until merge
    path("network/temp/activities/<int:pk>/", mine.MineView.as_view(), name="activity-detail"),  # TEMP until merge
    path("network/temp/activities/log/", mine.MineView.as_view(), name="activity-log"),  # TEMP until merge
    path("network/temp/reach/", mine.MineView.as_view(), name="network-reach"),  # TEMP until merge
    path("network/temp/themes/", mine.MineView.as_view(), name="theme-list"),  # TEMP until merge
    path("network/temp/themes/record/", mine.MineView.as_view(), name="theme-record"),  # TEMP until merge
]
