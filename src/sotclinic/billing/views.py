"""The patient's account page for front desk and practitioners: balance, entries, invoices;
taking payments, refunds, credit notes and reversals; issuing invoices; receipts, invoices and
statements as PDF or by e-mail. Patients never see these pages (their own invoices come in the
portal). Every view writes an access-log row; every change goes through the ledger services."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotclinic.accounts.access import staff_required
from sotclinic.audit.models import Action
from sotclinic.audit.requests import log_access
from sotclinic.patients.models import Patient
from sotclinic.scheduling.selectors import clinic_today

from . import documents, invoices, ledger
from .errors import BillingError
from .forms import CreditForm, InvoiceForm, PaymentForm, RefundForm, ReverseForm, StatementForm
from .models import EntryKind, LedgerEntry


def _forms(patient: Patient, currency: str, data=None, which: str = "") -> dict:
    """The page's forms, the one named ``which`` bound to ``data``."""

    def bound(name):
        return data if name == which else None

    today = clinic_today()
    return {
        "payment_form": PaymentForm(
            bound("payment"),
            currency=currency,
            invoices=invoices.Invoice.objects.filter(account__patient=patient),
            prefix="payment",
        ),
        "refund_form": RefundForm(bound("refund"), currency=currency, prefix="refund"),
        "credit_form": CreditForm(bound("credit"), currency=currency, prefix="credit"),
        "invoice_form": InvoiceForm(
            bound("invoice"), entries=invoices.uninvoiced_entries(patient), prefix="invoice"
        ),
        "statement_form": StatementForm(
            initial={"start": today.replace(day=1), "end": today}, prefix="statement"
        ),
    }


def _page(request, patient: Patient, *, status: int = 200, form=None):
    """The account page; ``form``, if given, is a posted form shown with its errors in place of
    its blank one (its prefix names which)."""
    account = ledger.account_for(patient)
    forms = _forms(patient, account.currency)
    if form is not None:
        forms[f"{form.prefix}_form"] = form
    entries = list(
        LedgerEntry.objects.filter(account=account)
        .select_related("invoice", "reversed_by", "invoice_line__invoice")
        .order_by("-occurred_on", "-created_at", "-id")
    )
    context = {
        "patient": patient,
        "account": account,
        "entries": entries,
        "invoices": invoices.invoices_with_payments(patient),
        "receipt_kinds": (EntryKind.PAYMENT, EntryKind.REFUND),
        **forms,
    }
    return render(request, "billing/account.html", context, status=status)


def _back(patient: Patient) -> HttpResponse:
    return redirect("billing:account", patient.pk)


