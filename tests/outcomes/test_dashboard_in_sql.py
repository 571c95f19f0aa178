"""The outcome dashboard is computed by the database: the same figures as reading every
response in Python (the computation it replaced, kept below as the reference), a fixed number
of queries whatever the number of patients, and one access-log row per view."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.intake.instruments import change, get_instrument
from sotclinic.intake.models import Intake, QuestionnaireResponse
from sotclinic.outcomes.selectors import DashboardFilters, _dashboard_query, dashboard
from sotclinic.outcomes.statistics import median
from tests.factories import (
    make_appointment,
    make_location,
    make_patient,
    make_practitioner,
    make_user,
)
from tests.query_plans import plan_lines

pytestmark = pytest.mark.django_db

EPOCH = timezone.make_aware(dt.datetime(2024, 1, 1, 9))
COMPLAINTS = ("low_back", "neck", "headache", "sleep")
# Each instrument, its score range and the recall periods it can be asked over.
INSTRUMENTS = {
    "rmdq": (0, 24, ("",)),
    "nprs": (0, 10, ("24h", "7d")),
    "grc15": (-7, 7, ("",)),
    "sleep_diary": (0, 100, ("",)),
}


# The reference: the dashboard as it was computed in Python, one response at a time.


def reference_dashboard(filters: DashboardFilters) -> list[tuple]:
    intakes = Intake.objects.filter(status=Intake.Status.COMPLETE).order_by("completed_at", "id")
    if filters.start:
        intakes = intakes.filter(completed_at__date__gte=filters.start)
    if filters.end:
        intakes = intakes.filter(completed_at__date__lte=filters.end)
    if filters.practitioner_id:
        from sotclinic.scheduling.models import Appointment

        seen = Appointment.objects.filter(practitioner_id=filters.practitioner_id).values(
            "patient_id"
        )
        intakes = intakes.filter(patient_id__in=seen)
    chosen = {}
    for intake in intakes:
        if filters.complaint and filters.complaint not in intake.complaints:
            continue
        chosen[intake.patient_id] = intake
    responses = QuestionnaireResponse.objects.filter(patient_id__in=list(chosen)).order_by(
        "administered_at", "id"
    )
    baseline, latest = {}, {}
    for response in responses:
        key = (response.patient_id, response.instrument_id)
        if response.context == "baseline" and response.intake_id == chosen[key[0]].pk:
            baseline[key] = response
        elif (
            response.context == "follow_up"
            and key in baseline
            and response.recall_period == baseline[key].recall_period
        ):
            latest[key] = response
    figures: dict[str, list] = {}
    for key, follow in latest.items():
        instrument = get_instrument(key[1])
        result = change(instrument, baseline[key].score, follow.score)
        entry = figures.setdefault(instrument.id, [0, 0, []])
        entry[0] += 1
        entry[1] += bool(result.improved_by_mcid_points)
        entry[2].append(result.improvement)
    order = {"rmdq": 0, "nprs": 1, "grc15": 2}
    return [
        (instrument_id, n, reached, median(changes))
        for instrument_id, (n, reached, changes) in sorted(
            figures.items(), key=lambda item: (order.get(item[0], 9), item[0])
        )
    ]


def figures(filters: DashboardFilters) -> list[tuple]:
    return [(s.instrument.id, s.patients, s.reached, s.median_change) for s in dashboard(filters)]


# A seeded generator of the data the intake and follow-up services write ----------------------


def _score(rng: random.Random, low: int, high: int) -> float:
    # Whole and half points, and ties, as real scores have.
    return rng.randint(low * 2, high * 2) / 2


_appointment_hours = itertools.count()


def generate_practice(rng: random.Random, patients: int, practitioners) -> None:
    intakes, planned = [], []
    for _ in range(patients):
        patient = make_patient()
        if rng.random() < 0.5:
            # Hours apart: a practitioner's appointments never overlap.
            start = EPOCH + dt.timedelta(hours=next(_appointment_hours))
            make_appointment(rng.choice(practitioners), start, patient=patient)
        moments = sorted(rng.sample(range(0, 400), rng.randint(0, 3)))
        for day in moments:
            completed = EPOCH + dt.timedelta(days=day, minutes=rng.randint(0, 600))
            complaints = rng.sample(COMPLAINTS, rng.randint(1, 3))
            status = Intake.Status.COMPLETE if rng.random() < 0.85 else Intake.Status.DRAFT
            intakes.append(
                Intake(
                    patient=patient,
                    status=status,
                    completed_at=completed if status == Intake.Status.COMPLETE else None,
                    consent_to_care=status == Intake.Status.COMPLETE,
                    consent_at=completed if status == Intake.Status.COMPLETE else None,
                    complaints=complaints,
                )
            )
        planned.append(patient)
    Intake.objects.bulk_create(intakes)
    responses = []
    by_patient: dict[int, list[Intake]] = {}
    for intake in Intake.objects.filter(status=Intake.Status.COMPLETE):
        by_patient.setdefault(intake.patient_id, []).append(intake)
    for patient in planned:
        for intake in by_patient.get(patient.pk, []):
            # One baseline per instrument an intake asked, as the intake service writes them.
            for instrument_id in rng.sample(sorted(INSTRUMENTS), rng.randint(1, 4)):
                low, high, periods = INSTRUMENTS[instrument_id]
                responses.append(
                    _response(
                        patient,
                        instrument_id,
                        _score(rng, low, high),
                        intake.completed_at,
                        "baseline",
                        rng.choice(periods),
                        intake=intake,
                    )
                )
        for _ in range(rng.randint(0, 6)):
            instrument_id = rng.choice(sorted(INSTRUMENTS))
            low, high, periods = INSTRUMENTS[instrument_id]
            # Some follow-ups before a baseline, some at the very same moment as one.
            when = EPOCH + dt.timedelta(days=rng.randint(-20, 500), minutes=rng.randint(0, 600))
            if rng.random() < 0.1 and by_patient.get(patient.pk):
                when = rng.choice(by_patient[patient.pk]).completed_at
            responses.append(
                _response(
                    patient,
                    instrument_id,
                    _score(rng, low, high),
                    when,
                    "follow_up",
                    rng.choice(periods),
                )
            )
    rng.shuffle(responses)  # ids in no particular time order
    QuestionnaireResponse.objects.bulk_create(responses)


def _response(patient, instrument_id, score, when, context, period, intake=None):
    instrument = get_instrument(instrument_id)
    return QuestionnaireResponse(
        patient=patient,
        instrument_id=instrument_id,
        instrument_version=instrument.version,
        answers={},
        score=score,
        administered_at=when,
        context=context,
        recall_period=period,
        intake=intake,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dashboard_in_sql_matches_the_python_computation(seed):
    rng = random.Random(seed)
    location = make_location()
    practitioners = [make_practitioner(location) for _ in range(2)]
    generate_practice(rng, 60, practitioners)
    day = EPOCH.date()
    cases = [
        DashboardFilters(),
        *(DashboardFilters(complaint=c) for c in COMPLAINTS),
        DashboardFilters(practitioner_id=practitioners[0].pk),
        DashboardFilters(start=day + dt.timedelta(days=100)),
        DashboardFilters(end=day + dt.timedelta(days=200)),
        DashboardFilters(
            complaint="neck",
            practitioner_id=practitioners[1].pk,
            start=day + dt.timedelta(days=30),
            end=day + dt.timedelta(days=300),
        ),
    ]

    for filters in cases:
        assert figures(filters) == reference_dashboard(filters), filters
    assert figures(DashboardFilters())  # the data has pairs to compare


def _intake(patient, completed_at):
    return Intake.objects.create(
        patient=patient,
        status=Intake.Status.COMPLETE,
        completed_at=completed_at,
        consent_to_care=True,
        consent_at=completed_at,
        complaints=["low_back"],
    )


def _saved(patient, instrument_id, score, when, context, period="", intake=None):
    response = _response(patient, instrument_id, score, when, context, period, intake=intake)
    response.save()
    return response


def test_dashboard_pairs_each_baseline_with_the_latest_follow_up_after_it():
    day = dt.timedelta(days=1)
    # Created in this order, so ids break ties in administered_at as the comments say.
    p1 = make_patient()  # a follow-up at the baseline's moment but an earlier id: not after
    _saved(p1, "rmdq", 0, EPOCH, "follow_up")
    _saved(p1, "rmdq", 10, EPOCH, "baseline", intake=_intake(p1, EPOCH))
    p2 = make_patient()  # at the same moment with a later id: after it; improvement 6
    _saved(p2, "rmdq", 10, EPOCH, "baseline", intake=_intake(p2, EPOCH))
    _saved(p2, "rmdq", 4, EPOCH, "follow_up")
    p3 = make_patient()  # several follow-ups: the latest in time, not in id, counts; 3
    _saved(p3, "rmdq", 9, EPOCH + 3 * day, "follow_up")
    _saved(p3, "rmdq", 12, EPOCH, "baseline", intake=_intake(p3, EPOCH))
    _saved(p3, "rmdq", 8, EPOCH + day, "follow_up")
    _saved(p3, "rmdq", 2, EPOCH + 2 * day, "follow_up")
    p4 = make_patient()  # a later baseline-context response is no follow-up; 5
    _saved(p4, "rmdq", 20, EPOCH, "baseline", intake=_intake(p4, EPOCH))
    _saved(p4, "rmdq", 15, EPOCH + day, "follow_up")
    _saved(p4, "rmdq", 0, EPOCH + 5 * day, "baseline")
    p5 = make_patient()  # only the latest intake's baseline counts; 1
    _saved(p5, "rmdq", 24, EPOCH - 30 * day, "baseline", intake=_intake(p5, EPOCH - 30 * day))
    _saved(p5, "rmdq", 14, EPOCH, "baseline", intake=_intake(p5, EPOCH))
    _saved(p5, "rmdq", 13, EPOCH + day, "follow_up")
    p6 = make_patient()  # RMDQ 3 again: a tie at the median
    _saved(p6, "rmdq", 9, EPOCH, "baseline", intake=_intake(p6, EPOCH))
    _saved(p6, "rmdq", 6, EPOCH + 4 * day, "follow_up")
    p7 = make_patient()  # another period later, its own period only before: no pair
    _saved(p7, "nprs", 7, EPOCH, "baseline", "24h", intake=_intake(p7, EPOCH))
    _saved(p7, "nprs", 0, EPOCH + 2 * day, "follow_up", "7d")
    _saved(p7, "nprs", 1, EPOCH - day, "follow_up", "24h")
    p8 = make_patient()  # the latest of the baseline's period, not the latest of all; 2
    _saved(p8, "nprs", 8, EPOCH, "baseline", "7d", intake=_intake(p8, EPOCH))
    _saved(p8, "nprs", 6, EPOCH + day, "follow_up", "7d")
    _saved(p8, "nprs", 0, EPOCH + 2 * day, "follow_up", "24h")
    for baseline, follow_up, period in ((6, 6, "24h"), (5, 3, "24h"), (4, 2, "7d")):
        patient = make_patient()  # NPRS 0, 2 and 2: both middle values in one tie
        _saved(patient, "nprs", baseline, EPOCH, "baseline", period, intake=_intake(patient, EPOCH))
        _saved(patient, "nprs", follow_up, EPOCH + day, "follow_up", period)

    # RMDQ: 1, 3, 3, 5, 6 (5 and 6 reach the MCID of 5); NPRS: 0, 2, 2, 2 (MCID 2).
    expected = [("rmdq", 5, 2, 3.0), ("nprs", 4, 3, 2.0)]
    assert figures(DashboardFilters()) == expected
    assert reference_dashboard(DashboardFilters()) == expected


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("outcomes:dashboard"), {"complaint": "neck"})
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_the_patients(client):
    rng = random.Random(7)
    practitioners = [make_practitioner(make_location())]
    client.force_login(make_user(Role.PRACTITIONER))
    generate_practice(rng, 8, practitioners)
    once = _dashboard_queries(client)

    generate_practice(rng, 80, practitioners)
    ten_times = _dashboard_queries(client)

    assert once == ten_times
    assert once <= 8


def test_viewing_the_dashboard_logs_one_row_with_its_filters(client):
    rng = random.Random(3)
    practitioners = [make_practitioner(make_location())]
    generate_practice(rng, 30, practitioners)
    client.force_login(make_user(Role.PRACTITIONER))

    client.get(reverse("outcomes:dashboard"), {"complaint": "neck", "start": "2024-02-01"})

    [entry] = AccessLog.objects.filter(action=Action.VIEW_OUTCOMES_DASHBOARD)
    assert entry.patient_id is None
    assert entry.detail == "outcomes dashboard: complaint=neck from=2024-02-01"
    assert not AccessLog.objects.exclude(action=Action.VIEW_OUTCOMES_DASHBOARD).exists()


def test_the_latest_follow_ups_are_read_from_the_index():
    # SQLite: one seek in qr_latest per baseline, and no scan of the responses. PostgreSQL:
    # the follow-ups ranked in qr_latest's order (on a handful of rows a scan is cheaper; the
    # test asks whether the index serves).
    generate_practice(random.Random(5), 10, [make_practitioner(make_location())])
    sql, params = _dashboard_query(DashboardFilters())
    plan = plan_lines(sql, params)

    if connection.vendor == "postgresql":
        assert any("qr_latest" in line for line in plan), plan
    else:
        seek = "SEARCH f USING COVERING INDEX qr_latest (patient_id=? AND instrument_id=? AND "
        assert any(line.startswith(seek) for line in plan), plan
        assert not any(line.startswith(("SCAN b", "SCAN f")) for line in plan), plan
