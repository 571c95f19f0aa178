"""The database's own refusal to change a signed note (see sotclinic.audit.triggers)."""

from sotclinic.audit.triggers import Guard

from .errors import SIGNED_MESSAGE

NOTE_GUARDS = (
    Guard(
        name="guard_charting_note_signed",
        table="charting_note",
        events=("UPDATE", "DELETE"),
        message=SIGNED_MESSAGE,
        condition="OLD.signed_at IS NOT NULL",
    ),
    Guard(
        name="guard_charting_addendum_append_only",
        table="charting_addendum",
        events=("UPDATE", "DELETE"),
        message="An addendum cannot be changed or deleted; add another one.",
    ),
)

# Rows that belong to a note freeze with it. The condition needs the parent row, and PostgreSQL
# allows no subquery in a trigger's WHEN, so there the check lives in a function.
PART_TABLES = ("charting_examrecord", "charting_procedures")

# Built from constants only; nothing here comes from a user.
_PG_PART_FUNCTION = """
CREATE OR REPLACE FUNCTION guard_charting_refuse_if_note_signed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  target bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN target := NEW.note_id; ELSE target := OLD.note_id; END IF;
  IF EXISTS (SELECT 1 FROM charting_note n WHERE n.id = target AND n.signed_at IS NOT NULL) THEN
    RAISE EXCEPTION '%', TG_ARGV[0];
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;
"""


def install_part_guards(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    message = SIGNED_MESSAGE.replace("'", "''")
    for table in PART_TABLES:
        name = f"guard_{table}_note_signed"
        if vendor == "postgresql":
            schema_editor.execute(_PG_PART_FUNCTION, params=None)
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION "
                f"guard_charting_refuse_if_note_signed('{message}');",
                params=None,
            )
        elif vendor == "sqlite":
            for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
                schema_editor.execute(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "  # noqa: S608
                    f"FOR EACH ROW WHEN EXISTS (SELECT 1 FROM charting_note "
                    f"WHERE id = {row}.note_id AND signed_at IS NOT NULL) "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END;",
                    params=None,
                )


def uninstall_part_guards(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in PART_TABLES:
        name = f"guard_{table}_note_signed"
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};", params=None)
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event};", params=None)
