from django.urls import path

from . import views

app_name = "charting"

urlpatterns = [
    path("patients/<int:patient_id>/chart/", views.chart, name="chart"),
    path("patients/<int:patient_id>/visits/walk-in/", views.start_walk_in, name="walk_in"),
    path(
        "appointments/<int:appointment_id>/visit/",
        views.start_appointment_visit,
        name="start_visit",
    ),
    path(
        "appointments/<int:appointment_id>/visit/from-last/",
        views.start_appointment_visit_from_last,
        name="start_visit_from_last",
    ),
    path("visits/<int:visit_id>/", views.visit_page, name="visit"),
    path("visits/<int:visit_id>/autosave/", views.autosave, name="autosave"),
    path(
        "visits/<int:visit_id>/precautions/",
        views.record_precaution,
        name="record_precaution",
    ),
    path(
        "visits/<int:visit_id>/precautions/<int:precaution_id>/acknowledge/",
        views.acknowledge_precaution,
        name="acknowledge_precaution",
    ),
    path("visits/<int:visit_id>/addenda/", views.add_addendum, name="add_addendum"),
    path("diagnosis-codes/", views.diagnosis_search, name="diagnosis_search"),
    path("unsigned-notes/", views.todo, name="todo"),
]
