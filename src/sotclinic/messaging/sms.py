"""Text-message (SMS) backends, chosen by the SMS_BACKEND setting like Django's EMAIL_BACKEND.

A backend has one method, ``send(to, body, sender_name)``: it hands one text to the provider
and returns the provider's id for it, or raises on any failure (the outbox records the error
and tries again later). Numbers arrive in E.164 form (+4930123456).
"""

import datetime as dt
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class FileBackend:
    """Development and tests: each text becomes a JSON file under SMS_FILE_PATH (var/sms/)."""

    def send(self, to: str, body: str, sender_name: str = "") -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
        text = {"to": to, "from": sender_name, "body": body}
        (folder / f"{name}.json").write_text(json.dumps(text, ensure_ascii=False, indent=2))
        return name


# What LocmemBackend sent in this process, oldest first (like django.core.mail.outbox).
outbox: list[dict] = []


class LocmemBackend:
    """Tests: keep each text in ``sotclinic.messaging.sms.outbox``."""

    def send(self, to: str, body: str, sender_name: str = "") -> str:
        outbox.append({"to": to, "from": sender_name, "body": body})
        return f"locmem-{len(outbox)}"


class TwilioBackend:
    """Twilio's Programmable Messaging through its official SDK (the ``twilio`` package).

    Sends from TWILIO_MESSAGING_SERVICE_SID when set, else from TWILIO_FROM_NUMBER. The sender
    name is not used: a text's sender is the number or service that Twilio shows.
    """

    def __init__(self) -> None:
        from twilio.rest import Client

        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ImproperlyConfigured(
                "SMS through Twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."
            )
        if not (settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER):
            raise ImproperlyConfigured(
                "SMS through Twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER."
            )
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def send(self, to: str, body: str, sender_name: str = "") -> str:
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        return self.client.messages.create(to=to, body=body, **sender).sid


def get_backend():
    """A new instance of the backend that SMS_BACKEND names."""
    return import_string(settings.SMS_BACKEND)()
