"""Organisation pages, included by the root with no prefix (they live under
`units/` and `staff/`): the unit tree, staff and the staff import."""

from django.urls import path

from . import views

urlpatterns = [
    path("units/", views.UnitTreeView.as_view(), name="unit-tree"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit-detail"),
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff-detail"),
    path("staff/import/", views.StaffImportView.as_view(), name="staff-import"),
    path("staff/import/<uuid:token>/", views.StaffImportPreviewView.as_view(), name="staff-import-preview"),
]
