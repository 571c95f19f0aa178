"""Condition, Observation and Encounter searches are filtered, counted and paged by the
database: the queries a page takes do not grow with the patient's visits, and the pages hold
what they held when the matches were built in Python (same ids, same order, same totals)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.charting.models import ExamRecord, Note, Visit
from sotclinic.fhir.search import KINDS, Paged, Search
from sotclinic.intake.models import QuestionnaireResponse
from tests.factories import (
    make_complete_intake,
    make_follow_up_response,
    make_location,
    make_patient,
    make_practitioner,
    make_visit,
    make_visit_history,
)

from .conftest import make_token

pytestmark = pytest.mark.django_db

CODES = ["M54.50", "M99.04", "M99.03"]


def _history(practitioner, patient, count: int) -> list:
    """``count`` visits in every shape: 0–3 diagnosis codes, a pain score or none, a side or
    none, signed or draft; and an NPRS questionnaire for every fourth visit."""
    visits = make_visit_history(practitioner, patient, count, signed=False)
    make_complete_intake(patient)
    for i, visit in enumerate(visits):
        Note.objects.filter(visit=visit).update(
            diagnosis_codes=CODES[: i % 4], pain_score=None if i % 5 == 0 else i % 11
        )
        if i % 4 == 0:
            make_follow_up_response(patient, "nprs", i % 11, visit.started_at, sequence=i + 1)
    ExamRecord.objects.filter(note__visit__in=visits[::3]).update(confirmed_side="")
    ExamRecord.objects.filter(note__visit__in=visits[1::7]).update(
        confirmed_category="", confirmed_side=""
    )
    Note.objects.filter(visit__in=visits[::2]).update(
        signed_at=timezone.now(), signed_by=practitioner.user
    )
    return visits


def _expected(kind: str, patient=None) -> list[tuple[str, dt.datetime, str]]:
    """(id, date, status) of every match (of one patient, or all), in the order the Python
    search listed them."""
    found = []
    if kind == "Encounter":
        visits = Visit.objects.select_related("note").order_by("id")
        if patient is not None:
            visits = visits.filter(patient=patient)
        for visit in visits:
            note = getattr(visit, "note", None)
            signed = note is not None and note.signed_at is not None
            found.append((str(visit.pk), visit.started_at, "finished" if signed else "in-progress"))
        return found
    notes = Note.objects.select_related("visit", "exam")
    responses = QuestionnaireResponse.objects.filter(instrument_id="nprs")
    if patient is not None:
        notes = notes.filter(visit__patient=patient)
        responses = responses.filter(patient=patient)
    for note in notes.order_by("visit_id"):
        visit, signed = note.visit, note.signed_at is not None
        if kind == "Condition":
            recorded = note.signed_at if signed else note.updated_at
            found += [(f"{visit.pk}-{i}", recorded, "") for i in range(len(note.diagnosis_codes))]
            continue
        status = "final" if signed else "preliminary"
        if note.pain_score is not None:
            found.append((f"pain-{visit.pk}", visit.started_at, status))
        if note.exam.confirmed_category:
            found.append((f"sot-category-{visit.pk}", visit.started_at, status))
        if note.exam.confirmed_side:
            found.append((f"sot-side-{visit.pk}", visit.started_at, status))
    if kind == "Observation":
        for response in responses.order_by("id"):
            found.append((f"nprs-{response.pk}", response.administered_at, "final"))
    return found


def _all_pages(fhir, token, kind: str, count: int, **params) -> tuple[list[str], list[int]]:
    ids, totals, offset = [], [], 0
    while True:
        body = fhir(kind, token, _count=count, _offset=offset, **params).json()
        totals.append(body["total"])
        page = [entry["resource"]["id"] for entry in body.get("entry", [])]
        ids += page
        assert len(page) <= count
        if not any(link["relation"] == "next" for link in body["link"]):
            return ids, totals
        offset += count


@pytest.fixture
def clinic():
    practitioner = make_practitioner(make_location(time_zone="UTC"))
    patient = make_patient()
    visits = _history(practitioner, patient, 23)
    _history(practitioner, make_patient(first_name="Other"), 5)
    # A visit just started (an empty draft note): an Encounter in progress, nothing else.
    make_visit(practitioner, patient, started_at=visits[-1].started_at + dt.timedelta(days=7))
    return patient, visits


@pytest.mark.parametrize("kind", ["Condition", "Observation", "Encounter"])
@pytest.mark.parametrize("count", [1, 4, 7, 100])
def test_pages_hold_every_match_once_in_the_order_the_python_search_gave(fhir, clinic, kind, count):
    patient, _ = clinic
    expected = [found[0] for found in _expected(kind, patient)]

    ids, totals = _all_pages(fhir, make_token("system/*.read"), kind, count, patient=patient.pk)

    assert ids == expected
    assert set(totals) == {len(expected)}


@pytest.mark.parametrize("kind", ["Condition", "Observation", "Encounter"])
def test_date_status_and_id_filters_match_the_python_search(fhir, clinic, kind):
    patient, visits = clinic
    token = make_token("system/*.read")
    every = _expected(kind, patient)
    middle = visits[10].started_at
    date_param = "recorded-date" if kind == "Condition" else "date"
    day = (every[len(every) // 2][1]).date()
    not_as_written = "0" + every[0][0] if kind == "Encounter" else "pain-0" + every[0][0][5:]

    after, _ = _all_pages(
        fhir, token, kind, 5, patient=patient.pk, **{date_param: f"ge{middle:%Y-%m-%dT%H:%M:%S}Z"}
    )
    on_day, _ = _all_pages(fhir, token, kind, 5, **{date_param: day.isoformat()})
    some = [found[0] for found in every[3:9:2]]
    some += ["pain-x", "999999-0", "nprs-999999", "999999", not_as_written]
    named, _ = _all_pages(fhir, token, kind, 2, _id=",".join(some))

    assert after == [i for i, when, _ in every if when >= middle.replace(microsecond=0)]
    assert on_day == [i for i, when, _ in _expected(kind) if when.date() == day]
    assert named == [found[0] for found in every[3:9:2]]
    if kind == "Observation":
        drafts, _ = _all_pages(fhir, token, kind, 3, patient=patient.pk, status="preliminary")
        final, _ = _all_pages(fhir, token, kind, 3, patient=patient.pk, status="final,amended")
        assert drafts == [i for i, _, status in every if status == "preliminary"]
        assert final == [i for i, _, status in every if status == "final"]
        assert fhir(kind, token, status="amended").json()["total"] == 0
    if kind == "Encounter":
        open_, _ = _all_pages(fhir, token, kind, 3, patient=patient.pk, status="in-progress")
        done, _ = _all_pages(fhir, token, kind, 3, patient=patient.pk, status="finished,planned")
        assert open_ == [i for i, _, status in every if status == "in-progress"]
        assert done == [i for i, _, status in every if status == "finished"]
        assert fhir(kind, token, status="cancelled").json()["total"] == 0


@pytest.mark.parametrize("kind", ["Condition", "Observation", "Encounter"])
def test_the_queries_and_rows_of_a_page_do_not_grow_with_the_patients_visits(fhir, kind):
    practitioner = make_practitioner(make_location(time_zone="UTC"))
    few, many = make_patient(first_name="Few"), make_patient(first_name="Many")
    _history(practitioner, few, 8)
    _history(practitioner, many, 60)
    token = make_token("system/*.read")
    loaded = []

    def count_row(sender, **kwargs):
        loaded.append(sender)

    queries, rows = {}, {}
    post_init.connect(count_row)
    try:
        for patient in (few, many):
            loaded.clear()
            with CaptureQueriesContext(connection) as captured:
                body = fhir(kind, token, patient=patient.pk, _count=5, _offset=3).json()
            assert len(body["entry"]) == 5
            queries[patient.first_name] = len(captured.captured_queries)
            rows[patient.first_name] = len(loaded)
    finally:
        post_init.disconnect(count_row)

    assert queries["Few"] == queries["Many"]
    assert rows["Few"] == rows["Many"]


@pytest.mark.parametrize("kind", ["Condition", "Observation", "Encounter"])
def test_the_matches_read_whole_are_the_pages_one_after_another(clinic, kind):
    patient, _ = clinic
    Paged.CHUNK = 4
    try:
        hits = KINDS[kind].find(Search(patient=patient.pk))
        every = [hit.resource.id for hit in hits]
    finally:
        Paged.CHUNK = 100

    assert every == [found[0] for found in _expected(kind, patient)]
    assert hits[1].resource.id == every[1]
    assert hits[5:3] == []
    with pytest.raises(IndexError):
        hits[len(every)]


@pytest.mark.parametrize("kind", ["Patient", "Practitioner", "Encounter"])
def test_an_id_matches_only_as_the_resource_writes_it(fhir, clinic, kind):
    patient, visits = clinic
    row = {"Patient": patient, "Practitioner": visits[0].practitioner, "Encounter": visits[0]}
    token = make_token("system/*.read")
    pk = row[kind].pk

    assert fhir(kind, token, _id=str(pk)).json()["total"] == 1
    assert fhir(kind, token, _id=f"0{pk}").json()["total"] == 0
    assert fhir(kind, token, _id=f"+{pk}").json()["total"] == 0
