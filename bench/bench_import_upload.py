"""The request that uploads a 2,000-row patients export (the largest file the import takes).

The request stores the file and queues its check for the worker, so it answers in about the
time it takes to read the file, whatever the file's rows hold."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sotclinic.accounts.models import User
from sotclinic.demo.clinic import load_demo_clinic

ROWS = 2_000


def export() -> bytes:
    lines = ["Patient ID,First Name,Last Name,Birth Date,Email,Mobile Phone,Address,City"]
    for n in range(ROWS):
        lines.append(
            f"B{n},Bench{n},Patient{n},19{50 + n % 50}-0{1 + n % 9}-1{n % 9},"
            f"bench{n}@example.com,07400 {100000 + n},{n} Quay Road,Harbourtown"
        )
    return ("\n".join(lines) + "\n").encode()


def setup() -> dict:
    load_demo_clinic()
    client = Client()
    client.force_login(User.objects.get(username="frontdesk"))
    return {"client": client, "file": export()}


def cases(ctx):
    client, raw = ctx["client"], ctx["file"]

    def upload():
        response = client.post(
            "/staff/import/",
            {
                "kind": "patient",
                "source": "jane",
                "file": SimpleUploadedFile("jane.csv", raw, content_type="text/csv"),
            },
        )
        assert response.status_code in (200, 302), response.status_code

    return [(f"upload of a {ROWS:,}-row patients file", upload)]
