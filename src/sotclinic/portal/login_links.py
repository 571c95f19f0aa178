"""Passwordless log-in for patients: a one-time link e-mailed through the outbox.

Rules (decided here, in one place):
- Asking for a link always gets the same answer, whether or not the address is known, so the
  page cannot tell anyone who is a patient.
- The address is matched without regard to case against patients' e-mail. One matching
  patient gets a link; when several patients share the address (a family), each of them that
  already has a log-in gets a link of their own, and those without one get none (the clinic
  has to tell them apart first). A patient whose log-in is a staff account or is switched off
  gets no link.
- A link is good once, for ``LOGIN_LINK_MINUTES``; only the SHA-256 of its token is stored.
- A patient without a log-in gets one (role patient, no usable password) the first time
  their link is used.
- Requests are limited per e-mail address and per client address (``LOGIN_LINK_*`` settings).
- Links used or expired more than ``LOGIN_LINK_KEEP_DAYS`` ago are deleted by the worker
  (``delete_old_login_links``); a link is of no use once used or expired, and the table should
  not keep a record of every log-in for ever.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sotclinic.accounts.models import Role
from sotclinic.accounts.throttle import count_attempt
from sotclinic.errors import DomainError
from sotclinic.messaging import services as outbox
from sotclinic.patients.models import Patient, email_key
from sotclinic.scheduling.clinic_locales import written_for
from sotclinic.scheduling.models import Location

from .models import LoginLink

KIND = "login_link"


class LoginLinkRefused(DomainError):
    """The link is unknown, used, expired, or cannot log this patient in."""

    status_code = 400
    message = gettext_lazy(
        "This log-in link is no longer valid: it was used already or is too old. "
        "Ask for a new one below."
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _counted(key: str, limit: int) -> bool:
    """Count one request under ``key``; False once more than ``limit`` came in the window."""
    return count_attempt(key, settings.LOGIN_LINK_WINDOW_SECONDS) <= limit


def allow_link_request(email: str, address: str | None) -> bool:
    """Count one request for a link to ``email`` from ``address``; False when either has
    asked too often in the window."""
    by_address = _counted(
        f"login-link-address:{address or 'unknown'}", settings.LOGIN_LINK_ADDRESS_LIMIT
    )
    by_email = _counted(f"login-link-email:{email_key(email)}", settings.LOGIN_LINK_EMAIL_LIMIT)
    return by_address and by_email


def _may_log_in(patient: Patient) -> bool:
    user = patient.user
    return user is None or (user.is_active and user.role == Role.PATIENT)


def patients_to_send_to(email: str) -> list[Patient]:
    """The patients who get a link for ``email`` (see the rules above)."""
    found = list(
        Patient.objects.with_address_key(email_key(email)).select_related("user").order_by("pk")
    )
    if len(found) > 1:
        found = [p for p in found if p.user is not None]
    return [p for p in found if _may_log_in(p)]


def _queue_link(patient: Patient, base_url: str, now: dt.datetime) -> LoginLink:
    token = secrets.token_urlsafe(32)
    link = LoginLink.objects.create(
        patient=patient,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.LOGIN_LINK_MINUTES),
    )
    location = Location.objects.order_by("pk").first()
    clinic = location.name if location is not None else ""
    url = base_url.rstrip("/") + reverse("portal:login_link", args=[token])
    with written_for(patient):
        subject = _("Your log-in link for %(clinic)s") % {"clinic": clinic or "sotclinic"}
        context = {
            "patient": patient,
            "url": url,
            "minutes": settings.LOGIN_LINK_MINUTES,
            "clinic_name": clinic,
        }
        body = render_to_string("portal/email/login_link.txt", context).strip() + "\n"
        html = render_to_string(
            "scheduling/email/layout.html",
            {"text": body, "subject": subject, "clinic_name": clinic},
        )
    outbox.queue_email(
        to=patient.email,
        subject=subject,
        body=body,
        html=html,
        kind=KIND,
        patient=patient,
        sender_name=clinic,
    )
    return link


@transaction.atomic
def request_login_link(email: str, *, base_url: str, now: dt.datetime | None = None) -> int:
    """Queue a one-time link for each patient the address belongs to (see the rules above),
    in one transaction; the number of links queued, which the caller must not show."""
    now = now or timezone.now()
    patients = patients_to_send_to(email)
    for patient in patients:
        _queue_link(patient, base_url, now)
    return len(patients)


def link_for_token(token: str, now: dt.datetime | None = None) -> LoginLink:
    """The unused, unexpired link behind ``token``; LoginLinkRefused otherwise."""
    now = now or timezone.now()
    link = (
        LoginLink.objects.select_related("patient__user")
        .filter(token_hash=_hash(token), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None or not _may_log_in(link.patient):
        raise LoginLinkRefused()
    return link


def _new_patient_user(patient: Patient):
    user_model = get_user_model()
    username = f"patient-{patient.pk}"
    while user_model.objects.filter(username=username).exists():
        username = f"patient-{patient.pk}-{secrets.token_hex(3)}"
    user = user_model(
        username=username,
        first_name=patient.first_name[:150],
        last_name=patient.last_name[:150],
        email=patient.email,
        role=Role.PATIENT,
    )
    user.set_unusable_password()
    user.save()
    patient.user = user
    patient.save(update_fields=["user"])
    return user


@transaction.atomic
def use_login_link(token: str, now: dt.datetime | None = None):
    """Spend the link behind ``token`` and return the patient's user to log in (created on
    first use); LoginLinkRefused when the link is not good, including a second use."""
    now = now or timezone.now()
    # Spent in one conditional write: of two requests with one link, only one gets a row.
    good = LoginLink.objects.filter(
        token_hash=_hash(token), used_at__isnull=True, expires_at__gt=now
    )
    patient_id = good.values_list("patient_id", flat=True).first()
    if patient_id is None or not good.update(used_at=now):
        raise LoginLinkRefused()
    patient = (
        Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient_id)
    )
    if not _may_log_in(patient):
        raise LoginLinkRefused()
    return patient.user or _new_patient_user(patient)


def delete_old_login_links(now: dt.datetime | None = None) -> int:
    """Delete the links used or expired more than ``LOGIN_LINK_KEEP_DAYS`` ago (never a link
    that may still be used); how many went. A periodic task of the worker."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.LOGIN_LINK_KEEP_DAYS)
    deleted, _ = LoginLink.objects.filter(Q(used_at__lt=cutoff) | Q(expires_at__lt=cutoff)).delete()
    return deleted
