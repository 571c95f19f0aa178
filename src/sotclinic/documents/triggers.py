"""The database's own refusal to change or delete a signed consent once given (see
sotclinic.audit.triggers)."""

from sotclinic.audit.triggers import Guard, TruncateGuard, no_replace_guard

CONSENT_TABLE = "documents_consentsignature"
CONSENT_MESSAGE = "A signed consent is append-only; it cannot be changed or deleted."

CONSENT_GUARDS = (
    Guard(
        name="guard_documents_consentsignature_append_only",
        table=CONSENT_TABLE,
        events=("UPDATE", "DELETE"),
        message=CONSENT_MESSAGE,
    ),
    *no_replace_guard(
        "guard_documents_consentsignature_no_replace",
        CONSENT_TABLE,
        CONSENT_MESSAGE,
        "1",
        keys=("id",),
    ),
    TruncateGuard("guard_documents_consentsignature_no_truncate", CONSENT_TABLE, CONSENT_MESSAGE),
)
