from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .access import signed_in_required
from .forms import ThrottledAuthenticationForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        views.ClinicLoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=ThrottledAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/code/", views.verify, name="verify"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path(
        "password/",
        signed_in_required(
            views.ClinicPasswordChangeView.as_view(
                template_name="accounts/password_change.html",
                success_url="/accounts/password/done/",
            )
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
