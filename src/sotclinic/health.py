"""`GET /healthz`: is the app up and can it reach its database."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is a reason to report, not to crash
        reason = f"{type(exc).__name__}: {exc}".strip()
        return JsonResponse({"status": "error", "database": reason[:300]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
