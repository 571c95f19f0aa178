from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("import/", views.upload, name="upload"),
    path("import/<int:upload_id>/", views.upload_page, name="upload_page"),
]
