"""The chart page of a patient with 200 signed visits (goal: at most 4x the trivial view).

The second case, the chart of a patient with no visits, is the floor: what any signed-in staff
page pays (session and user loading, the audit row, the base layout), so the report can say how
much of the 200-visit ratio is the chart itself.
"""

from django.test import Client
from tests.factories import make_location, make_patient, make_practitioner, make_visit_history


def setup() -> dict:
    practitioner = make_practitioner(make_location(name="Bench Clinic"))
    patient = make_patient(first_name="Many", last_name="Visits")
    make_visit_history(practitioner, patient, 200)
    newcomer = make_patient(first_name="No", last_name="Visits")
    client = Client()
    client.force_login(practitioner.user)
    return {
        "client": client,
        "url": f"/staff/patients/{patient.pk}/chart/",
        "empty_url": f"/staff/patients/{newcomer.pk}/chart/",
    }


def cases(ctx):
    client = ctx["client"]

    def page(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200

        return fetch

    return [
        ("chart page, 200 visits", page(ctx["url"])),
        ("chart page, 0 visits (floor)", page(ctx["empty_url"])),
    ]
