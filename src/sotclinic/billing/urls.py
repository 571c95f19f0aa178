"""The patient account pages, mounted under staff/ in the "billing" namespace."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("patients/<int:patient_id>/account/", views.account, name="account"),
    path("patients/<int:patient_id>/account/payment/", views.take_payment, name="take_payment"),
    path("patients/<int:patient_id>/account/refund/", views.refund, name="refund"),
    path("patients/<int:patient_id>/account/credit/", views.credit, name="credit"),
    path("patients/<int:patient_id>/account/invoices/", views.issue_invoice, name="issue_invoice"),
    path(
        "patients/<int:patient_id>/account/entries/<int:entry_id>/reverse/",
        views.reverse_entry,
        name="reverse_entry",
    ),
    path(
        "patients/<int:patient_id>/account/<str:kind>/<int:pk>.pdf",
        views.document_pdf,
        name="document_pdf",
    ),
    path(
        "patients/<int:patient_id>/account/<str:kind>/<int:pk>/email/",
        views.email_document,
        name="email_document",
    ),
    path("patients/<int:patient_id>/account/statement.pdf", views.statement_pdf, name="statement"),
    path(
        "patients/<int:patient_id>/account/statement/email/",
        views.email_statement,
        name="email_statement",
    ),
]
