"""URLs of the staff pages that combine several apps.

Each page keeps the name it had when it lived in the app it is about (``home``,
``patients:list``, ``patients:detail``, ``audit:patient_log``): the root URLconf mounts these
lists in those namespaces, so templates and ``reverse()`` calls do not change.
"""

from django.urls import path

from . import views, worklist

home = [
    path("staff/", views.staff_home, name="home"),
    path("staff/worklist/", worklist.worklist, name="worklist"),
]

# Mounted under staff/ in the "patients" namespace, beside patients.urls.
patient_pages = [
    path("patients/", views.patient_list, name="list"),
    path("patients/<int:patient_id>/", views.patient_detail, name="detail"),
]

# Mounted under staff/ in the "audit" namespace.
audit_pages = [
    path("patients/<int:patient_id>/access-log/", views.patient_log, name="patient_log"),
]
