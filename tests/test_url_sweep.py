"""Every URL pattern, as every role, with absurd ids and absurd values: never a 5xx.

The patterns come from walking the root URLconf, so a page added later is swept without
touching this file; a pattern whose path cannot be filled in fails the test instead of being
skipped. The parameter names are the ones the source reads from ``request.GET`` /
``request.POST`` (found by scanning it) plus the input names of each page's own form, so a new
parameter is swept too. The API's own sweep with schemathesis is tests/api/test_api_fuzz.py.

A role that is turned away from a page (redirect to log-in, 403, 404, 405) gets only the bare
requests there: the access check runs before any parameter is read.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from sotclinic.accounts.models import Role
from sotclinic.intake.services import intake_token
from sotclinic.scheduling.links import manage_token
from tests.factories import (
    make_appointment,
    make_appointment_type,
    make_intake,
    make_location,
    make_open_practitioner,
    make_patient,
    make_user,
    make_visit,
)

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parent.parent / "src" / "sotclinic"
HUGE = "99999999999999999999"
NO_SUCH_UUID = "00000000-0000-4000-8000-000000000000"
BAD_VALUES = {
    "huge": HUGE,
    "far-future-date": "9999-12-31",
    "impossible-date": "2026-02-30",
    "impossible-datetime": "2026-13-45T10:00:00+00:00",
    "nul": "a\x00b",
    "long": "9" * 4000,
}
# Bodies are where the writes are; these classes reach them (a malformed date in a form field
# is the field's own error on the page).
BAD_POST_VALUES = ("huge", "nul", "long")
# What the admin's change lists read from the query string, beyond the source's own names.
ADMIN_PARAMS = ("p", "o", "q", "e", "first_day__year", "first_day__month", "start__gte")
# The back office is Django's own admin (superusers only); its pages read few parameters, so
# it gets the classes that reach the database, to keep the sweep's run time modest.
ADMIN_VALUES = ("huge", "long")
ADMIN_POST_VALUES = ("huge",)
# Faults inside Django's admin and django-otp's admin views, reachable by a superuser only;
# each is listed so that the sweep stays strict for everything else and a new fault fails.
KNOWN_FRAMEWORK_FAULTS = [
    # Django's ModelMultipleChoiceField on SQLite: an id beyond 64 bits in a many-to-many
    # select raises OverflowError while the form is cleaned.
    ("POST", r"^/admin/.*/(add|change)/$", "OverflowError"),
    # Django's admin date hierarchy: a year beyond 9999 in the change list's filter.
    ("GET", r"^/admin/scheduling/availabilityexception/$", "OverflowError"),
    # Django's admin add form rendering initial values taken from the query string.
    ("GET", r"^/admin/scheduling/appointment/add/$", "AttributeError"),
    # django-otp's admin: the QR code and config pages get() a device without a 404.
    ("GET", r"^/admin/otp_totp/totpdevice/\d+/(config|qrcode)/$", "DoesNotExist"),
]
ROLES = ("anonymous", "patient", "front_desk", "practitioner", "superuser")
TURNED_AWAY = {301, 302, 403, 404, 405}


def _read_parameter_names() -> list[str]:
    """Names the source reads from a query string or form post."""
    patterns = [
        r"request\.(?:GET|POST)(?:\.get|\.getlist)?\(\s*[f]?\"([A-Za-z_][\w-]*)\"",
        r"request\.(?:GET|POST)\[\s*\"([A-Za-z_][\w-]*)\"\s*\]",
        r"_param\(\s*request\.(?:GET|POST)\s*,\s*\"([A-Za-z_][\w-]*)\"",
        r"def \w+_param\([^)]*\bname: str = \"(\w+)\"",  # a reader's default name
    ]
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            names.update(re.findall(pattern, text))
    return sorted(names)


PARAMETER_NAMES = _read_parameter_names()


# --- URL patterns ----------------------------------------------------------------------------


def _walk(patterns, prefix=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, (*prefix, entry.pattern))
        else:
            yield (*prefix, entry.pattern), entry


ROUTE_PART = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _fill_route(route: str, value_for) -> str:
    return ROUTE_PART.sub(lambda m: value_for(m["name"], m["converter"] or "str"), route)


def _fill_regex(regex: str, value_for) -> str:
    def group(match):
        body = match["body"]
        if re.fullmatch(r"[\w|]+", body):  # an alternation of literal words: the first one
            return body.split("|")[0]
        return value_for(match["name"], "int" if body in (r"\d+", "[0-9]+") else "str")

    return REGEX_GROUP.sub(group, regex).lstrip("^").rstrip("$")


def _path(parts, value_for) -> str:
    out = []
    for part in parts:
        if isinstance(part, RoutePattern):
            out.append(_fill_route(str(part._route), value_for))
        elif isinstance(part, RegexPattern):
            out.append(_fill_regex(part._regex, value_for))
        else:  # pragma: no cover - a new kind of pattern must be taught to the sweep
            raise AssertionError(f"Cannot fill a {type(part).__name__}: {part}")
    return "/" + "".join(out)


ALL_PATTERNS = list(_walk(get_resolver().url_patterns))


# --- The clinic the sweep runs against -------------------------------------------------------


@pytest.fixture
def clinic():
    location = make_location()
    doctor = make_open_practitioner(location)
    kind = make_appointment_type([doctor])
    patient_user = make_user(Role.PATIENT)
    patient = make_patient(user=patient_user)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    appointment = make_appointment(doctor, tomorrow, patient=patient, kind=kind, location=location)
    visit = make_visit(doctor, patient=patient)
    intake = make_intake(patient)
    users = {
        "patient": patient_user,
        "front_desk": make_user(Role.FRONT_DESK),
        "practitioner": doctor.user,
        "superuser": make_user(Role.PRACTITIONER, is_staff=True, is_superuser=True),
    }
    ids = {
        "patient_id": patient.pk,
        "visit_id": visit.pk,
        "appointment_id": appointment.pk,
        "pk": appointment.pk,
        "content_type_id": 1,
        "object_id": patient.pk,
        "id": users["superuser"].pk,
    }
    tokens = {
        "portal": manage_token(appointment),
        "intake": intake_token(intake),
        "calendar": doctor.new_calendar_feed_token(),
    }
    doctor.save(update_fields=["calendar_feed_token"])
    # Parameters that choose what a page shows; with these valid the page goes on to read
    # the others (the booking page reads its dates only once a type is chosen).
    choices = {
        "type": kind.pk,
        "practitioner": doctor.pk,
        "patient": patient.pk,
        "location": location.pk,
    }
    return users, ids, tokens, choices


def _admin_object_id(url_name: str | None) -> int | None:
    """The first row of the model an admin URL is for (by its URL name)."""
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if url_name and url_name.startswith(prefix):
            first = model.objects.order_by("pk").first()
            return first.pk if first else None
    return None


def _urls(parts, entry, ids, tokens) -> dict[str, str]:
    """The pattern filled with existing ids (and working tokens), and with absurd ones."""
    admin_id = _admin_object_id(entry.name)

    def existing(name: str, converter: str) -> str:
        if name == "object_id" and admin_id is not None:
            return str(admin_id)
        if name in ids:
            return str(ids[name])
        if name == "token":
            return tokens["portal"]
        if converter == "uuid":
            return NO_SUCH_UUID
        return "1" if converter == "int" else "x"

    def absurd(name: str, converter: str) -> str:
        if converter == "uuid":  # nothing else matches the converter
            return NO_SUCH_UUID
        return HUGE if converter in ("int", "path") or name.endswith("id") else "z" * 300

    urls = {"existing": _path(parts, existing), "absurd": _path(parts, absurd)}
    route = "".join(str(p) for p in parts)
    if "intake/<str:token>" in route:
        urls["intake-token"] = _path(parts, lambda n, c: tokens["intake"] if n == "token" else "x")
    if "calendar/<str:token>" in route:
        urls["feed-token"] = _path(parts, lambda n, c: tokens["calendar"])
    return urls


def _form_names(html: str) -> set[str]:
    return set(re.findall(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", html))


def _logged_in(client: Client, role: str, users) -> Client:
    """The client, signed in again if a post (log-out, password change) signed it out."""
    if role != "anonymous" and "_auth_user_id" not in client.session:
        client.force_login(users[role])
    return client


def _send(client: Client, method: str, url: str, **kwargs) -> tuple[int | str, str]:
    """The status (or the name of the exception a view let out) and the page's text."""
    try:
        response = getattr(client, method)(url, **kwargs)
    except Exception as error:  # the point: any exception a view lets out is a 500
        return type(error).__name__, ""
    text = (
        "" if getattr(response, "streaming", False) else response.content.decode(errors="replace")
    )
    return response.status_code, text


