"""The day list reads the locations and who works at each from the cache, and shows a change
to them on the next page: a renamed, deactivated or newly linked practitioner, a renamed
location.

These tests commit for real (transactional database): the rules version moves when a write
commits, and inside a transaction the cache is not used at all.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_location, make_practitioner

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("schedule_cache_on")]


@pytest.fixture
def clinic(client):
    location = make_location(name="Hove", time_zone="UTC")
    anna = make_practitioner(location, display_name="Dr. Anna Weber")
    ben = make_practitioner(location, display_name="Dr. Ben Okafor")
    client.force_login(anna.user)
    return {"location": location, "anna": anna, "ben": ben}


def _page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_repeat_day_list_reads_no_locations_or_practitioners(client, clinic):
    _page(client)

    with CaptureQueriesContext(connection) as queries:
        html = _page(client)

    # The settings row carries the clinic's clock (the first location's time zone) in a
    # subquery of its own read; no other query reads a location.
    tables = " ".join(
        q["sql"] for q in queries if not q["sql"].startswith('SELECT "scheduling_clinicsettings"')
    )
    assert "scheduling_location" not in tables
    assert "scheduling_practitioner" not in tables
    assert "Hove" in html and "Dr. Anna Weber" in html and "Dr. Ben Okafor" in html


def test_a_renamed_practitioner_shows_on_the_next_day_list(client, clinic):
    _page(client)
    clinic["ben"].display_name = "Dr. Benjamin Okafor"
    clinic["ben"].save()

    html = _page(client)

    assert "Dr. Benjamin Okafor" in html
    assert "Dr. Ben Okafor" not in html


def test_a_deactivated_practitioner_leaves_the_next_day_list(client, clinic):
    _page(client)
    clinic["ben"].active = False
    clinic["ben"].save()

    html = _page(client)

    assert "Dr. Ben Okafor" not in html
    assert "Dr. Anna Weber" in html


def test_a_practitioner_linked_to_the_location_joins_the_next_day_list(client, clinic):
    _page(client)
    make_practitioner(clinic["location"], display_name="Dr. Chloe Marsh")

    assert "Dr. Chloe Marsh" in _page(client)


def test_a_practitioner_unlinked_from_the_location_leaves_the_next_day_list(client, clinic):
    _page(client)
    clinic["ben"].locations.remove(clinic["location"])

    assert "Dr. Ben Okafor" not in _page(client)


def test_a_renamed_location_shows_on_the_next_day_list(client, clinic):
    _page(client)
    clinic["location"].name = "Brighton and Hove"
    clinic["location"].save()

    assert "Brighton and Hove" in _page(client)
