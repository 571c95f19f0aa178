"""Actions on the SOT exam screen shared by browser tests."""


def tick(page, indicator: str, side: str) -> None:
    """Mark an indicator positive on a side in the exam screen's toggle group."""
    page.get_by_role("group", name=indicator).get_by_text(side, exact=True).click()


PRECAUTION_FIELDS = ("postpartum", "anticoagulants", "osteoporosis_steroids", "connective_tissue")


def answer_no_precautions(page) -> None:
    """Answer "No" to the precaution questions of the intake's history step."""
    for code in PRECAUTION_FIELDS:
        page.locator(f"#fs_{code}").get_by_label("No", exact=True).check()
