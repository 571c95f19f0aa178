from django.contrib import admin

from .models import Appointment, AppointmentType, Location, Practitioner, WeeklyHours


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "credentials", "active")
    inlines = [WeeklyHoursInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "buffer_minutes", "active")


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("start", "practitioner", "patient", "appointment_type", "status")
    list_filter = ("status", "practitioner")
    date_hierarchy = "start"
    raw_id_fields = ("patient",)
