"""URLs of the staff Messages page, mounted under staff/ in the "outbox" namespace."""

from django.urls import path

from . import messages

urlpatterns = [
    path("messages/", messages.message_list, name="list"),
    path("messages/<int:message_id>/resend/", messages.message_resend, name="resend"),
]
