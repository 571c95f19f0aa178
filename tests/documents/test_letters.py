"""Referral letters drafted from the chart, edited and signed by the practitioner, immutable
after signing (addenda instead); a signed note and the whole record as PDFs; consents on the
clinic's tablet; the clinic's consent texts."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.documents import services
from sotclinic.documents.errors import DocumentError, LetterSigned
from sotclinic.documents.models import ConsentSignature, ConsentText, Kind, ReferralLetter
from sotclinic.intake.models import RedFlagFinding
from sotclinic.signatures import document_sha256
from tests.factories import (
    exam_state,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    save_note,
    sign_visit,
)

from .files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
    '<path d="M10 100 L40 60 L80 140 L120 50"/></svg>'
)
# Where the pages of each PDF are drawn as pictures, when poppler's pdftoppm is installed.
SHOTS = Path("/tmp/docs-var/pdf-shots")


def _words(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _picture(name: str, data: bytes) -> None:
    """Draw the PDF's first page as a PNG to look at (skipped where poppler is missing)."""
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.pdf").write_bytes(data)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "2",
                str(SHOTS / f"{name}.pdf"),
                str(SHOTS / name),
            ],
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        pass


@pytest.fixture
def chart():
    doctor = make_practitioner(
        make_location(
            time_zone="UTC",
            name="Harbour Chiropractic",
            address="1 Harbour Road",
            email="desk@example.org",
        )
    )
    patient = make_patient(first_name="Olivia", last_name="Smith")
    visit = make_visit(doctor, patient)
    sign_visit(
        visit,
        complaints="Low back pain after lifting, three days",
        pain_score=6,
        objective="Positive arm fossa test on the right",
        assessment="Mechanical low back pain",
        next_visit=timezone.localdate() + dt.timedelta(days=7),
        exam_state=exam_state(("arm_fossa_test", "right")),
    )
    RedFlagFinding.objects.create(
        patient=patient,
        rule_id="night_pain",
        title="Pain at night not eased by rest",
        severity="refer",
        severity_label="Refer",
        explanation="x",
        source="x",
        handled_by=doctor.user,
        handled_at=timezone.now(),
        handling=RedFlagFinding.Handling.REFERRED,
        handling_note="Sent to GP the same day",
    )
    RedFlagFinding.objects.create(
        patient=patient,
        rule_id="fever",
        title="Fever with back pain",
        severity="refer",
        explanation="x",
        source="x",
        handled_by=doctor.user,
        handled_at=timezone.now(),
        handling=RedFlagFinding.Handling.REFERRED,
    )
    RedFlagFinding.objects.create(
        patient=patient,
        rule_id="weight",
        title="Unexplained weight loss",
        severity="refer",
        explanation="x",
        source="x",
    )
    return doctor, patient, visit


def test_the_draft_is_written_from_the_chart(client, chart):
    doctor, patient, _ = chart
    client.force_login(doctor.user)

    response = client.post(reverse("documents:referral_new", args=[patient.pk]))

    letter = ReferralLetter.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "documents:letter", args=[letter.pk]
    )
    body = letter.body
    assert "Re: Olivia Smith" in body
    assert "Low back pain after lifting" in body
    assert "Positive arm fossa test" in body and "SOT category: Category" in body
    assert "Assessment: Mechanical low back pain" in body
    assert "Pain at night not eased by rest (Refer)" in body
    assert "Referred for medical assessment (Sent to GP the same day)" in body
    assert "Fever with back pain" in body and body.count("Referred for medical assessment") == 2
    assert "Unexplained weight loss" in body and "not yet handled" in body
    assert AccessLog.objects.filter(patient=patient, action=Action.WRITE_LETTER).exists()


def test_a_draft_without_visits_or_flags_says_so():
    patient = make_patient()
    letter = services.start_referral(patient, by=make_user(Role.PRACTITIONER))
    assert "No visit is recorded yet." in letter.body and "None recorded." in letter.body


def test_an_unsigned_note_is_used_when_none_is_signed():
    doctor = make_practitioner(make_location(time_zone="UTC"))
    patient = make_patient()
    visit = make_visit(doctor, patient)
    save_note(visit, complaints="Neck stiffness")
    letter = services.start_referral(patient, by=doctor.user)
    assert "Neck stiffness" in letter.body and "SOT category" not in letter.body


