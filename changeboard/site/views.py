"""The home page and the API reference page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .home import home_context


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role lands on a page of what it can do."""

    template_name = "site/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(home_context(self.request.user))
        context["page_title"] = "Home"
        return context


class ApiDocsView(LoginRequiredMixin, TemplateView):
    """The API reference, rendered from the same OpenAPI schema served at
    /api/v1/schema/ as an accessible page (tables of endpoints and
    parameters) rather than a third-party widget."""

    template_name = "site/api_docs.html"
    extra_context = {"page_title": "API reference"}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from drf_spectacular.generators import SchemaGenerator

        context = super().get_context_data(**kwargs)
        schema = SchemaGenerator().get_schema(request=None, public=True)
        endpoints = []
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                endpoints.append({
                    "path": path, "method": method.upper(), "id": operation.get("operationId", ""),
                    "summary": (operation.get("description") or operation.get("summary") or "").strip().split("\n")[0],
                    "parameters": [
                        {"name": p["name"], "in": p["in"], "required": p.get("required", False), "description": p.get("description", "")}
                        for p in operation.get("parameters", [])
                    ],
                })
        context.update(info=schema.get("info", {}), endpoints=endpoints)
        return context
