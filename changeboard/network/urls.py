"""Champion network pages: the pool, coverage, load, activities, themes, the champion's own page, recognition."""

from django.urls import path

from .views import dashboard
from .views import themes as theme_views

urlpatterns: list = [
    path("network/", dashboard.DashboardView.as_view(), name="network-dashboard"),
    path("network/feedback/", theme_views.ThemeListView.as_view(), name="theme-list"),
    path("network/feedback/record/", theme_views.ThemeRecordView.as_view(), name="theme-record"),
    path("network/feedback/summary/", theme_views.ThemeSummaryView.as_view(), name="theme-summary"),
    path("network/feedback/<int:pk>/", theme_views.ThemeDetailView.as_view(), name="theme-detail"),
    path("network/feedback/<int:pk>/action/", theme_views.ThemeActionView.as_view(), name="theme-action"),
    path("network/feedback/<int:pk>/link/", theme_views.ThemeLinkView.as_view(), name="theme-link"),
    path("network/feedback/<int:pk>/close/", theme_views.ThemeCloseView.as_view(), name="theme-close"),
]