@staff_required
@require_GET
def account(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    log_access(request, patient, Action.VIEW_ACCOUNT)
    return _page(request, patient)


def _post(request, patient_id: int, which: str, act):
    """Validate the form named ``which`` and, if valid, run ``act(patient, cleaned_data)``, both
    in one transaction (the form's choices are read under it), then go back to the account;
    otherwise show the page again with the errors."""
    patient = get_object_or_404(Patient, pk=patient_id)
    currency = ledger.account_for(patient).currency
    log_access(request, patient, Action.POST_TO_ACCOUNT, which)
    form = _forms(patient, currency, request.POST, which)[f"{which}_form"]
    try:
        with transaction.atomic():
            if form.is_valid():
                message = act(patient, form.cleaned_data)
                messages.success(request, message)
                return _back(patient)
    # Reached only on PostgreSQL, when another cashier's write commits between this form's
    # check and the service's locked re-check (tests/billing/test_invoice_race.py).
    except BillingError as exc:  # pragma: no cover
        form.add_error(None, exc.message)
    return _page(request, patient, status=400, form=form)


@staff_required
@require_POST
def take_payment(request: HttpRequest, patient_id: int) -> HttpResponse:
    def act(patient, data):
        ledger.record_payment(
            patient,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            invoice=data["invoice"],
            by=request.user,
        )
        return _("Payment recorded.")

    return _post(request, patient_id, "payment", act)


@staff_required
@require_POST
def refund(request: HttpRequest, patient_id: int) -> HttpResponse:
    def act(patient, data):
        ledger.record_refund(
            patient,
            amount=data["amount"],
            method=data["method"],
            reference=data["reference"],
            by=request.user,
        )
        return _("Refund recorded.")

    return _post(request, patient_id, "refund", act)


@staff_required
@require_POST
def credit(request: HttpRequest, patient_id: int) -> HttpResponse:
    def act(patient, data):
        ledger.issue_credit(patient, amount=data["amount"], reason=data["reason"], by=request.user)
        return _("Credit note recorded.")

    return _post(request, patient_id, "credit", act)


@staff_required
@require_POST
def issue_invoice(request: HttpRequest, patient_id: int) -> HttpResponse:
    def act(patient, data):
        invoice = invoices.issue_invoice(patient, data["entries"], by=request.user)
        return _("Invoice %(number)s issued.") % {"number": invoice.number}

    return _post(request, patient_id, "invoice", act)


@staff_required
@require_http_methods(["GET", "POST"])
def reverse_entry(request: HttpRequest, patient_id: int, entry_id: int) -> HttpResponse:
    """Ask why, then post the reversal."""
    patient = get_object_or_404(Patient, pk=patient_id)
    entry = get_object_or_404(LedgerEntry, pk=entry_id, account__patient=patient)
    posted = request.method == "POST"
    action = Action.POST_TO_ACCOUNT if posted else Action.VIEW_ACCOUNT
    log_access(request, patient, action, f"reverse entry {entry.pk}")
    form = ReverseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ledger.reverse_entry(entry, by=request.user, reason=form.cleaned_data["reason"])
            except BillingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Entry reversed."))
                return _back(patient)
    context = {"patient": patient, "entry": entry, "form": form}
    return render(request, "billing/reverse.html", context, status=status)


def _pdf(document: documents.Document) -> HttpResponse:
    response = HttpResponse(document.content, content_type=documents.PDF)
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


def _statement(request, patient: Patient) -> documents.Document | None:
    data = request.GET if request.method == "GET" else request.POST
    if not any(key.startswith("statement-") for key in data):
        data = None  # no dates chosen: this month so far
    if data is None:
        today = clinic_today()
        return documents.statement_pdf(invoices.statement(patient, today.replace(day=1), today))
    form = StatementForm(data, prefix="statement")
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return documents.statement_pdf(invoices.statement(patient, data["start"], data["end"]))


def _document(patient: Patient, kind: str, pk: int) -> documents.Document:
    document = documents.patient_document(patient, kind, pk)
    if document is None:
        raise Http404
    return document


@staff_required
@require_GET
def document_pdf(request: HttpRequest, patient_id: int, kind: str, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    document = _document(patient, kind, pk)
    log_access(request, patient, Action.VIEW_BILLING_DOCUMENT, document.filename)
    return _pdf(document)


@staff_required
@require_http_methods(["GET", "POST"])
def statement_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    document = _statement(request, patient)
    if document is None:
        return HttpResponse(
            _("Choose the statement's first and last day (the last not before the first)."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    log_access(request, patient, Action.VIEW_BILLING_DOCUMENT, document.filename)
    return _pdf(document)


def _email(request, patient: Patient, document: documents.Document | None) -> HttpResponse:
    if document is None:
        messages.error(
            request, _("Choose the statement's first and last day (the last not before the first).")
        )
        return _back(patient)
    try:
        with transaction.atomic():
            documents.email_document(
                patient, document, kind=f"billing.{document.filename.split('-')[0]}"
            )
    except BillingError as exc:
        messages.error(request, exc.message)
    else:
        log_access(request, patient, Action.EMAIL_BILLING_DOCUMENT, document.filename)
        messages.success(
            request,
            _("%(document)s is on its way to %(email)s.")
            % {"document": document.title, "email": patient.email},
        )
    return _back(patient)


@staff_required
@require_POST
def email_document(request: HttpRequest, patient_id: int, kind: str, pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    return _email(request, patient, _document(patient, kind, pk))


@staff_required
@require_POST
def email_statement(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    return _email(request, patient, _statement(request, patient))
