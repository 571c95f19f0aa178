"""The visit page's note form: Enter saves the draft, nothing destructive is one keypress away."""

from html.parser import HTMLParser

import pytest

from sotclinic.charting.models import Note
from tests.factories import exam_state, make_location, make_practitioner, make_visit, sign_visit

pytestmark = pytest.mark.django_db

NOTE_FORM = "note-form"


class _Forms(HTMLParser):
    """Submit buttons with the form that owns them (the enclosing form or their form="…")."""

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.forms: dict[str, dict] = {}
        self.submits: list[dict] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline.append("inline <script>")
        for name in attrs:
            if name.startswith("on") or name == "style":
                self.inline.append(f"<{tag} {name}=…>")
        if tag == "form":
            self.stack.append(attrs)
            self.forms[attrs.get("id", "")] = attrs
        is_submit = (tag == "button" and attrs.get("type", "submit") == "submit") or (
            tag == "input" and attrs.get("type") in ("submit", "image")
        )
        if is_submit:
            enclosing = self.stack[-1].get("id", "") if self.stack else None
            self.submits.append({**attrs, "owner": attrs.get("form", enclosing)})

    def handle_endtag(self, tag):
        if tag == "form" and self.stack:
            self.stack.pop()


def _page(client, visit) -> _Forms:
    client.force_login(visit.practitioner.user)
    response = client.get(f"/staff/visits/{visit.pk}/")
    assert response.status_code == 200
    parsed = _Forms()
    parsed.feed(response.text)
    return parsed


@pytest.fixture
def doctor():
    return make_practitioner(make_location(name="Harbour Street"))


@pytest.fixture
def visit_with_a_previous_exam(doctor):
    earlier = make_visit(doctor)
    sign_visit(earlier, exam_state=exam_state(("arm_fossa_test", "left")))
    return make_visit(doctor, patient=earlier.patient)


def test_enter_in_a_one_line_field_presses_save_draft(client, visit_with_a_previous_exam):
    page = _page(client, visit_with_a_previous_exam)

    owned = [b for b in page.submits if b["owner"] == NOTE_FORM]

    # Implicit submission (Enter) clicks the first submit button the form owns.
    assert owned[0].get("name") == "action"
    assert owned[0].get("value") == "save"


def test_no_button_of_the_note_form_replaces_what_was_typed(client, visit_with_a_previous_exam):
    page = _page(client, visit_with_a_previous_exam)

    actions = {b.get("value") for b in page.submits if b["owner"] == NOTE_FORM}
    copy_buttons = [b for b in page.submits if b["owner"] == "copy-forward-form"]

    assert actions <= {"save", "sign"}
    assert len(copy_buttons) == 1
    assert page.forms["copy-forward-form"].get("data-confirm", "").startswith("Replace this")


def test_visit_page_has_no_inline_script_handler_or_style(client, visit_with_a_previous_exam):
    page = _page(client, visit_with_a_previous_exam)

    assert page.inline == []


def test_copy_forward_form_carries_the_current_version(client, visit_with_a_previous_exam):
    visit = visit_with_a_previous_exam
    client.force_login(visit.practitioner.user)
    note = Note.objects.get(pk=visit.note.pk)

    response = client.post(
        f"/staff/visits/{visit.pk}/", {"action": "copy_forward", "version": note.version}
    )

    assert response.status_code == 302
    copied = Note.objects.get(pk=note.pk)
    assert copied.copied_from_id is not None
    assert copied.exam.state["findings"]["indicators"] == [
        {"code": "arm_fossa_test", "side": "left"}
    ]


def test_assessment_shows_the_live_suggestion_not_no_findings(client, doctor):
    make_visit(doctor)
    client.force_login(doctor.user)

    # The practitioner ticks findings; the live analysis answers before anything is saved.
    live = client.post(
        "/exam/analyze?prefix=exam",
        {"exam-ind-arm_fossa_test": "left", "exam-summary": "1"},
    )

    summary = live.text.split('id="exam-summary"', 1)[1]
    assert 'hx-swap-oob="true"' in summary.split(">", 1)[0]
    assert "Category II" in summary
    assert "No findings recorded yet" not in live.text


def test_visit_page_assessment_follows_the_exam_shown_not_the_last_save(client, doctor):
    visit = make_visit(doctor)
    client.force_login(doctor.user)

    # An invalid post re-renders the form with the posted findings, none of them saved.
    response = client.post(
        f"/staff/visits/{visit.pk}/",
        {"version": visit.note.version, "action": "save", "pain_score": "11"}
        | {"exam-ind-arm_fossa_test": "left"},
    )

    assessment = response.text.split('id="soap-a"', 1)[1]
    assert response.status_code == 400
    assert "No findings recorded yet" not in assessment
    assert "Category II" in assessment
