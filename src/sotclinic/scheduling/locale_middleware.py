"""The clinic's language, formats and time zone for every request.

Django's LocaleMiddleware picks a language from the language cookie, then the browser's
Accept-Language header, then LANGUAGE_CODE. A clinic wants its own language by default (its
staff and its patients read what the clinic chose, whatever browser they borrowed), so here
the order is: the language a person chose (the cookie Django's ``set_language`` view sets),
then the clinic's setting.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation

from sotclinic import clinic_locale

from .clinic_locales import clock, current_clinic_locale


def chosen_language(request) -> str | None:
    """The language the visitor picked with the language selector, if it is one we ship."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    known = {code for code, _name in settings.LANGUAGES}
    return code if code in known else None


# Machine interfaces answer the same whatever the clinic chose: the JSON API (its clients
# read the English messages and formats it documents), the health check and the metrics.
UNLOCALISED_PATHS = ("/api/", "/healthz", "/metrics")


class ClinicLocaleMiddleware(LocaleMiddleware):
    def __call__(self, request):
        if request.path.startswith(UNLOCALISED_PATHS):
            with translation.override(settings.LANGUAGE_CODE):
                return self.get_response(request)
        locale = current_clinic_locale()
        token = clinic_locale.activate(locale)
        before = translation.get_language()
        try:
            # Pages show times on the clinic's clock (the date filters write the current
            # time zone's), not the server's.
            with timezone.override(clock(locale)):
                return super().__call__(request)
        finally:
            # The thread goes on to other requests (and, in tests, to other code): leave it
            # with the language it had.
            translation.activate(before)
            clinic_locale.deactivate(token)

    def process_request(self, request):
        language = chosen_language(request) or clinic_locale.current().language
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
