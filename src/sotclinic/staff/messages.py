"""The staff Messages page: the outbox with each message's state, and resending one that was
given up on. Bodies are not shown: the page is about delivery, not content."""

from django.contrib import messages as notices
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_aggregate_access
from sotclinic.messaging.models import Message
from sotclinic.messaging.selectors import outbox_messages, outbox_state
from sotclinic.messaging.services import resend
from sotclinic.query_params import page_param

PAGE_SIZE = 50


@staff_required
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    """Every queued message with its status, tries, last error and time sent; by status."""
    status = request.GET.get("status", "")
    if status not in Message.Status.values:
        status = ""
    page = Paginator(outbox_messages(status), PAGE_SIZE).get_page(page_param(request.GET))
    # The page names recipients' addresses: one row for the view, with its filter and page.
    log_aggregate_access(
        request, Action.VIEW_OUTBOX, f"messages: status={status or 'all'} page={page.number}"
    )
    context = {
        "page": page,
        "status": status,
        "statuses": Message.Status.choices,
        "state": outbox_state(),
    }
    return render(request, "staff/messages.html", context)


@staff_required
@require_POST
def message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    resend(message_id, by=request.user)
    notices.success(request, _("The message is queued to be sent again."))
    return redirect("outbox:list")
