"""The rows of the staff patient list, written in Python so the template only places them.

A page holds 25 patients of five cells each; through the template engine their lookups,
filters, ``{% url %}`` and ``{% timezone %}`` blocks were most of the search page's time. Here
each link pattern is reversed once (``id_url``), each date format and word looked up once per
page, and every value from the database passes through ``escape``.
"""

from html import escape
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from sotclinic.clinic_formats import date_formatter, format_string
from sotclinic.id_urls import id_url
from sotclinic.patients.phones import display_phone, is_checked

# What the rows read of each patient: the list loads these columns as named rows, no model.
FIELDS = ("id", "first_name", "last_name", "date_of_birth", "email", "phone")


def patient_rows(patients, upcoming: dict[int, tuple]) -> SafeString:
    """The ``<tr>`` of each patient (rows of ``FIELDS``; ``upcoming`` their next appointments,
    ``scheduling.selectors.next_appointments``): name linked to the patient's page, date of
    birth, phone (marked when kept as typed), e-mail and the next appointment in its
    location's time."""
    detail = id_url("patients:detail")
    born_date = date_formatter(format_string("short"))
    next_date = date_formatter(format_string("weekday", with_time=True))
    not_checked, none_booked = gettext("(not checked)"), gettext("none booked")
    not_checked = f' <small class="caution">{escape(not_checked)}</small>'
    none_booked = f'<span class="empty">{escape(none_booked)}</span>'
    html = []
    for patient in patients:
        born = born_date(patient.date_of_birth)
        if patient.phone:
            phone = (
                f'<a href="tel:{escape(patient.phone.replace(" ", ""))}">'
                f"{escape(display_phone(patient.phone))}</a>"
                + ("" if is_checked(patient.phone) else not_checked)
            )
        else:
            phone = '<span class="empty">—</span>'
        if patient.id in upcoming:
            start, time_zone = upcoming[patient.id]
            local = start.astimezone(ZoneInfo(time_zone))
            booked = f'<time datetime="{local.isoformat()}">{escape(next_date(local))}</time>'
        else:
            booked = none_booked
        html.append(
            f'<tr>\n        <th scope="row" data-label="Name"><a href="{detail(patient.id)}">'
            f"{escape(patient.last_name)}, {escape(patient.first_name)}</a></th>\n"
            f'        <td data-label="Born">{escape(born)}</td>\n'
            f'        <td data-label="Phone">{phone}</td>\n'
            f'        <td data-label="E-mail" class="email">{escape(patient.email or "—")}</td>\n'
            f'        <td data-label="Next">{booked}</td>\n      </tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 (every value above is escaped)
