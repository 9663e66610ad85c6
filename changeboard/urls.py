"""URL map: each app's pages (its `urls.py`) and its API (its `api/urls.py`,
under `api/v1/` with the one API root listing them all), sign-in, the
OpenAPI schema and the error handlers."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from changeboard.accounts import views as accounts_views
from changeboard.accounts.api import urls as accounts_api
from changeboard.capability.api import urls as capability_api
from changeboard.core.api import api_root
from changeboard.core.api import urls as core_api
from changeboard.cutover.api import urls as cutover_api
from changeboard.engagement.api import urls as engagement_api
from changeboard.hypercare.api import urls as hypercare_api
from changeboard.impacts.api import urls as impacts_api
from changeboard.network.api import urls as network_api
from changeboard.organisation.api import urls as organisation_api
from changeboard.portfolio.api import urls as portfolio_api
from changeboard.readiness.api import urls as readiness_api
from changeboard.reports.api import urls as reports_api
from changeboard.surveys.api import urls as surveys_api

# In the order the API root lists them.
API = [organisation_api, portfolio_api, impacts_api, accounts_api, core_api, surveys_api, readiness_api, reports_api, cutover_api, hypercare_api, engagement_api, network_api, capability_api]

api_urlpatterns: list[URLPattern | URLResolver] = [
    *(path("", include(app.urlpatterns)) for app in API),
    *api_root(*(app.router for app in API)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

urlpatterns = [
    path("", include("changeboard.site.urls")),
    path("login/", accounts_views.SignInView.as_view(), name="login"),
    path("logout/", accounts_views.SignOutView.as_view(), name="logout"),
    path("", include("changeboard.core.urls")),
    path("", include("changeboard.organisation.urls")),
    path("", include("changeboard.portfolio.urls")),
    path("", include("changeboard.impacts.urls")),
    path("", include("changeboard.surveys.urls")),
    path("", include("changeboard.readiness.urls")),
    path("", include("changeboard.reports.urls")),
    path("", include("changeboard.cutover.urls")),
    path("", include("changeboard.hypercare.urls")),
    path("", include("changeboard.engagement.urls")),
    path("", include("changeboard.network.urls")),
    path("", include("changeboard.capability.urls")),
    path("", include("changeboard.accounts.urls")),
    path("api/v1/", include(api_urlpatterns)),
]

handler403 = "changeboard.core.views.error_403"
handler404 = "changeboard.core.views.error_404"
handler500 = "changeboard.core.views.error_500"
