import pytest

from sotclinic.charting.errors import StaleDraft
from sotclinic.charting.models import Note
from sotclinic.charting.services import DraftContent, save_draft, sign_note
from tests.factories import make_practitioner, make_visit

pytestmark = pytest.mark.django_db


def test_second_save_of_a_stale_draft_gets_a_conflict_with_the_other_version():
    visit = make_visit()
    colleague = make_practitioner()
    opened_version = visit.note.version  # both open the draft at the same version
    save_draft(
        visit.note.pk, colleague.user, opened_version, DraftContent(complaints="Colleague's text")
    )

    with pytest.raises(StaleDraft) as conflict:
        save_draft(
            visit.note.pk,
            visit.practitioner.user,
            opened_version,
            DraftContent(complaints="My text"),
        )

    assert conflict.value.current.complaints == "Colleague's text"
    assert conflict.value.current.updated_by == colleague.user
    assert Note.objects.get(pk=visit.note.pk).complaints == "Colleague's text"


def test_saving_again_from_the_version_shown_in_the_conflict_succeeds():
    visit = make_visit()
    user = visit.practitioner.user
    save_draft(visit.note.pk, user, 1, DraftContent(complaints="First"))
    with pytest.raises(StaleDraft) as conflict:
        save_draft(visit.note.pk, user, 1, DraftContent(complaints="Second"))

    note = save_draft(
        visit.note.pk, user, conflict.value.current.version, DraftContent(complaints="Second")
    )

    assert note.complaints == "Second"
    assert note.version == 3


def test_signing_a_version_that_is_no_longer_current_is_refused():
    visit = make_visit()
    user = visit.practitioner.user
    save_draft(visit.note.pk, user, 1, DraftContent(complaints="Changed after you looked"))

    with pytest.raises(StaleDraft):
        sign_note(visit.note.pk, user, 1)

    assert not Note.objects.get(pk=visit.note.pk).is_signed
