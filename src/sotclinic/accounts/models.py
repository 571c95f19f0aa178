from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotclinic.append_only import AppendOnlyError, AppendOnlyModel


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    FRONT_DESK = "front_desk", _("Front desk")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.FRONT_DESK})


class User(AbstractUser):
    """A person who logs in. The role decides which pages and which data they may see."""

    role = models.CharField(
        max_length=20, choices=Role.choices, default=Role.PATIENT, verbose_name=_("role")
    )
    # Whether a confirmed two-factor device exists, read on every staff page with the user row
    # itself instead of a query of its own; kept by ``two_factor.sync_two_factor_flag`` on
    # every save and deletion of a device, whoever makes it.
    has_two_factor = models.BooleanField(default=False, editable=False)

    @property
    def is_clinic_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_practitioner(self) -> bool:
        return self.is_active and self.role == Role.PRACTITIONER

    @property
    def may_import_records(self) -> bool:
        """Who may bring patients, appointments and balances in from another system: the front
        desk, and the clinic's back-office administrators (superusers)."""
        return self.is_active and (self.role == Role.FRONT_DESK or self.is_superuser)

    @property
    def is_patient(self) -> bool:
        return self.is_active and self.role == Role.PATIENT


class AccountEventImmutable(AppendOnlyError):
    """Raised on any attempt to change or delete an account event."""

    message = "The account event log is append-only."


class AccountEvent(AppendOnlyModel):
    """A change to how an account signs in or what its secrets open: two-factor set up or
    turned off, a calendar feed address replaced or revoked. Rows are only ever inserted
    (the database refuses the rest, migration 0002)."""

    class Kind(models.TextChoices):
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Two-factor sign-in set up")
        TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor sign-in turned off")
        CALENDAR_FEED_REPLACED = "calendar_feed_replaced", _("Calendar feed address replaced")
        CALENDAR_FEED_REVOKED = "calendar_feed_revoked", _("Calendar feed revoked")

    occurred_at = models.DateTimeField(default=timezone.now, verbose_name=_("occurred at"))
    # Whose account changed, and who changed it (the same person when they did it themselves).
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="account_events", verbose_name=_("user")
    )
    by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    by_name = models.CharField(_("by (name at the time)"), max_length=150, blank=True)
    kind = models.CharField(max_length=40, choices=Kind.choices, verbose_name=_("kind"))

    Immutable = AccountEventImmutable

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["user", "-occurred_at"], name="account_event_user_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.user} {self.kind}"
