"""Portfolio pages, included by the root with no prefix (they live under
`programmes/`): programmes, their milestones and rollout waves."""

from django.urls import path

from . import views

urlpatterns = [
    path("programmes/", views.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/new/", views.ProgrammeCreateView.as_view(), name="programme-create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeEditView.as_view(), name="programme-edit"),
    path("programmes/<int:programme_pk>/milestones/new/", views.MilestoneFormView.as_view(), name="milestone-add"),
    path("programmes/<int:programme_pk>/milestones/<int:pk>/", views.MilestoneFormView.as_view(), name="milestone-edit"),
    path("programmes/<int:programme_pk>/milestones/<int:pk>/delete/", views.MilestoneDeleteView.as_view(), name="milestone-delete"),
    path("programmes/<int:programme_pk>/waves/new/", views.WaveFormView.as_view(), name="wave-add"),
    path("programmes/<int:programme_pk>/waves/<int:pk>/", views.WaveFormView.as_view(), name="wave-edit"),
    path("programmes/<int:programme_pk>/waves/<int:pk>/delete/", views.WaveDeleteView.as_view(), name="wave-delete"),
]
