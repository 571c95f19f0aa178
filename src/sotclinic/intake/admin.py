from django.contrib import admin

from .models import FollowUpSchedule


@admin.register(FollowUpSchedule)
class FollowUpScheduleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "enabled")

    def has_add_permission(self, request):
        return not FollowUpSchedule.objects.exists()
