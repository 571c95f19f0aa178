"""How the HTML pages answer a `DomainError`: one place, three shapes of page.

- A refusal that escapes a view (a bad signed link, a change the rules do not allow) is
  answered by `RefusalMiddleware`: the error's status and its message on a page of its own
  (the public layout under the portal).
- A form view shows the refusal on its form: `show_on_form` puts the message next to the
  field at fault, or above the form, and returns the status to answer with.
- A button that posts an action from a page (`@refused_back_to`) sends the person back to
  that page with the message shown at the top.

The JSON API maps the same errors in `sotclinic.api.main`.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .errors import DomainError

# The page a refusal is shown on, by URL namespace; anything else gets the staff layout.
REFUSAL_TEMPLATES = {"portal": "portal/refused.html"}


class RefusalMiddleware:
    """Answer a DomainError raised by any view with its status and message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DomainError):
            return None
        return refusal_page(request, exception)


def refusal_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    match = getattr(request, "resolver_match", None)
    template = REFUSAL_TEMPLATES.get(match.namespace if match else "", "refused.html")
    context = {"title": error.title, "message": error.message}
    return render(request, template, context, status=error.status_code)


def show_on_form(form, error: DomainError, field: str | None = None) -> int:
    """Show ``error`` on ``form`` and return the status to answer with.

    The message goes next to the error's own field when the form has it, else next to
    ``field`` (the form's name for what the service calls differently), else above the form.
    """
    target = error.field if error.field in form.fields else field
    form.add_error(target, error.message)
    return error.status_code


def refused_back_to(page: Callable[..., str]):
    """View decorator for an action posted from a page: on a DomainError, go back to
    ``page(request, **view_kwargs)`` with the message shown there."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect(page(request, *args, **kwargs))

        return wrapper

    return decorate
