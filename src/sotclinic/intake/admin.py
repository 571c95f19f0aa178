from django.contrib import admin

from .models import FollowUpSchedule, QuestionnaireSettings


@admin.register(FollowUpSchedule)
class FollowUpScheduleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "enabled")

    def has_add_permission(self, request):
        return not FollowUpSchedule.objects.exists()


@admin.register(QuestionnaireSettings)
class QuestionnaireSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "nprs_recall_period")

    def has_add_permission(self, request):
        return not QuestionnaireSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
