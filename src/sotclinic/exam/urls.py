from django.urls import path

from . import views

app_name = "exam"

urlpatterns = [
    path("new", views.new_exam, name="new"),
    path("analyze", views.analyze_partial, name="analyze"),
    path("settings", views.protocol_settings, name="settings"),
]
