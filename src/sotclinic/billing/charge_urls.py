from django.urls import path

from . import charge_views, package_views

app_name = "charges"

urlpatterns = [
    path("charges/", charge_views.open_charges, name="open"),
    path("charges/<int:draft_id>/", charge_views.change_charge, name="change"),
    path("visits/<int:visit_id>/charges/", charge_views.visit_charges, name="visit"),
    path("visits/<int:visit_id>/charges/add/", charge_views.add_charge, name="add"),
    path("visits/<int:visit_id>/charges/post/", charge_views.post_visit, name="post_visit"),
    path("patients/<int:patient_id>/packages/", package_views.patient_packages, name="packages"),
    path("patients/<int:patient_id>/packages/sell/", package_views.sell, name="sell"),
    path(
        "memberships/<int:membership_id>/charge/",
        package_views.charge_month,
        name="charge_month",
    ),
]
