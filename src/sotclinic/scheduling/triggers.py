"""The database's own refusal to change an appointment's history (see sotclinic.audit.triggers)."""

from sotclinic.audit.triggers import Guard, TruncateGuard, no_replace_guard

HISTORY_TABLE = "scheduling_appointmentchange"
HISTORY_MESSAGE = "An appointment's history is append-only; its rows cannot be changed or deleted."

HISTORY_GUARDS = (
    Guard(
        name="guard_scheduling_appointmentchange_append_only",
        table=HISTORY_TABLE,
        events=("UPDATE", "DELETE"),
        message=HISTORY_MESSAGE,
    ),
    *no_replace_guard(
        "guard_scheduling_appointmentchange_no_replace", HISTORY_TABLE, HISTORY_MESSAGE, "1"
    ),
    TruncateGuard("guard_scheduling_appointmentchange_no_truncate", HISTORY_TABLE, HISTORY_MESSAGE),
)
