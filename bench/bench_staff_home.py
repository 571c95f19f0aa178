"""The staff home (today per practitioner) with the demo clinic loaded."""

from django.test import Client

from sotclinic.accounts.models import User
from sotclinic.demo.clinic import load_demo_clinic


def setup() -> dict:
    load_demo_clinic()
    client = Client()
    client.force_login(User.objects.get(username="frontdesk"))
    return {"client": client}


def cases(ctx):
    client = ctx["client"]

    def staff_home():
        assert client.get("/staff/").status_code == 200

    return [("staff home, demo clinic", staff_home)]
