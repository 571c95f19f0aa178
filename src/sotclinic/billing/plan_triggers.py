"""The database's own refusal to change or delete a care plan's signature once given (see
sotclinic.audit.triggers)."""

from sotclinic.audit.triggers import Guard, TruncateGuard, no_replace_guard

SIGNATURE_TABLE = "billing_careplansignature"
SIGNATURE_MESSAGE = "A care plan's signature is append-only; it cannot be changed or deleted."

SIGNATURE_GUARDS = (
    Guard(
        name="guard_billing_careplansignature_append_only",
        table=SIGNATURE_TABLE,
        events=("UPDATE", "DELETE"),
        message=SIGNATURE_MESSAGE,
    ),
    *no_replace_guard(
        "guard_billing_careplansignature_no_replace",
        SIGNATURE_TABLE,
        SIGNATURE_MESSAGE,
        "1",
        keys=("id", "plan_id"),
    ),
    TruncateGuard(
        "guard_billing_careplansignature_no_truncate", SIGNATURE_TABLE, SIGNATURE_MESSAGE
    ),
)