def _crashed(status: int | str) -> bool:
    return not isinstance(status, int) or status >= 500


def _known_framework_fault(method: str, url: str, outcome: int | str) -> bool:
    return any(
        method == m and re.search(pattern, url) and outcome == name
        for m, pattern, name in KNOWN_FRAMEWORK_FAULTS
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_5xx_to_absurd_ids_or_values(clinic, role):
    users, ids, tokens, choices = clinic
    failures = []
    query_names = [*PARAMETER_NAMES, *ADMIN_PARAMS]
    client = Client(raise_request_exception=True)

    def check(method: str, url: str, what: str, **kwargs) -> int | str:
        status, text = _send(_logged_in(client, role, users), method, url, **kwargs)
        if _crashed(status) and not _known_framework_fault(method.upper(), url, status):
            failures.append(f"{method.upper()} {url} {what}: {status}")
        check.text = text
        return status

    seen = set()
    for parts, entry in ALL_PATTERNS:
        for url in _urls(parts, entry, ids, tokens).values():
            if url in seen:
                continue
            seen.add(url)
            in_admin = url.startswith("/admin/")
            status = check("get", url, "")
            if _crashed(status):
                continue
            page = check.text
            if status not in TURNED_AWAY:
                for label in ADMIN_VALUES if in_admin else BAD_VALUES:
                    query = dict.fromkeys(query_names, BAD_VALUES[label])
                    check("get", url, f"?{label}", data=query)
                    if not in_admin:
                        check("get", url, f"?{label}, valid choices", data={**query, **choices})
            status = check("post", url, "(empty)")
            if _crashed(status) or status in TURNED_AWAY:
                continue
            names = {*_form_names(page), *PARAMETER_NAMES}
            for label in ADMIN_POST_VALUES if in_admin else BAD_POST_VALUES:
                check("post", url, label, data=dict.fromkeys(names, BAD_VALUES[label]))

    assert failures == []


def test_the_sweep_fills_in_every_url_pattern(clinic):
    _, ids, tokens, _ = clinic

    unresolved = []
    for parts, entry in ALL_PATTERNS:
        url = _urls(parts, entry, ids, tokens)["existing"]
        match = resolve(url)
        if match.func is not entry.callback and match.url_name != entry.name:
            unresolved.append(f"{url} → {match.url_name}, wanted {entry.name}")

    assert len(ALL_PATTERNS) > 100
    assert unresolved == []
    assert {"date", "from", "day", "start", "page", "q"} <= set(PARAMETER_NAMES)
