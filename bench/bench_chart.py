"""The chart page of a patient with 200 signed visits (goal: at most 4x the trivial view)."""

from django.test import Client
from tests.factories import make_location, make_patient, make_practitioner, make_visit_history


def setup() -> dict:
    practitioner = make_practitioner(make_location(name="Bench Clinic"))
    patient = make_patient(first_name="Many", last_name="Visits")
    make_visit_history(practitioner, patient, 200)
    client = Client()
    client.force_login(practitioner.user)
    return {"client": client, "url": f"/staff/patients/{patient.pk}/chart/"}


def cases(ctx):
    client, url = ctx["client"], ctx["url"]

    def chart_page():
        response = client.get(url)
        assert response.status_code == 200

    return [("chart page, 200 visits", chart_page)]
