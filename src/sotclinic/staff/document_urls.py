"""URLs of the documents pages (namespace ``documents``)."""

from django.urls import path

from . import documents as views

app_name = "documents"

urlpatterns = [
    path("staff/patients/<int:patient_id>/documents/", views.patient_documents, name="patient"),
    path("staff/patients/<int:patient_id>/documents/upload/", views.upload, name="upload"),
    path("staff/patients/<int:patient_id>/documents/ask/", views.ask_patient, name="ask"),
    path(
        "staff/patients/<int:patient_id>/consents/<int:consent_id>/tablet/",
        views.consent_tablet,
        name="consent_tablet",
    ),
    path("staff/patients/<int:patient_id>/letters/new/", views.referral_new, name="referral_new"),
    path("staff/patients/<int:patient_id>/record.pdf", views.record_pdf, name="record_pdf"),
    path("staff/documents/<int:document_id>/", views.download, name="download"),
    path("staff/consents/signed/<int:signature_id>.pdf", views.consent_pdf, name="consent_pdf"),
    path("staff/consents/", views.consent_texts, name="consent_texts"),
    path("staff/consents/new/", views.consent_text_edit, name="consent_text_new"),
    path("staff/consents/<int:consent_id>/", views.consent_text_edit, name="consent_text_edit"),
    path("staff/letters/<int:letter_id>/", views.letter, name="letter"),
    path("staff/letters/<int:letter_id>/addendum/", views.letter_addendum, name="letter_addendum"),
    path("staff/letters/<int:letter_id>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("staff/visits/<int:visit_id>/note.pdf", views.note_pdf, name="note_pdf"),
    path("consent/sign/", views.tablet_sign, name="tablet_sign"),
]
