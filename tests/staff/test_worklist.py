"""The worklist: completed appointments without a visit, unsigned drafts of any age, tomorrow's
new patients without an intake, undelivered messages; by role; a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.audit.models import AccessLog, Action
from sotclinic.charting.selectors import completed_without_visit, draft_notes
from sotclinic.intake.selectors import new_patients_without_intake
from sotclinic.messaging.models import Message
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_complete_intake,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
    make_visit,
    save_note,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    location = make_location(time_zone="Europe/London")
    anna = make_open_practitioner(location, "00:00", "23:59", display_name="Dr. Anna Weber")
    ben = make_open_practitioner(location, "00:00", "23:59", display_name="Dr. Ben Okafor")
    kind = make_appointment_type(
        [anna, ben], name="Follow-up", duration_minutes=20, buffer_minutes=0
    )
    return {"location": location, "anna": anna, "ben": ben, "kind": kind}


def _tomorrow(clinic, hour: int, minute: int = 0) -> dt.datetime:
    tz = clinic["location"].tz
    day = timezone.now().astimezone(tz).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)


def _days_ago(days: int, minute: int = 0) -> dt.datetime:
    base = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=days)
    return base + dt.timedelta(minutes=minute)


def _fill(clinic, n: int, practitioner=None, first: int = 0) -> None:
    """n of each kind of item: completed without a visit, an unsigned draft, a new patient
    tomorrow without an intake, a failed message."""
    who = practitioner or clinic["anna"]
    for i in range(first, first + n):
        kw = {"kind": clinic["kind"], "location": clinic["location"]}
        make_appointment(who, _days_ago(3, 30 * i), status="completed", **kw)
        with_visit = make_appointment(who, _days_ago(4, 30 * i), status="completed", **kw)
        make_visit(appointment=with_visit)
        make_appointment(who, _tomorrow(clinic, 8, 0) + dt.timedelta(minutes=25 * i), **kw)
        Message.objects.create(
            to=[f"p{i}@example.com"], body="b", status="failed", patient=make_patient()
        )


def test_completed_appointments_without_a_visit_oldest_first(clinic):
    older = make_appointment(clinic["anna"], _days_ago(9), status="completed")
    newer = make_appointment(clinic["anna"], _days_ago(2), status="completed")
    make_visit(appointment=make_appointment(clinic["anna"], _days_ago(5), status="completed"))
    make_appointment(clinic["anna"], _days_ago(1), status="no_show")
    bens = make_appointment(clinic["ben"], _days_ago(3), status="completed")

    assert completed_without_visit() == [older, bens, newer]
    assert completed_without_visit(clinic["anna"].pk) == [older, newer]


def test_drafts_of_any_age_oldest_first_and_signed_notes_left_out(clinic):
    recent = make_visit(clinic["anna"], started_at=_days_ago(0))
    old = make_visit(clinic["anna"], started_at=_days_ago(40))
    signed = make_visit(clinic["anna"], started_at=_days_ago(10))
    from tests.factories import sign_visit

    sign_visit(signed)
    bens = make_visit(clinic["ben"], started_at=_days_ago(20))

    assert [n.visit for n in draft_notes()] == [old, bens, recent]
    assert [n.visit for n in draft_notes(clinic["anna"].pk)] == [old, recent]


def test_tomorrows_new_patients_without_an_intake(clinic):
    kw = {"kind": clinic["kind"], "location": clinic["location"]}
    new = make_appointment(clinic["anna"], _tomorrow(clinic, 9), **kw)
    returning = make_patient()
    make_appointment(clinic["anna"], _days_ago(30), patient=returning, status="completed", **kw)
    make_appointment(clinic["anna"], _tomorrow(clinic, 10), patient=returning, **kw)
    done = make_patient()
    make_complete_intake(done)
    make_appointment(clinic["anna"], _tomorrow(clinic, 11), patient=done, **kw)
    once_cancelled = make_patient()
    make_appointment(clinic["anna"], _days_ago(3), patient=once_cancelled, status="cancelled", **kw)
    second_new = make_appointment(
        clinic["ben"], _tomorrow(clinic, 12), patient=once_cancelled, **kw
    )
    make_appointment(clinic["anna"], _tomorrow(clinic, 9) + dt.timedelta(days=1), **kw)

    assert new_patients_without_intake() == [new, second_new]
    assert new_patients_without_intake(practitioner_id=clinic["ben"].pk) == [second_new]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DESK])
def test_the_worklist_takes_the_same_queries_for_one_item_or_ten(client, clinic, role):
    user = clinic["anna"].user if role == Role.PRACTITIONER else make_user(Role.FRONT_DESK)
    client.force_login(user)
    _fill(clinic, 1)
    client.get("/staff/worklist/")  # warm the per-process caches (clinic settings, sessions)
    one = _queries(client, "/staff/worklist/")

    _fill(clinic, 9, first=1)
    ten = _queries(client, "/staff/worklist/")

    assert one == ten
    page = client.get("/staff/worklist/").text
    assert (
        page.count("Open the visit record" if role == Role.PRACTITIONER else "Open the appointment")
        == 10
    )


def test_the_worklist_is_logged_as_one_aggregate_row(client, clinic):
    _fill(clinic, 3)
    client.force_login(make_user(Role.FRONT_DESK))

    before = AccessLog.objects.count()
    client.get("/staff/worklist/")

    rows = AccessLog.objects.order_by("pk")[before:]
    assert [(r.action, r.patient_id) for r in rows] == [(Action.VIEW_WORKLIST, None)]


def test_front_desk_sees_no_drafts_and_a_practitioner_only_their_own_items(client, clinic):
    _fill(clinic, 1, clinic["anna"])
    _fill(clinic, 1, clinic["ben"])
    draft = make_visit(clinic["anna"], started_at=_days_ago(5))
    save_note(draft, complaints="Private words about the lower back")

    client.force_login(make_user(Role.FRONT_DESK))
    front = client.get("/staff/worklist/").text
    client.force_login(clinic["ben"].user)
    ben = client.get("/staff/worklist/").text
    client.force_login(clinic["anna"].user)
    anna = client.get("/staff/worklist/").text

    assert "Notes not signed" not in front and f"/staff/visits/{draft.pk}/" not in front
    assert front.count("Open the appointment") == 2
    assert "Private words" not in anna and f"/staff/visits/{draft.pk}/" in anna
    assert f"/staff/visits/{draft.pk}/" not in ben
    assert ben.count("Open the visit record") == 1 and "Dr. Anna Weber" not in ben


def test_patients_may_not_open_the_worklist(client, clinic):
    client.force_login(make_user(Role.PATIENT))
    assert client.get("/staff/worklist/").status_code == 403


def test_the_staff_navigation_links_the_worklist_and_the_waitlist(client, clinic):
    client.force_login(make_user(Role.FRONT_DESK))
    home = client.get("/staff/").text
    assert 'href="/staff/worklist/"' in home and 'href="/staff/waitlist/"' in home
