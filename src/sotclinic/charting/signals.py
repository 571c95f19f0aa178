"""What charting tells apps above it, which it must not import (billing reacts to a signed note).

``note_signed`` is sent inside the signing transaction, after the note is signed, with
``note`` and ``user``: a receiver's writes commit or roll back with the signature."""

from django.dispatch import Signal

note_signed = Signal()
