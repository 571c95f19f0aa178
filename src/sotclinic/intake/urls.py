from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    # Patient-facing: reached through a signed link or the clinic's tablet, no log-in.
    path("intake/kiosk/", views.kiosk, name="kiosk"),
    path("intake/kiosk/end/", views.end_kiosk, name="kiosk_end"),
    path("intake/kiosk/<slug:step>/", views.kiosk, name="kiosk_step"),
    path("intake/follow-up/<str:token>/", views.follow_up, name="follow_up"),
    path("intake/<str:token>/", views.fill, name="fill"),
    path("intake/<str:token>/<slug:step>/", views.fill, name="step"),
    # Staff.
    path("staff/patients/<int:patient_id>/intake/kiosk/", views.start_kiosk, name="start_kiosk"),
    path(
        "staff/appointments/<int:appointment_id>/intake-link/",
        views.send_intake_link,
        name="send_link",
    ),
    path("staff/patients/<int:patient_id>/red-flags/", views.red_flags, name="red_flags"),
    path("staff/patients/<int:patient_id>/intakes/", views.patient_intakes, name="patient_intakes"),
]
