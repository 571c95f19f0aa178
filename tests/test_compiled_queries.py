"""CompiledQuery: the rows Django's queryset gives, for every call's values, on both databases."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from sotclinic.charting.models import Visit
from sotclinic.compiled_queries import CompiledQuery, converted, model_converters
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import Appointment
from tests.factories import (
    exam_state,
    make_appointment,
    make_location,
    make_open_practitioner,
    make_patient,
    make_visit,
    sign_visit,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def day(location_id, start, end):
    return (
        Appointment.objects.filter(location_id=location_id, start__gte=start, start__lt=end)
        .order_by("start")
        .values_list("pk", "start", "end", "patient__last_name", "appointment_type__name")
    )


@pytest.fixture
def practice():
    location = make_location()
    practitioner = make_open_practitioner(location)
    for days in (0, 0, 1, 2):
        make_appointment(
            practitioner,
            START + dt.timedelta(days=days, hours=len(Appointment.objects.all())),
            location=location,
        )
    return location


def test_rows_equal_the_querysets_for_each_calls_values(practice):
    query = CompiledQuery(day)
    for first, last in ((0, 1), (1, 3), (0, 3), (5, 6)):
        start, end = START + dt.timedelta(days=first), START + dt.timedelta(days=last)
        expected = list(day(practice.pk, start, end))
        assert query.rows(practice.pk, start, end) == expected
    assert len(query.rows(practice.pk, START, START + dt.timedelta(days=3))) == 4
    assert query.rows(practice.pk + 1000, START, START + dt.timedelta(days=3)) == []
    # Datetimes come back as Django gives them: aware, in UTC.
    [(_, start, *_)] = query.rows(practice.pk, START + dt.timedelta(days=2), START.replace(day=9))
    assert start.tzinfo is not None and start == Appointment.objects.order_by("start").last().start


def test_converters_and_shape(practice):
    """Booleans, JSON and a slice (the shape), compiled once per shape."""
    patient = make_patient()
    practitioner = make_open_practitioner(practice)
    for n in range(3):
        visit = make_visit(practitioner=practitioner, patient=patient)
        if n != 1:
            sign_visit(visit, exam_state=exam_state(("arm_fossa_test", "left")))

    def visits(patient_id, *, start, stop):
        return (
            Visit.objects.filter(patient_id=patient_id)
            .annotate(signed=Q(note__signed_at__isnull=False))
            .order_by("-id")
            .values_list("pk", "signed", "note__exam__cleared_indicators", "started_at")[start:stop]
        )

    query = CompiledQuery(visits)
    for start, stop in ((0, 2), (1, 3), (0, 2)):
        rows = query.rows(patient.pk, start=start, stop=stop)
        assert rows == list(visits(patient.pk, start=start, stop=stop))
        assert all(isinstance(signed, bool) for _, signed, *_ in rows)
    assert sorted(signed for _, signed, *_ in query.rows(patient.pk, start=0, stop=9)) == [
        False,
        True,
        True,
    ]
    assert len(query._compiled) == 3  # (0, 2), (1, 3) and (0, 9)


def test_the_query_runs_through_the_connection(practice):
    query = CompiledQuery(day)
    query.rows(practice.pk, START, START)
    with CaptureQueriesContext(connection) as captured:
        query.rows(practice.pk, START, START + dt.timedelta(days=1))
    assert len(captured) == 1 and "scheduling_appointment" in captured[0]["sql"]
    sql, params = query.sql_with_params(practice.pk, START, START)
    assert "scheduling_appointment" in sql and practice.pk in params


def test_a_value_not_used_as_it_is_is_refused(practice):
    def by_name(text):
        return Appointment.objects.filter(patient__last_name__icontains=text).values_list("pk")

    def later(start):
        return Appointment.objects.filter(start__gte=start + dt.timedelta(hours=1)).values_list(
            "pk"
        )

    with pytest.raises(ValueError, match="parameter 0 is not used as it is"):
        CompiledQuery(by_name).rows("ient")
    with pytest.raises(ValueError, match="parameter 0 is not used as it is"):
        CompiledQuery(later).rows(START)
    for normalise in (str.strip, str.lower, str.upper, str.casefold):
        query = CompiledQuery(
            lambda text, f=normalise: Patient.objects.filter(email=f(text)).values_list("pk")
        )
        with pytest.raises(ValueError, match="parameter 0 is not used as it is"):
            query.rows("pat@example.com")
    with pytest.raises(ValueError, match="booleans and None"):
        CompiledQuery(lambda flag: Appointment.objects.filter(booked_online=flag)).rows(True)
    with pytest.raises(ValueError, match="a list cannot be a parameter"):
        CompiledQuery(lambda ids: Appointment.objects.filter(pk__in=ids)).rows([1, 2])


def test_the_same_number_of_values_each_time(practice):
    query = CompiledQuery(day)
    query.rows(practice.pk, START, START)
    with pytest.raises(TypeError, match="3 values"):
        query.rows(practice.pk, START)


def test_text_and_date_values(practice):
    make_patient(last_name="Smith", date_of_birth=dt.date(1970, 5, 6))
    make_patient(last_name="Smith", date_of_birth=dt.date(1971, 5, 6))

    def born(last_name, day):
        return (
            Patient.objects.filter(last_name=last_name, date_of_birth__gte=day)
            .order_by("date_of_birth")
            .values_list("last_name", "date_of_birth")
        )

    query = CompiledQuery(born)
    for day in (dt.date(1960, 1, 1), dt.date(1971, 1, 1), dt.date(1990, 1, 1)):
        assert query.rows("Smith", day) == list(born("Smith", day))
    assert query.rows("Smith", dt.date(1971, 1, 1)) == [("Smith", dt.date(1971, 5, 6))]
    assert query.rows("Jones", dt.date(1960, 1, 1)) == []
    names = CompiledQuery(
        lambda name: Patient.objects.filter(last_name=name).order_by("pk").values_list("last_name")
    )
    assert names.rows("Smith") == [("Smith",), ("Smith",)]


def test_model_instances_with_their_annotations(practice):
    smith = make_patient(last_name="Smith", phone="+44 117 496 0123")
    make_patient(last_name="Jones")

    def patient(patient_id):
        return Patient.objects.filter(pk=patient_id).annotate(
            booked=Exists(Appointment.objects.filter(patient_id=OuterRef("pk")))
        )

    query = CompiledQuery(patient)
    [found] = query.objects(smith.pk)
    [expected] = patient(smith.pk)
    assert type(found) is Patient and found.pk == smith.pk and found.booked is False
    assert {f.attname: getattr(found, f.attname) for f in Patient._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Patient._meta.concrete_fields
    }
    assert found._state.adding is False and found._state.db == "default"
    [booked] = query.objects(Appointment.objects.first().patient_id)
    assert booked.booked is True
    assert query.objects(smith.pk + 1000) == []
    with pytest.raises(TypeError, match="objects\\(\\) here"):
        query.rows(smith.pk)
    with pytest.raises(TypeError, match="rows_within\\(\\) of a values_list"):
        query.rows_within("SELECT * FROM ({query}) found", (), smith.pk)
    with pytest.raises(TypeError, match="rows\\(\\) here"):
        CompiledQuery(day).objects(practice.pk, START, START)


def test_select_related_rows_come_attached(practice):
    def booked(location_id):
        return (
            Appointment.objects.filter(location_id=location_id)
            .select_related("patient", "practitioner__user")
            .order_by("start")
        )

    query = CompiledQuery(booked)
    found, expected = query.objects(practice.pk), list(booked(practice.pk))
    assert [a.pk for a in found] == [a.pk for a in expected] and len(found) == 4
    with CaptureQueriesContext(connection) as captured:
        names = [(a.patient.last_name, a.practitioner.user.username) for a in found]
    assert len(captured) == 0
    assert names == [(a.patient.last_name, a.practitioner.user.username) for a in expected]


def test_querysets_it_does_not_compile(practice):
    patient = Appointment.objects.first().patient
    with pytest.raises(ValueError, match="no known related objects"):
        CompiledQuery(lambda pk: patient.appointments.filter(pk=pk)).objects(1)
    with pytest.raises(ValueError, match="model instances or of values_list"):
        CompiledQuery(lambda pk: Appointment.objects.filter(pk=pk).values("pk")).rows(1)


def test_an_integer_past_any_column_is_answered_as_django_answers_it(practice):
    """An id typed into an address can be larger than any integer column: the database would
    refuse it, Django's lookups answer it."""
    huge = 99_999_999_999_999_999_999
    query = CompiledQuery(lambda pk: Appointment.objects.filter(pk=pk).values_list("start"))
    assert query.rows(huge) == []
    assert query.rows(Appointment.objects.first().pk) != []
    patient = CompiledQuery(lambda pk: Patient.objects.filter(pk__lt=pk).order_by("pk"))
    assert patient.objects(huge) == list(Patient.objects.order_by("pk")) != []
    assert CompiledQuery(lambda pk: Patient.objects.filter(pk=pk)).objects(-huge) == []


def test_rows_within_a_statement_are_converted_as_the_querysets(practice):
    query = CompiledQuery(day)
    end = START + dt.timedelta(days=3)
    # The query's own parameters come first, then the statement's.
    statement = "SELECT found.*, 7 FROM ({query}) found ORDER BY 2 DESC LIMIT %s"

    rows = query.rows_within(statement, (2,), practice.pk, START, end)

    expected = sorted(day(practice.pk, START, end), key=lambda row: row[1], reverse=True)[:2]
    assert rows == [(*row, 7) for row in expected]
    assert query.rows_within(statement, (2,), practice.pk + 1000, START, end) == []


def test_a_row_of_a_models_columns_is_converted_as_django_converts_it(practice):
    columns = ", ".join(connection.ops.quote_name(f.column) for f in Patient._meta.concrete_fields)
    expected = Patient.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM patients_patient WHERE id = %s", [expected.pk])  # noqa: S608
        row = cursor.fetchone()

    values = converted(row, model_converters(Patient, connection), connection)

    found = Patient.from_db("default", None, values)
    assert {f.attname: getattr(found, f.attname) for f in Patient._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Patient._meta.concrete_fields
    }
