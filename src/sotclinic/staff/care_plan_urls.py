"""URLs of the care plan pages (namespace ``care_plans``)."""

from django.urls import path

from . import care_plans as views

app_name = "care_plans"

urlpatterns = [
    path("staff/care-plans/behind/", views.behind, name="behind"),
    path("staff/care-plans/templates/", views.template_list, name="templates"),
    path("staff/care-plans/templates/new/", views.template_edit, name="template_new"),
    path(
        "staff/care-plans/templates/<int:template_id>/", views.template_edit, name="template_edit"
    ),
    path("staff/patients/<int:patient_id>/care-plans/new/", views.plan_new, name="new"),
    path("staff/care-plans/<int:plan_id>/", views.plan_detail, name="detail"),
    path("staff/care-plans/<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("staff/care-plans/<int:plan_id>/status/", views.plan_status, name="status"),
    path("staff/care-plans/<int:plan_id>/tablet/", views.start_signing, name="start_signing"),
    path("staff/care-plans/<int:plan_id>/book/", views.plan_book, name="book"),
    path(
        "staff/care-plans/<int:plan_id>/visits/<int:visit_id>/replace/",
        views.replace_visit,
        name="replace_visit",
    ),
    path("staff/care-plans/<int:plan_id>/signed.pdf", views.signed_pdf, name="signed_pdf"),
    path("care-plan/sign/", views.sign, name="sign"),
]
