import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.charting.models import Note, Visit
from tests.factories import (
    exam_state,
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
    make_visit,
    make_visit_history,
    save_note,
    sign_visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor():
    return make_practitioner(make_location(name="Harbour Street"))


def _form(note, **fields):
    data = {"version": note.version, "action": "save"}
    data.update(fields)
    return data


def test_each_chart_view_writes_an_audit_row(client, doctor):
    patient = make_patient()
    client.force_login(doctor.user)

    client.get(f"/staff/patients/{patient.pk}/chart/", REMOTE_ADDR="198.51.100.4")
    client.get(f"/staff/patients/{patient.pk}/chart/", REMOTE_ADDR="198.51.100.4")

    rows = AccessLog.objects.filter(patient=patient, action=Action.VIEW_CHART)
    assert rows.count() == 2
    assert {(r.user_id, r.ip_address) for r in rows} == {(doctor.user.pk, "198.51.100.4")}


def test_the_chart_of_no_such_patient_is_404_and_logs_nothing(client, doctor):
    client.force_login(doctor.user)
    patient = make_patient()

    assert client.get(f"/staff/patients/{patient.pk + 1000}/chart/").status_code == 404
    assert client.get(f"/staff/patients/{patient.pk}/chart/").status_code == 200
    assert AccessLog.objects.filter(action=Action.VIEW_CHART).count() == 1


def test_each_visit_view_writes_an_audit_row(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    response = client.get(f"/staff/visits/{visit.pk}/")

    assert response.status_code == 200
    row = AccessLog.objects.filter(patient=visit.patient).order_by("-id").first()
    assert (row.action, row.detail) == (Action.VIEW_VISIT, f"visit {visit.pk}")


def test_access_log_page_shows_who_looked_at_the_chart(client, doctor):
    patient = make_patient()
    client.force_login(doctor.user)
    client.get(f"/staff/patients/{patient.pk}/chart/")

    response = client.get(f"/staff/patients/{patient.pk}/access-log/")

    assert response.status_code == 200
    assert "Viewed the chart" in response.text
    assert doctor.user.get_full_name() in response.text


def test_saving_the_visit_form_records_the_exam_and_shows_the_suggestion(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    response = client.post(
        f"/staff/visits/{visit.pk}/",
        _form(
            visit.note,
            complaints="Sharp pain left buttock",
            pain_score="7",
            **{
                "exam-ind-arm_fossa_test": "left",
                "exam-ind-inguinal_ligament_sensitivity": "left",
                "exam-recheck-arm_fossa_test": "cleared",
            },
            diagnosis_codes=["M54.50", "M99.04"],
            adjustment_regions=["lumbar", "sacral", "pelvic"],
        ),
        follow=True,
    )

    assert response.status_code == 200
    note = Note.objects.get(pk=visit.note.pk)
    assert note.exam.suggested_category == "II"
    assert note.exam.cleared_indicators == ["arm_fossa_test"]
    assert note.procedures.region_count == 3
    # Coded in the clinic's system (WHO ICD-10 for the default, British clinic), with its URI.
    assert note.diagnosis_codes == [
        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "M54.50"},
        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "M99.04"},
    ]
    assert "Category II" in response.text
    assert "3 regions" in response.text


def test_posting_an_edit_to_a_signed_note_is_refused_with_409(client, doctor):
    visit = make_visit(doctor)
    note = sign_visit(visit, complaints="Neck pain")
    client.force_login(doctor.user)

    response = client.post(f"/staff/visits/{visit.pk}/", _form(note, complaints="Rewritten"))

    assert response.status_code == 409
    assert "add an addendum" in response.text
    assert Note.objects.get(pk=note.pk).complaints == "Neck pain"
    assert AccessLog.objects.filter(patient=visit.patient, action=Action.EDIT_REFUSED).exists()


def test_stale_save_shows_the_other_version_and_keeps_my_text(client, doctor):
    visit = make_visit(doctor)
    opened = Note.objects.get(pk=visit.note.pk)
    save_note(visit, complaints="Colleague wrote this first")
    client.force_login(doctor.user)

    response = client.post(f"/staff/visits/{visit.pk}/", _form(opened, complaints="My own text"))

    assert response.status_code == 409
    assert "Someone else saved this note" in response.text
    assert "Colleague wrote this first" in response.text
    assert "My own text" in response.text
    assert Note.objects.get(pk=visit.note.pk).complaints == "Colleague wrote this first"


def test_addendum_is_added_to_a_signed_note_from_the_page(client, doctor):
    visit = make_visit(doctor)
    sign_visit(visit)
    client.force_login(doctor.user)

    response = client.post(
        f"/staff/visits/{visit.pk}/addenda/", {"text": "Pain eased next day."}, follow=True
    )

    assert "Pain eased next day." in response.text
    assert visit.note.addenda.count() == 1


def test_sign_button_signs_the_note(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    client.post(f"/staff/visits/{visit.pk}/", _form(visit.note, complaints="x", action="sign"))

    assert Note.objects.get(pk=visit.note.pk).signed_by == doctor.user


def test_copy_forward_flags_the_draft_and_signing_waits_for_review(client, doctor):
    patient = make_patient()
    earlier = make_visit(doctor, patient, started_at=timezone.now() - dt.timedelta(days=7))
    sign_visit(earlier, exam_state=exam_state(("achilles_tension", "right")))
    today = make_visit(doctor, patient)
    client.force_login(doctor.user)

    page = client.post(
        f"/staff/visits/{today.pk}/",
        {"version": today.note.version, "action": "copy_forward"},
        follow=True,
    )
    note = Note.objects.select_related("exam").get(pk=today.note.pk)
    refused = client.post(f"/staff/visits/{today.pk}/", _form(note, action="sign"), follow=True)

    assert "Copied — review before signing" in page.text
    assert note.exam.suggested_category == "I"
    assert "must be reviewed" in refused.text or "Review them" in refused.text
    assert not Note.objects.get(pk=today.note.pk).is_signed


def test_chart_queries_do_not_grow_with_the_number_of_visits(client, doctor):
    few, many = make_patient(), make_patient()
    make_visit_history(doctor, few, 5)
    make_visit_history(doctor, many, 200)
    client.force_login(doctor.user)

    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/staff/patients/{few.pk}/chart/").status_code == 200
    with CaptureQueriesContext(connection) as large:
        response = client.get(f"/staff/patients/{many.pk}/chart/")

    assert response.status_code == 200
    assert "200 in all" in response.text
    assert "Older visits" in response.text
    # The signed-in floor, then the patient (with whether a red flag is open: no flag is read
    # when none is), pain trend, timeline page and the access-log row: the same for 5 or 200
    # visits.
    assert len(large) == len(small) == 7


def test_chart_timeline_shows_category_cleared_indicators_and_pain_trend(client, doctor):
    patient = make_patient()
    make_visit_history(doctor, patient, 3)
    client.force_login(doctor.user)

    response = client.get(f"/staff/patients/{patient.pk}/chart/")

    assert 'class="cat cat-II"' in response.text
    assert "Arm fossa" in response.text or "arm fossa" in response.text
    assert "<polyline" in response.text


def test_day_list_starts_then_opens_the_visit_in_one_click(client, doctor):
    location = doctor.locations.first()
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(doctor, start, patient=make_patient(first_name="Olivia"))
    client.force_login(doctor.user)

    home = client.get("/staff/")
    started = client.post(f"/staff/appointments/{appointment.pk}/visit/")
    again = client.post(f"/staff/appointments/{appointment.pk}/visit/")
    home_after = client.get("/staff/")

    assert "Start visit" in home.text
    visit = Visit.objects.get(appointment=appointment)
    assert started.url == f"/staff/visits/{visit.pk}/" == again.url
    assert f"/staff/visits/{visit.pk}/" in home_after.text


def test_unsigned_notes_older_than_a_day_show_as_a_to_do(client, doctor):
    old = make_visit(doctor, started_at=timezone.now() - dt.timedelta(days=2))
    recent = make_visit(doctor)
    client.force_login(doctor.user)

    response = client.get("/staff/unsigned-notes/")

    assert f"/staff/visits/{old.pk}/" in response.text
    assert f"/staff/visits/{recent.pk}/" not in response.text


def test_diagnosis_code_search_finds_codes_by_words_and_prefix(client, doctor):
    from sotclinic.scheduling.models import ClinicSettings

    clinic = ClinicSettings.load()
    clinic.diagnosis_codes = "icd10cm"  # the shipped subset is ICD-10-CM's
    clinic.save()
    client.force_login(doctor.user)

    by_words = client.get("/staff/diagnosis-codes/", {"q": "low back"})
    by_code = client.get("/staff/diagnosis-codes/", {"q": "M99.0"})

    assert "M54.50" in by_words.text
    assert "M99.04" in by_code.text and "M54.50" not in by_code.text


@pytest.mark.parametrize(
    "url",
    [
        "/staff/patients/{patient}/chart/",
        "/staff/patients/{patient}/access-log/",
        "/staff/visits/{visit}/",
        "/staff/unsigned-notes/",
        "/staff/diagnosis-codes/?q=back",
    ],
)
def test_front_desk_gets_403_on_clinical_pages(client, doctor, url):
    visit = make_visit(doctor)
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get(url.format(patient=visit.patient_id, visit=visit.pk))

    assert response.status_code == 403


def test_front_desk_cannot_start_or_change_visits(client, doctor):
    location = doctor.locations.first()
    appointment = make_appointment(doctor, timezone.now(), location=location)
    visit = make_visit(doctor)
    client.force_login(make_user(Role.FRONT_DESK))

    assert client.post(f"/staff/appointments/{appointment.pk}/visit/").status_code == 403
    assert client.post(f"/staff/visits/{visit.pk}/", {"version": 1}).status_code == 403
    assert client.post(f"/staff/visits/{visit.pk}/addenda/", {"text": "x"}).status_code == 403
    assert not Visit.objects.filter(appointment=appointment).exists()


def test_front_desk_day_list_shows_contact_but_no_clinical_text(client, doctor):
    location = doctor.locations.first()
    patient = make_patient(first_name="Olivia", last_name="Smith")
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(doctor, start, patient=patient)
    visit = make_visit(appointment=appointment)
    save_note(visit, complaints="Confidential complaint text", assessment="Private assessment")
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.get("/staff/")

    assert response.status_code == 200
    assert "Olivia Smith" in response.text
    for clinical in ("Confidential complaint text", "Private assessment", "Start visit", "Chart"):
        assert clinical not in response.text


def test_a_colleague_cannot_sign_and_is_told_who_can(client, doctor):
    visit = make_visit(doctor)
    colleague = make_practitioner(doctor.locations.first())
    client.force_login(colleague.user)

    page = client.get(f"/staff/visits/{visit.pk}/")
    refused = client.post(
        f"/staff/visits/{visit.pk}/",
        _form(visit.note, complaints="Colleague's text", action="sign"),
    )

    message = (
        f"Only {doctor.display_name}, who saw the patient, can sign this note; "
        "you can add an addendum once it is signed."
    )
    assert "Save and sign" not in page.text
    assert message in page.text
    assert refused.status_code == 403
    assert message in refused.text
    assert "Colleague&#x27;s text" in refused.text or "Colleague's text" in refused.text
    note = Note.objects.get(pk=visit.note.pk)
    assert not note.is_signed
    assert note.complaints == ""


def test_a_colleague_can_add_an_addendum_to_a_signed_note(client, doctor):
    visit = make_visit(doctor)
    sign_visit(visit, complaints="Neck pain")
    colleague = make_practitioner(doctor.locations.first())
    client.force_login(colleague.user)

    response = client.post(
        f"/staff/visits/{visit.pk}/addenda/", {"text": "Phoned the patient."}, follow=True
    )

    assert "Addendum added." in response.text
    assert Note.objects.get(pk=visit.note.pk).addenda.get().author == colleague.user


def test_signing_from_the_page_asks_for_a_category_decision(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    response = client.post(
        f"/staff/visits/{visit.pk}/",
        _form(visit.note, action="sign", **{"exam-ind-arm_fossa_test": "left"}),
        follow=True,
    )

    assert "suggests Category II" in response.text
    assert not Note.objects.get(pk=visit.note.pk).is_signed


def test_day_list_offers_to_start_with_the_last_visits_findings_only_after_an_exam(client, doctor):
    location = doctor.locations.first()
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    returning, newcomer = make_patient(first_name="Olivia"), make_patient(first_name="Noah")
    sign_visit(
        make_visit(doctor, returning, started_at=timezone.now() - dt.timedelta(days=7)),
        exam_state=exam_state(("achilles_tension", "right")),
    )
    again = make_appointment(doctor, start, patient=returning)
    first = make_appointment(doctor, start + dt.timedelta(hours=1), patient=newcomer)
    client.force_login(doctor.user)

    home = client.get("/staff/")

    assert f"/staff/appointments/{again.pk}/visit/from-last/" in home.text
    assert f"/staff/appointments/{first.pk}/visit/from-last/" not in home.text
    assert "Start with last visit's findings" in home.text


def test_starting_with_the_last_visits_findings_copies_them_for_review(client, doctor):
    location = doctor.locations.first()
    patient = make_patient()
    earlier = make_visit(doctor, patient, started_at=timezone.now() - dt.timedelta(days=7))
    sign_visit(earlier, exam_state=exam_state(("achilles_tension", "right")))
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(doctor, start, patient=patient)
    client.force_login(doctor.user)

    page = client.post(f"/staff/appointments/{appointment.pk}/visit/from-last/", follow=True)
    visit = Visit.objects.get(appointment=appointment)
    note = Note.objects.select_related("exam").get(visit=visit)
    refused = client.post(f"/staff/visits/{visit.pk}/", _form(note, action="sign"), follow=True)

    assert page.redirect_chain[-1][0] == f"/staff/visits/{visit.pk}/"
    assert "Review them before signing" in page.text
    assert note.copied_from_id == earlier.note.pk and note.copy_review_pending
    assert note.exam.suggested_category == "I"
    assert note.exam.state["recheck"] == {}
    assert "Review them" in refused.text
    assert not Note.objects.get(pk=note.pk).is_signed
    actions = set(AccessLog.objects.filter(patient=patient).values_list("action", flat=True))
    assert {Action.START_VISIT, Action.COPY_FORWARD} <= actions


def test_starting_with_last_findings_leaves_an_already_saved_draft_alone(client, doctor):
    location = doctor.locations.first()
    patient = make_patient()
    sign_visit(
        make_visit(doctor, patient, started_at=timezone.now() - dt.timedelta(days=7)),
        exam_state=exam_state(("achilles_tension", "right")),
    )
    start = timezone.now().astimezone(location.tz).replace(minute=0, second=0, microsecond=0)
    appointment = make_appointment(doctor, start, patient=patient)
    visit = make_visit(appointment=appointment)
    save_note(visit, objective="Written by hand")
    client.force_login(doctor.user)

    page = client.post(f"/staff/appointments/{appointment.pk}/visit/from-last/", follow=True)

    note = Note.objects.get(visit=visit)
    assert "nothing was copied" in page.text
    assert note.objective == "Written by hand"
    assert note.copied_from_id is None and not note.copy_review_pending


def test_front_desk_cannot_start_a_visit_with_last_findings(client, doctor):
    location = doctor.locations.first()
    appointment = make_appointment(doctor, timezone.now(), location=location)
    client.force_login(make_user(Role.FRONT_DESK))

    response = client.post(f"/staff/appointments/{appointment.pk}/visit/from-last/")

    assert response.status_code == 403
    assert not Visit.objects.filter(appointment=appointment).exists()


def test_chart_timeline_counts_addenda_and_escapes_names(client):
    from sotclinic.charting.services import add_addendum

    doctor = make_practitioner(make_location(), display_name="Dr. <b>Bold</b> & Co")
    patient = make_patient()
    one, two, _ = make_visit_history(doctor, patient, 3)
    add_addendum(one.note.pk, doctor.user, "First")
    add_addendum(two.note.pk, doctor.user, "First")
    add_addendum(two.note.pk, doctor.user, "Second")
    client.force_login(doctor.user)

    response = client.get(f"/staff/patients/{patient.pk}/chart/")

    assert response.text.count("+1 addendum<") == 1
    assert response.text.count("+2 addenda<") == 1
    assert "Dr. &lt;b&gt;Bold&lt;/b&gt; &amp; Co" in response.text
    assert "<b>Bold</b>" not in response.text
