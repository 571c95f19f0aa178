"""Actions on the SOT exam screen shared by browser tests."""


def tick(page, indicator: str, side: str) -> None:
    """Mark an indicator positive on a side in the exam screen's toggle group."""
    page.get_by_role("group", name=indicator).get_by_text(side, exact=True).click()
