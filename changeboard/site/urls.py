"""The site's own pages: home and the API reference."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("api/v1/docs/", views.ApiDocsView.as_view(), name="api-docs"),
]
