from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import health
from .api.main import api
from .portal import views as portal_views
from .scheduling import views as scheduling_views

# A query parameter that cannot be used answers 400 with a message (see query_params).
handler400 = "sotclinic.error_pages.bad_request"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the back office).
    path("favicon.ico", RedirectView.as_view(url=static("sotclinic/favicon.svg"), permanent=True)),
    path("", portal_views.home, name="public_home"),
    path("staff/", scheduling_views.staff_home, name="home"),
    path("staff/", include("sotclinic.charting.urls")),
    path("staff/", include("sotclinic.patients.urls")),
    path("staff/", include("sotclinic.audit.urls")),
    path("", include("sotclinic.intake.urls")),
    path("staff/", include("sotclinic.outcomes.urls")),
    path("exam/", include("sotclinic.exam.urls")),
    path("accounts/", include("sotclinic.accounts.urls")),
    path("portal/", include("sotclinic.portal.urls")),
    path("", include("sotclinic.scheduling.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
