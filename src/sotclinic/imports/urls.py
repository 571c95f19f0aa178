from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("import/", views.upload, name="upload"),
    path("import/review/", views.review, name="review"),
]
