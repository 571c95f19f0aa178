"""Front desk imports a patients export with one bad row, sees it in the preview, fixes the
file, imports it, and importing it again changes nothing."""

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from sotclinic.patients.models import Patient
from tests.factories import make_location, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPORT = (
    "Patient ID,First Name,Last Name,Birth Date,Email,Mobile Phone,Address,City\n"
    "101,Olivia,Hartley,1984-03-07,olivia@example.com,07400 123456,1 Quay Road,Harbourtown\n"
    "102,Tom,Baker,1990-02-30,tom@example.com,,,\n"
    "103,Zoë,Müller,1975-01-02,zoe@example.com,020 7946 0000,,\n"
)


def test_front_desk_fixes_a_bad_row_and_imports(log_in, page, live_server, screenshot, tmp_path):
    make_location(name="Harbour Street Chiropractic")
    make_user(Role.FRONT_DESK, username="frontdesk")
    export = tmp_path / "jane-patients.csv"
    export.write_bytes(b"\xef\xbb\xbf" + EXPORT.encode("utf-8"))

    log_in(page, "frontdesk")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("The file holds").select_option(label="Patients")
    page.get_by_label("Exported from").select_option(label="Jane App")
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("alert").first).to_contain_text("1 row has a problem")
    bad = page.locator("#line-3")
    expect(bad).to_contain_text("Tom Baker")
    expect(bad).to_contain_text("“1990-02-30” is not a date")
    expect(page.get_by_label("Birth Date")).to_have_value("date_of_birth")
    expect(page.get_by_role("button", name="Import 3 rows")).to_have_count(0)
    screenshot(page, "import-preview-with-a-bad-row")

    export.write_bytes(b"\xef\xbb\xbf" + EXPORT.replace("1990-02-30", "1990-02-03").encode())
    page.get_by_role("link", name="Choose another file").click()
    page.get_by_label("The file holds").select_option(label="Patients")
    page.get_by_label("Exported from").select_option(label="Jane App")
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Ready: 3 to create")).to_be_visible()
    page.get_by_role("button", name="Import 3 rows").click()

    expect(page.get_by_role("status")).to_contain_text("3 created, 0 changed")
    assert Patient.objects.get(first_name="Tom").date_of_birth.isoformat() == "1990-02-03"
    screenshot(page, "import-done")

    page.get_by_role("link", name="Import another file").click()
    page.get_by_label("The file holds").select_option(label="Patients")
    page.get_by_label("Exported from").select_option(label="Jane App")
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_role("status")).to_contain_text(
        "0 created, 0 changed, 0 linked, 3 unchanged"
    )
    assert Patient.objects.count() == 3