def test_edit_then_sign_then_only_addenda(client, chart):
    doctor, patient, _ = chart
    client.force_login(doctor.user)
    letter = services.start_referral(patient, by=doctor.user)
    url = reverse("documents:letter", args=[letter.pk])

    opened = client.get(url)
    saved = client.post(
        url, {"recipient": "Dr A. Jones\n1 High St", "body": "Edited letter.", "version": 1}
    )
    stale = client.post(url, {"recipient": "", "body": "Other edit.", "version": 1})
    empty = client.post(url, {"recipient": "", "body": " ", "version": 2})
    signed = client.post(
        url, {"recipient": "Dr A. Jones", "body": "Final letter.", "version": 2, "action": "sign"}
    )
    after = client.post(url, {"recipient": "", "body": "Changed.", "version": 3})
    addendum = client.post(
        reverse("documents:letter_addendum", args=[letter.pk]), {"text": "Scan booked."}
    )
    blank = client.post(reverse("documents:letter_addendum", args=[letter.pk]), {"text": " "})
    page = client.get(url).content.decode()

    letter.refresh_from_db()
    assert opened.status_code == 200 and saved.status_code == 302
    assert stale.status_code == 422 and "Someone saved" in stale.content.decode()
    assert empty.status_code == 422
    assert signed.status_code == 302 and letter.is_signed and letter.body == "Final letter."
    assert letter.signed_by == doctor.user
    assert after.status_code == 409 and letter.body == "Final letter."
    assert addendum.status_code == 302 and blank.status_code == 302
    assert letter.addenda.get().text == "Scan booked." and "Scan booked." in page
    with pytest.raises(LetterSigned):
        letter.save()
    with pytest.raises(LetterSigned):
        letter.delete()
    actions = set(AccessLog.objects.filter(patient=patient).values_list("action", flat=True))
    assert {
        Action.VIEW_LETTER,
        Action.WRITE_LETTER,
        Action.SIGN_LETTER,
        Action.ADD_LETTER_ADDENDUM,
    } <= actions
    assert str(letter) == f"Referral letter {letter.pk}"
    assert str(letter.addenda.get()).startswith("Addendum ")


def test_only_the_author_signs_and_drafts_take_no_addenda(chart):
    doctor, patient, _ = chart
    letter = services.start_referral(patient, by=doctor.user)
    colleague = make_user(Role.PRACTITIONER)
    with pytest.raises(DocumentError, match="Only the practitioner who wrote"):
        services.sign_letter(letter.pk, by=colleague, expected_version=1)
    with pytest.raises(DocumentError, match="empty"):
        services.save_letter(letter.pk, by=doctor.user, expected_version=1, recipient="", body=" ")
    with pytest.raises(DocumentError, match="still a draft"):
        services.add_letter_addendum(letter.pk, by=doctor.user, text="x")
    with pytest.raises(DocumentError, match="Only a practitioner"):
        services.start_referral(patient, by=make_user(Role.FRONT_DESK))
    letter.body = "Unsigned drafts may change and be removed."
    letter.save()
    letter.delete()


