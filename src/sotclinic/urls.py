from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from oauth2_provider import views as oauth_views

from . import health
from .api.fhir import bulk
from .api.fhir.views import fhir_api
from .api.main import api
from .monitoring.metrics import metrics
from .patients import urls as patient_urls
from .portal import language
from .portal import views as portal_views
from .staff import care_plan_urls, document_urls, message_urls
from .staff import urls as staff_urls

# A query parameter that cannot be used answers 400 with a message (see query_params).
handler400 = "sotclinic.error_pages.bad_request"


class FaviconRedirect(RedirectView):
    """Browsers ask for /favicon.ico on pages without an icon link (the back office).

    Looked up per request, not at import: the file's collected name carries a hash of its
    content, read from the manifest, and changes with a release (so not a permanent redirect).
    """

    permanent = False

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("sotclinic/favicon.svg")


# OAuth 2 for integrators (django-oauth-toolkit): only the protocol's own endpoints. Clients are
# registered by the clinic in the back office, never by users themselves (the toolkit's
# self-service application pages are left out).
oauth_patterns = [
    path("authorize/", oauth_views.AuthorizationView.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth_views.IntrospectTokenView.as_view(), name="introspect"),
]

bulk_patterns = [
    path("$export", bulk.system_export, name="system"),
    path("Patient/$export", bulk.patients_export, name="patients"),
    path("Patient/<int:patient_id>/$export", bulk.patient_export, name="patient"),
    path("$export-status/<uuid:job_id>", bulk.status, name="status"),
    path("$export-file/<uuid:job_id>/<str:resource_type>.ndjson", bulk.download, name="file"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("favicon.ico", FaviconRedirect.as_view()),
    path("", portal_views.home, name="public_home"),
    *staff_urls.home,
    path("language/", language.choose_language, name="set_language"),
    path("staff/", include("sotclinic.charting.urls")),
    # The patient list and page and the access log are staff pages over several apps
    # (sotclinic.staff); they keep their names in the patients and audit namespaces.
    path("staff/", include((patient_urls.urlpatterns + staff_urls.patient_pages, "patients"))),
    path("staff/", include((staff_urls.audit_pages, "audit"))),
    path("staff/", include((message_urls.urlpatterns, "outbox"))),
    path("", include(care_plan_urls)),
    path("", include(document_urls)),
    path("", include("sotclinic.intake.urls")),
    path("staff/", include("sotclinic.outcomes.urls")),
    path("staff/", include("sotclinic.billing.urls")),
    path("staff/", include("sotclinic.billing.charge_urls")),
    path("staff/", include("sotclinic.billing.report_urls")),
    path("staff/", include("sotclinic.imports.urls")),
    path("exam/", include("sotclinic.exam.urls")),
    path("accounts/", include("sotclinic.accounts.urls")),
    path("portal/", include("sotclinic.portal.urls")),
    path("", include("sotclinic.scheduling.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("o/", include((oauth_patterns, "oauth2_provider"))),
    # Bulk Data $export before the FHIR API's /<type>/<id> paths, which would take them.
    path("fhir/R4/", include((bulk_patterns, "fhir_bulk"))),
    path("fhir/R4/", fhir_api.urls),
]
