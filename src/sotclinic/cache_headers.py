"""No page of the app is kept by a browser's cache or a proxy unless its view says otherwise.

Charts, visit notes, intake answers and the access log are shown to signed-in staff and to
patients through signed links; a stored copy would outlive the log-out on a shared computer.
A view that may be cached (a calendar feed) sets its own ``Cache-Control``. Static files are
answered by WhiteNoise before this middleware and keep their long cache lifetimes.
"""

from django.utils.cache import add_never_cache_headers


class NeverStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