def test_front_desk_reaches_no_letter_note_or_record(client, chart):
    doctor, patient, visit = chart
    letter = services.start_referral(patient, by=doctor.user)
    client.force_login(make_user(Role.FRONT_DESK))

    for url in (
        reverse("documents:letter", args=[letter.pk]),
        reverse("documents:letter_pdf", args=[letter.pk]),
        reverse("documents:note_pdf", args=[visit.pk]),
        reverse("documents:record_pdf", args=[patient.pk]),
        reverse("documents:consent_texts"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("documents:referral_new", args=[patient.pk])).status_code == 403


def test_letter_note_and_record_pdfs(client, chart):
    doctor, patient, visit = chart
    client.force_login(doctor.user)
    letter = services.start_referral(patient, by=doctor.user)
    draft = client.get(reverse("documents:letter_pdf", args=[letter.pk]))
    services.save_letter(
        letter.pk,
        by=doctor.user,
        expected_version=1,
        recipient="Dr A. Jones\n1 High St",
        body=letter.body,
    )
    services.sign_letter(letter.pk, by=doctor.user, expected_version=2)
    services.add_letter_addendum(letter.pk, by=doctor.user, text="MRI booked for next week.")
    services.store_document(
        patient,
        upload=upload(pdf_bytes()),
        kind=Kind.IMAGING_REPORT,
        title="MRI report",
        by=doctor.user,
    )
    consent = services.save_consent_form(None, title="Consent", text="I agree.", active=True)
    services.sign_consent(
        patient,
        consent,
        full_name="Olivia Smith",
        signature_svg=SVG,
        shown_sha256=document_sha256(services.consent_document(consent)),
        ip_address=None,
        channel="tablet",
    )

    signed = client.get(reverse("documents:letter_pdf", args=[letter.pk]))
    note = client.get(reverse("documents:note_pdf", args=[visit.pk]))
    record = client.get(reverse("documents:record_pdf", args=[patient.pk]))

    assert "DRAFT: not signed" in _words(draft.content)
    letter_words = _words(signed.content)
    assert "Harbour Chiropractic" in letter_words and "Dr A. Jones" in letter_words
    assert "Signed electronically" in letter_words and "MRI booked" in letter_words
    note_words = _words(note.content)
    assert "Low back pain after lifting" in note_words and "Signed by" in note_words
    record_words = _words(record.content)
    for expected in ("Olivia Smith", "Pain at night", "Low back pain", "MRI report", "Consent"):
        assert expected in record_words
    actions = set(AccessLog.objects.filter(patient=patient).values_list("action", flat=True))
    assert {Action.DOWNLOAD_NOTE_PDF, Action.DOWNLOAD_RECORD} <= actions
    for name, response in (("letter", signed), ("note", note), ("record", record)):
        assert response["Content-Type"] == "application/pdf"
        _picture(name, response.content)


def test_an_unsigned_note_has_no_pdf_and_an_empty_record_says_so(client):
    doctor = make_practitioner(make_location(time_zone="UTC"))
    patient = make_patient()
    visit = make_visit(doctor, patient)
    client.force_login(doctor.user)

    assert client.get(reverse("documents:note_pdf", args=[visit.pk])).status_code == 404
    bare = make_patient()
    words = _words(client.get(reverse("documents:record_pdf", args=[bare.pk])).content)
    assert "No visit is recorded yet." in words and "None recorded." in words
    draft_words = _words(client.get(reverse("documents:record_pdf", args=[patient.pk])).content)
    assert "DRAFT: not signed" in draft_words


def test_a_consent_signed_on_the_tablet(client, chart):
    doctor, patient, _ = chart
    desk = make_user(Role.FRONT_DESK)
    consent = services.save_consent_form(
        None, title="Consent to care", text="I agree.", active=True
    )
    client.force_login(desk)
    tab = client.get(reverse("documents:patient", args=[patient.pk]))
    assert consent in tab.context["to_sign"]

    handed = client.post(reverse("documents:consent_tablet", args=[patient.pk, consent.pk]))
    page = client.get(reverse("documents:tablet_sign"))
    signed = client.post(
        reverse("documents:tablet_sign"),
        {"full_name": "Olivia Smith", "signature": SVG, "document_sha256": page.context["sha256"]},
    )
    again = client.get(reverse("documents:tablet_sign"))

    assert handed.status_code == 302 and page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert signed.status_code == 200 and "hand the tablet back" in signed.content.decode().lower()
    signature = ConsentSignature.objects.get()
    assert (signature.channel, signature.handed_over_by) == ("tablet", desk)
    assert again.status_code == 422
    client.force_login(desk)
    pdf = client.get(reverse("documents:consent_pdf", args=[signature.pk]))
    assert "Signed by: Olivia Smith" in _words(pdf.content)
    _picture("consent", pdf.content)
    assert AccessLog.objects.filter(patient=patient, action=Action.CONSENT_TABLET_START).exists()


def test_an_inactive_consent_cannot_be_handed_over(client):
    patient = make_patient()
    consent = services.save_consent_form(None, title="Old", text="Old.", active=False)
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post(reverse("documents:consent_tablet", args=[patient.pk, consent.pk]))

    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_practitioners_keep_the_consent_texts(client):
    client.force_login(make_user(Role.PRACTITIONER))

    new = client.post(
        reverse("documents:consent_text_new"),
        {"title": "Consent to care", "text": "I agree to be examined.", "active": "on"},
    )
    consent = ConsentText.objects.get()
    edit_url = reverse("documents:consent_text_edit", args=[consent.pk])
    opened = client.get(edit_url)
    bad = client.post(edit_url, {"title": "Consent to care", "text": ""})
    blank = client.post(edit_url, {"title": "Consent to care", "text": "   "})
    listing = client.get(reverse("documents:consent_texts"))

    assert new.status_code == 302 and opened.status_code == 200
    assert bad.status_code == 422 and blank.status_code == 422
    assert "Consent to care" in listing.content.decode()


def test_a_letter_without_a_clinic_location_has_no_letterhead():
    from sotclinic.documents.pdfs import letter_pdf

    letter = services.start_referral(make_patient(), by=make_user(Role.PRACTITIONER))

    words = _words(letter_pdf(letter))

    assert words.startswith(timezone.localdate().strftime("%A")[:3]) or "Dear Doctor" in words
    assert "Ruled out" not in words
