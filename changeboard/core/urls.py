"""The ground floor's own pages, included by the root with no prefix: the
accessibility statement, health checks, the audit trail and the email outbox."""

from django.urls import path

from . import views

urlpatterns = [
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Audit
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
    path("audit/<int:pk>/", views.AuditDetailView.as_view(), name="audit-detail"),
    # Email outbox
    path("outbox/", views.OutboxListView.as_view(), name="outbox-list"),
    path("outbox/<int:pk>/", views.OutboxDetailView.as_view(), name="outbox-detail"),
]
