"""A practitioner works through the exam screen in real Chromium."""

import pytest
from playwright.sync_api import expect

from sotclinic.accounts.models import Role
from tests.conftest import ARTIFACTS
from tests.e2e.exam_screen import tick
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_exam(page, log_in):
    def do():
        make_user(Role.PRACTITIONER, username="anna")
        log_in(page, "anna", lands_on="/exam/new", then="/exam/new")

    return do


def test_ticking_left_category_two_indicators_updates_the_analysis_live(
    open_exam, page, live_server, screenshot
):
    open_exam()
    panel = page.locator("#exam-analysis")
    expect(panel).to_contain_text("No suggestion")

    tick(page, "Arm fossa test", "Left")
    tick(page, "Inguinal ligament sensitivity", "Left")

    expect(panel).to_contain_text("Suggested: Category II, left side.")
    expect(panel).to_contain_text("patient supine")
    diagram = panel.locator("svg[data-position='supine']")
    expect(diagram.locator("g.block")).to_have_count(2)
    expect(diagram.locator("title")).to_have_text(
        "Suggested blocking for Category II, patient supine"
    )
    # The re-check list followed the ticks without a page load.
    expect(page.locator("#exam-recheck")).to_contain_text("Arm fossa test")
    page.get_by_role("group", name="Arm fossa test (left)").get_by_text("cleared").click()
    expect(panel).to_contain_text("Cleared: Arm fossa test.")
    screenshot(page, "exam-desktop")
    page.set_viewport_size({"width": 820, "height": 1180})
    expect(panel).to_contain_text("Category II")
    screenshot(page, "exam-tablet")


def test_toggles_work_from_the_keyboard(open_exam, page, live_server):
    open_exam()

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "exam-ind-achilles_tension":
            break
    else:
        pytest.fail("Tab never reached the first indicator")
    page.keyboard.press("ArrowRight")  # — → Left
    page.keyboard.press("Tab")  # next indicator's group
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # — → Left → Right
    page.keyboard.press("ArrowLeft")  # back to Left
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")

    panel = page.locator("#exam-analysis")
    expect(panel).to_contain_text("Suggested: Category I, left side.")
    expect(panel).to_contain_text("patient prone")
    checked = page.eval_on_selector_all(
        "input[type=radio][name^='exam-ind-']:checked",
        "els => els.filter(e => e.value).map(e => e.name + '=' + e.value)",
    )
    assert checked == [
        "exam-ind-achilles_tension=left",
        "exam-ind-gluteal_tension_asymmetry=left",
        "exam-ind-sacrospinalis_tension_asymmetry=left",
    ]


CASES = [
    ("I", "Achilles (heel) tension", "prone"),
    ("II", "Arm fossa test", "supine"),
    ("III", "Gluteal pain point", "prone"),
]


@pytest.mark.parametrize(("category", "indicator", "position"), CASES)
def test_diagram_draws_blocks_on_the_correct_side(
    open_exam, page, live_server, category, indicator, position
):
    open_exam()
    panel = page.locator("#exam-analysis")
    ARTIFACTS.mkdir(exist_ok=True)

    for side in ("left", "right"):
        tick(page, indicator, side.title())
        expect(panel).to_contain_text(f"Suggested: Category {category}, {side} side.")
        figure = panel.locator("figure.exam-diagram")
        expect(figure.locator(f"svg[data-position='{position}']")).to_be_visible()
        figure.screenshot(path=str(ARTIFACTS / f"exam-diagram-{category}-{side}.png"))

        # Prone is seen from behind (patient's left on the viewer's left), supine from the front.
        left_on_viewer_left = position == "prone"
        for block in figure.locator("g.block").all():
            box = block.locator("rect").bounding_box()
            svg_box = figure.locator("svg").bounding_box()
            on_viewer_left = box["x"] + box["width"] / 2 < svg_box["x"] + svg_box["width"] / 2
            patient_left = block.get_attribute("data-side") == "left"
            assert on_viewer_left == (patient_left == left_on_viewer_left)


def test_settings_page_shows_an_invalid_angle_next_to_its_field(
    open_exam, page, live_server, screenshot
):
    open_exam()
    page.get_by_role("link", name="SOT settings").click()

    page.locator("#II-left-0-angle_degrees").fill("120")
    page.get_by_role("button", name="Save table").click()

    expect(page.get_by_role("alert").filter(has_text="The table was not saved")).to_be_visible()
    expect(
        page.locator(".has-error", has=page.locator("#II-left-0-angle_degrees"))
    ).to_contain_text("Must be a number from 0 to 90.")
    screenshot(page, "exam-settings-error")
