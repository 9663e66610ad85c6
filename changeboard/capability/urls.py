"""Change approach, user journeys, capability framework, practitioners, coaching and handover pages."""

from django.urls import path  # noqa: I001  (one view-module import per line, merged by hand)
from django.views.generic import RedirectView

from .views import coaching
from .views import dashboard
from .views import handover

_temp = RedirectView.as_view(url="/capability/")

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
    path("capability/approaches/", _temp, name="approach-list"),  # TEMP until merge
    path("capability/approaches/<int:pk>/", _temp, name="approach-detail"),  # TEMP until merge
    path("capability/journeys/", _temp, name="journey-list"),  # TEMP until merge
    path("capability/framework/", _temp, name="framework-detail-current"),  # TEMP until merge
    path("capability/practitioners/", _temp, name="practitioner-list"),  # TEMP until merge
    path("capability/practitioners/<int:pk>/", _temp, name="practitioner-detail"),  # TEMP until merge
    path("capability/skills/", _temp, name="skills-matrix"),  # TEMP until merge
]
