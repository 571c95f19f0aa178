"""Charges to review: suggested from a signed visit or added by hand, edited while open, then
posted to the ledger (through ``ledger.post_entry``) or discarded. A posted charge never
changes; a correction is ``ledger.reverse_entry``.

Active care (modifier AT): a patient is in active care when a check registered with
``add_active_care_check`` says so (care plans register one). Without any, no one is, and a
clinic that bills AT on every manipulation puts AT in the service's default modifiers.
"""

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotclinic.charting.diagnosis_codes import stored_codes
from sotclinic.charting.models import Note, Visit
from sotclinic.patients.models import Patient
from sotclinic.scheduling.models import ClinicSettings, Location

from . import charge_rules, ledger
from .errors import BillingError
from .fees import NoFee, fee_for
from .models import (
    ChargeDraft,
    CodeSystem,
    EntryKind,
    LedgerEntry,
    Service,
    TaxTreatment,
)
from .models.fees import validate_modifiers
from .models.ledger import MAX_DIAGNOSIS_POINTERS
from .packages import redeem_package

ActiveCareCheck = Callable[[Patient, dt.date], bool]
_active_care_checks: list[ActiveCareCheck] = []


def add_active_care_check(check: ActiveCareCheck) -> None:
    """Have ``check(patient, day)`` decide, with any others, whether a patient is in active care
    on a day (from an app's ``ready()``)."""
    if check not in _active_care_checks:
        _active_care_checks.append(check)


def in_active_care(patient: Patient, day: dt.date) -> bool:
    return any(check(patient, day) for check in _active_care_checks)


def us_billing_codes() -> bool:
    """Whether the clinic bills with US codes (CPT/HCPCS): its locale setting, which defaults
    by the clinic's country."""
    return ClinicSettings.load().us_billing_codes


def visit_location(visit: Visit) -> Location | None:
    return visit.appointment.location if visit.appointment_id else None


def visit_day(visit: Visit) -> dt.date:
    """The date of service: the visit's start in its location's time zone."""
    location = visit_location(visit)
    return timezone.localdate(visit.started_at, location.tz if location else None)


