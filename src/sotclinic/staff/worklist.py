"""The worklist: what is left undone across the apps, each row with a link to the fix.

Completed appointments with no visit record, notes not signed (of any age), tomorrow's new
patients whose intake is not done, and messages the outbox gave up on. Practitioners see
their own appointments, notes and new patients; front desk sees the scheduling, intake and
message rows of everyone, and no notes (they belong to the clinical record).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_aggregate_access
from sotclinic.charting.selectors import completed_without_visit, draft_notes
from sotclinic.intake.selectors import new_patients_without_intake
from sotclinic.messaging.selectors import failed_messages


@staff_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries, however many rows each list holds."""
    user = request.user
    practitioner = getattr(user, "practitioner", None) if user.is_practitioner else None
    mine = practitioner.pk if practitioner is not None else None
    no_visit = completed_without_visit(mine)
    no_intake = new_patients_without_intake(practitioner_id=mine)
    for appointment in (*no_visit, *no_intake):  # shown in the location's own time
        appointment.local_start = appointment.start.astimezone(appointment.location.tz)
    context = {
        "no_visit": no_visit,
        "drafts": draft_notes(mine) if user.is_practitioner else None,
        "no_intake": no_intake,
        "failed": failed_messages(),
        "mine": mine is not None,
    }
    # The page names patients: one row for the view, not one per patient listed.
    log_aggregate_access(
        request, Action.VIEW_WORKLIST, f"worklist: {'own' if mine else 'all'} items"
    )
    return render(request, "staff/worklist.html", context)
