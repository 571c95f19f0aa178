from django.conf import settings
from django.urls import path
from django.views.static import serve

from . import locale_views, views, waitlist_views

app_name = "scheduling"

urlpatterns = [
    path("staff/calendar/", views.calendar, name="calendar"),
    path("staff/appointments/new/", views.appointment_new, name="appointment_new"),
    path("staff/appointments/series/", views.series_new, name="series_new"),
    path("staff/appointments/patients/", views.patient_choices, name="patient_choices"),
    path("staff/appointments/free-times/", views.free_times, name="free_times"),
    path("staff/appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path(
        "staff/appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"
    ),
    path("staff/appointments/<int:pk>/move/", views.appointment_move, name="appointment_move"),
    path("staff/appointments/<int:pk>/series/move/", views.series_move, name="series_move"),
    path("staff/appointments/<int:pk>/series/cancel/", views.series_cancel, name="series_cancel"),
    path(
        "staff/appointments/<int:pk>/status/",
        views.appointment_status,
        name="appointment_status",
    ),
    path("staff/reports/attendance/", views.attendance, name="attendance"),
    path("staff/waitlist/", waitlist_views.waitlist_page, name="waitlist"),
    path(
        "staff/patients/<int:patient_id>/waitlist/",
        waitlist_views.waitlist_add,
        name="waitlist_add",
    ),
    path("staff/waitlist/<int:pk>/remove/", waitlist_views.waitlist_remove, name="waitlist_remove"),
    path("staff/clinic-page/", views.clinic_page, name="clinic_page"),
    path("staff/clinic-locale/", locale_views.clinic_locale, name="clinic_locale"),
    path("staff/calendar-feed/", views.feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # Practitioner photos are public content of the clinic page; a reverse proxy may serve
    # MEDIA_ROOT itself in front of this.
    path(
        "media/practitioners/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT / "practitioners"},
        name="practitioner_photo",
    ),
]
