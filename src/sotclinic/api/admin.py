"""The back office's OAuth application page, with the application's allowed FHIR scopes.

Plugged in through ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``: the toolkit registers it.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin

from .fhir.scopes import SCOPE_DESCRIPTIONS
from .models import ApplicationScopes


class ApplicationScopesForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Allowed scopes"),
        choices=[(scope, f"{scope}: {text}") for scope, text in SCOPE_DESCRIPTIONS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "A token request for any other scope is refused. *.read covers every type: "
            "system/… for a server (client credentials), user/… for a staff app "
            "(authorization code)."
        ),
    )

    class Meta:
        model = ApplicationScopes
        fields = ["scopes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = self.instance.scopes.split()

    def clean_scopes(self) -> str:
        return " ".join(sorted(self.cleaned_data["scopes"]))


class ApplicationScopesInline(admin.StackedInline):
    model = ApplicationScopes
    form = ApplicationScopesForm
    can_delete = False
    min_num = 1
    max_num = 1
    extra = 0


class ScopedApplicationAdmin(ApplicationAdmin):
    """The toolkit's application admin, with the allowed scopes on the same page."""

    inlines = [ApplicationScopesInline]
