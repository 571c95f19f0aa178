from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from sotclinic.audit.admin import PatientAccessAdmin

from .errors import ChangeNotAllowed, SlotTaken
from .history import appointment_history
from .models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicSettings,
    FaqEntry,
    Location,
    Practitioner,
    WeeklyBreak,
    WeeklyHours,
)
from .services import refuse_overlap, refuse_staff_cancel, save_from_back_office


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


class WeeklyBreakInline(admin.TabularInline):
    model = WeeklyBreak
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = (
        "display_name",
        "credentials",
        "certification_body",
        "certification_level",
        "active",
    )
    exclude = ("calendar_feed_token",)
    inlines = [WeeklyHoursInline, WeeklyBreakInline]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ("kind", "first_day", "last_day", "start_time", "end_time", "practitioner")
    list_filter = ("kind", "practitioner", "location")
    date_hierarchy = "first_day"


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "duration_minutes",
        "other_lengths",
        "buffer_minutes",
        "bookable_online",
        "new_patients_may_book_online",
        "active",
    )
    filter_horizontal = ("practitioners",)


class AppointmentAdminForm(forms.ModelForm):
    """Refuses an overlap with a message, as the staff calendar does; the database refuses it
    too (constraint or triggers) if two saves race."""

    class Meta:
        model = Appointment
        fields = [
            "practitioner",
            "patient",
            "location",
            "appointment_type",
            "start",
            "end",
            "status",
            "cancellation_reason",
            "cancellation_note",
        ]

    def clean(self):
        data = super().clean()
        cancelled = Appointment.Status.CANCELLED
        if data.get("status") == cancelled and self.instance.status != cancelled:
            # Saved through services.cancel_appointment, which records when and whether late.
            if self.instance.pk is not None:
                try:
                    refuse_staff_cancel(self.instance)
                except ChangeNotAllowed as error:
                    raise forms.ValidationError(error.message) from error
            if not data.get("cancellation_reason"):
                self.add_error("cancellation_reason", _("Choose why it is cancelled."))
        practitioner, kind = data.get("practitioner"), data.get("appointment_type")
        start, end = data.get("start"), data.get("end")
        if practitioner and kind and start and end and data.get("status") != "cancelled":
            until = Appointment.busy_until(end, kind)
            try:
                refuse_overlap(practitioner, start, until, exclude_pk=self.instance.pk)
            except SlotTaken as error:
                raise forms.ValidationError(error.message) from error
        return data


@admin.register(Appointment)
class AppointmentAdmin(PatientAccessAdmin):
    form = AppointmentAdminForm
    list_display = ("start", "practitioner", "patient", "appointment_type", "status")
    list_filter = ("status", "practitioner")
    date_hierarchy = "start"
    raw_id_fields = ("patient",)
    readonly_fields = (
        "blocked_until",
        "reminder_sent_at",
        "cancelled_at",
        "cancelled_late",
        "series",
        "booked_online",
        "history",
    )

    @admin.display(description="History")
    def history(self, obj) -> str:
        """The appointment's history as the staff page shows it (read-only)."""
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} · {} ({}) · {}{}</li>",
                (
                    (
                        entry.when,
                        entry.actor,
                        entry.channel,
                        entry.action,
                        "".join(
                            f"; {c.label}: {c.old + ' → ' if c.old else ''}{c.new}"
                            for c in entry.changes
                        ),
                    )
                    for entry in appointment_history(obj)
                ),
            ),
        )

    def save_object(self, request, obj, form, change) -> None:
        # Through the service, so the change lands in the appointment's history.
        save_from_back_office(obj, by=request.user)


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slot_step_minutes", "min_notice_minutes", "horizon_days")


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "position")
