"""URLs of one pattern for many ids at the cost of one ``reverse``.

A day list links every appointment to its patient, chart and visit; reversing each link is
most of what such a page costs. ``id_url`` reverses the pattern once with a marker id and
returns a function that puts each id in the marker's place (the patterns take ``<int:…>``).
"""

from collections.abc import Callable

from django.urls import reverse

_MARKER = 987654321


def id_url_parts(name: str) -> tuple[str, str]:
    """What comes before and after the id: ``head + str(7) + tail`` is the URL for 7."""
    head, tail = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return head, tail


def id_url(name: str) -> Callable[[int], str]:
    """``id_url("patients:detail")(7) == reverse("patients:detail", args=[7])``."""
    head, tail = id_url_parts(name)
    return lambda pk: f"{head}{int(pk)}{tail}"
