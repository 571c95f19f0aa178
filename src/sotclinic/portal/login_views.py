"""The patient's log-in by e-mailed link: ask for a link, then open it and log in."""

from django.contrib.auth import login as auth_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sotclinic.client_address import client_ip

from .booking import render
from .forms import LoginLinkForm
from .login_links import (
    LoginLinkRefused,
    allow_link_request,
    link_for_token,
    request_login_link,
    use_login_link,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for a link. Known or not, every address gets the same page afterwards."""
    form = LoginLinkForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        status = 422 if request.method == "POST" else 200
        return render(request, "portal/login_link_request.html", {"form": form}, status=status)
    email = form.cleaned_data["email"]
    if not allow_link_request(email, client_ip(request)):
        context = {"form": form, "error": _("Too many log-in links asked for; wait a few minutes.")}
        return render(request, "portal/login_link_request.html", context, status=429)
    request_login_link(email, base_url=request.build_absolute_uri("/"))
    return redirect("portal:login_link_sent")


def link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/login_link_sent.html")


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links; a GET never spends one); POST logs in."""
    try:
        if request.method != "POST":
            link_for_token(token)
            return render(request, "portal/login_link_open.html")
        user = use_login_link(token)
    except LoginLinkRefused as refused:
        context = {"form": LoginLinkForm(), "refused": refused.message}
        return render(
            request, "portal/login_link_request.html", context, status=refused.status_code
        )
    auth_login(request, user, backend=BACKEND)
    return redirect("portal:home")