def tax_of(amount: int, service: Service | None) -> int:
    """The tax included in a price (fees are prices as the patient pays them)."""
    if service is None or service.tax_treatment != TaxTreatment.TAXABLE or not service.tax_rate:
        return 0
    rate = Decimal(service.tax_rate)
    tax = Decimal(amount) * rate / (Decimal(100) + rate)
    return int(tax.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _ref(service: Service) -> charge_rules.ServiceRef:
    return charge_rules.ServiceRef(
        id=service.pk,
        code=service.code,
        code_system=service.code_system,
        default_modifiers=tuple(service.default_modifiers),
    )


def services_by_suggestion(us_codes: bool) -> dict[str, charge_rules.ServiceRef]:
    """The clinic's service for each ``SuggestFor``: the one set on a service, else (US clinics)
    the active CPT service with the standard code. A clinic outside the US is never suggested
    US codes, even when it has loaded them."""
    services = Service.objects.filter(active=True).exclude(suggest_for="").order_by("id")
    if not us_codes:
        services = services.exclude(code_system__in=[CodeSystem.CPT, CodeSystem.HCPCS])
    found: dict[str, charge_rules.ServiceRef] = {}
    for service in services:
        found.setdefault(service.suggest_for, _ref(service))
    if us_codes:
        for suggest_for, code in charge_rules.US_CODES.items():
            if suggest_for not in found:
                cpt = Service.objects.filter(code_system=CodeSystem.CPT, code=code, active=True)
                if service := cpt.first():
                    found[suggest_for] = _ref(service)
    return found


def same_day_codes(patient: Patient, day: dt.date, exclude_visit: Visit | None = None) -> set[str]:
    """Codes billed or waiting to be billed for the patient on ``day``."""
    # A day before and after in UTC covers every time zone; the local date decides below.
    drafts = ChargeDraft.objects.filter(
        visit__patient=patient,
        visit__started_at__date__range=(day - dt.timedelta(days=1), day + dt.timedelta(days=1)),
    ).exclude(status=ChargeDraft.Status.DISCARDED)
    if exclude_visit is not None:
        drafts = drafts.exclude(visit=exclude_visit)
    codes = {
        draft.code
        for draft in drafts.select_related("visit__appointment__location")
        if visit_day(draft.visit) == day
    }
    charges = LedgerEntry.objects.filter(
        account__patient=patient, kind=EntryKind.CHARGE, occurred_on=day, reversed_by__isnull=True
    )
    return codes | set(charges.values_list("code", flat=True))


def _priced(service_id: int | None, location, currency: str) -> tuple[Service | None, int, str]:
    """The service, its fee and a note to add to the reason when it has none."""
    if service_id is None:
        return None, 0, _(" · no service set up for this code: enter the amount")
    service = Service.objects.get(pk=service_id)
    try:
        return service, fee_for(service, location=location, currency=currency).amount, ""
    except NoFee:
        return service, 0, _(" · no price in the fee schedule: enter the amount")


@transaction.atomic
def suggest_charges(visit: Visit) -> list[ChargeDraft]:
    """Create the charges a signed visit suggests, once (a second call adds nothing)."""
    visit = Visit.objects.select_related("note__procedures", "appointment__location").get(
        pk=visit.pk
    )
    if not visit.note.is_signed or visit.charge_drafts.exclude(reason="").exists():
        return []
    us_codes = us_billing_codes()
    day = visit_day(visit)
    location = visit_location(visit)
    currency = ledger.clinic_currency()
    procedures = getattr(visit.note, "procedures", None)
    lines = charge_rules.suggest_lines(
        regions=procedures.adjustment_regions if procedures else [],
        diagnosis_codes=visit_diagnoses(visit),
        us_codes=us_codes,
        active_care=in_active_care(visit.patient, day),
        services=services_by_suggestion(us_codes),
        same_day_codes=same_day_codes(visit.patient, day, exclude_visit=visit),
    )
    drafts = []
    for line in lines:
        service, amount, missing = _priced(
            line.service.id if line.service else None, location, currency
        )
        drafts.append(
            ChargeDraft.objects.create(
                visit=visit,
                service=service,
                code=line.code,
                code_system=line.code_system,
                description=service.name if service else "",
                modifiers=line.modifiers,
                units=service.default_units if service else 1,
                diagnosis_pointers=line.diagnosis_pointers,
                amount=amount,
                tax_amount=tax_of(amount, service),
                currency=currency,
                reason=(line.reason + missing)[:300],
            )
        )
    return drafts


def suggest_charges_for_signed_note(sender, note: Note, **kwargs) -> None:
    """Receiver of ``charting.signals.note_signed``."""
    suggest_charges(note.visit)


@transaction.atomic
def add_charge(visit: Visit, service: Service, *, by, amount: int | None = None) -> ChargeDraft:
    """Add a line by hand: the service at its fee (or ``amount``), pointing to the visit's
    diagnoses, with the modifiers the same-day rule adds (25 on an E/M beside a manipulation)."""
    visit = Visit.objects.select_related("note", "appointment__location").get(pk=visit.pk)
    currency = ledger.clinic_currency()
    if amount is None:
        amount = fee_for(service, location=visit_location(visit), currency=currency).amount
    _check_amount(amount)
    day = visit_day(visit)
    modifiers = list(service.default_modifiers)
    for modifier in charge_rules.same_day_modifiers(
        service.code,
        us_codes=us_billing_codes(),
        active_care=in_active_care(visit.patient, day),
        same_day=same_day_codes(visit.patient, day),
    ):
        if modifier not in modifiers:
            modifiers.append(modifier)
    return ChargeDraft.objects.create(
        visit=visit,
        service=service,
        code=service.code,
        code_system=service.code_system,
        description=service.name,
        modifiers=modifiers[: charge_rules.MAX_MODIFIERS],
        units=service.default_units,
        diagnosis_pointers=charge_rules.diagnosis_pointers(visit_diagnoses(visit)),
        amount=amount,
        tax_amount=tax_of(amount, service),
        currency=currency,
    )


def visit_diagnoses(visit: Visit) -> list[str]:
    """The codes of the visit note's diagnoses, in the note's order (what pointers count)."""
    note = getattr(visit, "note", None)
    return stored_codes(note.diagnosis_codes) if note else []


def _check_amount(amount) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise BillingError(_("Enter an amount of zero or more."))


def _open_draft(draft_id: int) -> ChargeDraft:
    """The draft, locked; refused unless it is still open."""
    draft = (
        ChargeDraft.objects.select_for_update(of=("self",))
        .select_related("visit__note", "visit__appointment__location", "service")
        .get(pk=draft_id)
    )
    if draft.status != ChargeDraft.Status.OPEN:
        raise BillingError(
            _("This charge is already %(status)s and cannot change.")
            % {"status": draft.get_status_display().lower()}
        )
    return draft


def check_pointers(pointers, diagnosis_codes: list[str]) -> list[int]:
    """Pointers are distinct positions 1..n in the visit's diagnosis codes, at most four."""
    if not isinstance(pointers, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in pointers
    ):
        raise BillingError(_("Diagnosis pointers are numbers such as 1, 2."))
    if len(pointers) > MAX_DIAGNOSIS_POINTERS:
        raise BillingError(_("A line points to at most four diagnoses."))
    if len(set(pointers)) != len(pointers):
        raise BillingError(_("Each diagnosis pointer once."))
    for pointer in pointers:
        if not 1 <= pointer <= len(diagnosis_codes):
            raise BillingError(
                _("The visit has %(count)s diagnosis code(s); pointer %(pointer)s points to none.")
                % {"count": len(diagnosis_codes), "pointer": pointer}
            )
    return pointers


@transaction.atomic
def update_draft(
    draft_id: int,
    *,
    by,
    code: str,
    modifiers: list[str],
    units: int,
    diagnosis_pointers: list[int],
    amount: int,
) -> ChargeDraft:
    """Change an open charge before it is posted."""
    draft = _open_draft(draft_id)
    code = (code or "").strip()
    if not code and not draft.description:
        raise BillingError(_("Enter a billing code."))
    if len(code) > 20:
        raise BillingError(_("A billing code has at most 20 characters."))
    modifiers = [m.strip().upper() for m in modifiers if m.strip()]
    try:
        validate_modifiers(modifiers)
    except Exception as error:  # ValidationError: its messages are for people
        raise BillingError(" ".join(getattr(error, "messages", [str(error)]))) from error
    if not isinstance(units, int) or not 1 <= units <= 99:
        raise BillingError(_("Units are a whole number from 1 to 99."))
    _check_amount(amount)
    draft.code = code
    draft.modifiers = modifiers
    draft.units = units
    draft.diagnosis_pointers = check_pointers(diagnosis_pointers, visit_diagnoses(draft.visit))
    draft.amount = amount
    draft.tax_amount = tax_of(amount, draft.service)
    draft.save()
    return draft


@transaction.atomic
def discard_draft(draft_id: int, *, by) -> ChargeDraft:
    """Drop an open charge; it stays listed as discarded."""
    draft = _open_draft(draft_id)
    draft.status = ChargeDraft.Status.DISCARDED
    draft.decided_at, draft.decided_by = timezone.now(), by
    draft.save()
    return draft


@transaction.atomic
def post_draft(draft_id: int, *, by) -> LedgerEntry:
    """Post an open charge to the patient's ledger; the draft then points to its entry."""
    draft = _open_draft(draft_id)
    visit = draft.visit
    check_pointers(draft.diagnosis_pointers, visit_diagnoses(visit))
    entry = ledger.post_entry(
        visit.patient,
        kind=EntryKind.CHARGE,
        amount=draft.amount,
        by=by,
        occurred_on=visit_day(visit),
        currency=draft.currency,
        description=draft.description,
        practitioner=visit.practitioner,
        location=visit_location(visit),
        visit=visit,
        service=draft.service,
        code=draft.code,
        code_system=draft.code_system,
        modifiers=draft.modifiers,
        units=draft.units,
        diagnosis_pointers=draft.diagnosis_pointers,
        tax_amount=draft.tax_amount,
    )
    draft.status = ChargeDraft.Status.POSTED
    draft.entry = entry
    draft.decided_at, draft.decided_by = timezone.now(), by
    draft.save()
    return entry


@transaction.atomic
def post_visit_charges(visit: Visit, *, by, package=None) -> list[LedgerEntry]:
    """Post every open charge of the visit at once; with ``package``, pay them with it (one
    visit of the package, a credit of the posted amount)."""
    draft_ids = list(
        ChargeDraft.objects.filter(visit=visit, status=ChargeDraft.Status.OPEN).values_list(
            "pk", flat=True
        )
    )
    if not draft_ids:
        raise BillingError(_("This visit has no open charges to post."))
    entries = [post_draft(draft_id, by=by) for draft_id in draft_ids]
    if package is not None:
        redeem_package(package, visit, amount=sum(e.amount for e in entries), by=by)
    return entries
