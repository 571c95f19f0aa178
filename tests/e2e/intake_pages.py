"""Answers on the patient's intake pages shared by browser tests."""

PRECAUTION_FIELDS = ("postpartum", "anticoagulants", "osteoporosis_steroids", "connective_tissue")


def answer_no_precautions(page) -> None:
    """Answer "No" to the precaution questions of the intake's history step."""
    for code in PRECAUTION_FIELDS:
        page.locator(f"#fs_{code}").get_by_label("No", exact=True).check()


def answer_history_with_nothing_to_report(page) -> None:
    """Fill the history step as a patient with no conditions, operations, medicines,
    pregnancy or precautions."""
    page.get_by_label("Past and current health conditions").fill("none")
    page.get_by_label("Operations and serious injuries").fill("none")
    page.get_by_label("Medicines you take").fill("none")
    page.get_by_label("Does not apply").check()
    answer_no_precautions(page)
