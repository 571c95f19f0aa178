from django.urls import path

from . import booking, documents, login_views, record, views, waitlist

app_name = "portal"

urlpatterns = [
    path("", views.patient_home, name="home"),
    path("login/", login_views.request_link, name="login"),
    path("login/sent/", login_views.link_sent, name="login_link_sent"),
    path("login/<str:token>/", login_views.open_link, name="login_link"),
    path("appointments/<int:appointment_id>/", views.appointment, name="appointment"),
    path(
        "appointments/<int:appointment_id>/cancel/",
        views.cancel_appointment,
        name="cancel_appointment",
    ),
    path(
        "appointments/<int:appointment_id>/move/", views.move_appointment, name="move_appointment"
    ),
    path("invoices/<int:pk>/pdf/", views.billing_pdf, {"kind": "invoice"}, name="invoice_pdf"),
    path("receipts/<int:pk>/pdf/", views.billing_pdf, {"kind": "receipt"}, name="receipt_pdf"),
    path("plans/<int:plan_id>/", views.care_plan, name="care_plan"),
    path("book/", booking.book, name="book"),
    path("book/received/", booking.booking_received, name="booking_received"),
    path(
        "book/request/<str:token>/",
        booking.confirm_booking_request,
        name="confirm_booking_request",
    ),
    path("book/confirmed/<str:token>/", booking.booking_confirmed, name="booking_confirmed"),
    path("book/waitlist/", waitlist.join, name="waitlist_join"),
    path("book/waitlist/added/", waitlist.joined, name="waitlist_joined"),
    path("book/waitlist/offer/<str:token>/", waitlist.offer, name="waitlist_offer"),
    path("booking/<str:token>/", booking.manage_booking, name="manage_booking"),
    path("booking/<str:token>/cancel/", booking.cancel_booking, name="cancel_booking"),
    path("booking/<str:token>/move/", booking.move_booking, name="move_booking"),
]

urlpatterns += [
    path("documents/", documents.documents, name="documents"),
    path("documents/asked/<int:request_id>/upload/", documents.upload, name="document_upload"),
    path("documents/record/", record.ask_for_record, name="record_request"),
    path("documents/record/<uuid:download_id>.zip", record.download_record, name="record_download"),
    path("documents/<int:document_id>/", documents.download, name="document_download"),
    path("documents/consents/<int:consent_id>/sign/", documents.sign_consent, name="consent_sign"),
    path(
        "documents/consents/signed/<int:signature_id>.pdf",
        documents.consent_pdf,
        name="consent_pdf",
    ),
]
