"""The database's own refusal to change a signed note (see sotclinic.audit.triggers)."""

from sotclinic.audit.triggers import Guard, TruncateGuard, no_replace_guard

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


ADDENDUM_MESSAGE = NOTE_GUARDS[1].message
VISIT_SIGNED_MESSAGE = (
    "The visit of a signed note cannot be moved to another patient, practitioner, appointment "
    "or time; add an addendum to the note instead."
)
_NOTE_SIGNED = "t.signed_at IS NOT NULL"
_PART_NOTE_SIGNED = (
    "EXISTS (SELECT 1 FROM charting_note n WHERE n.id = t.note_id AND n.signed_at IS NOT NULL)"
)
_VISIT_NOTE_SIGNED = (
    "EXISTS (SELECT 1 FROM charting_note n WHERE n.visit_id = t.id AND n.signed_at IS NOT NULL)"
)

# Added after the first release of the guards (migration 0004): ordinary SQL that went round
# them. SQLite's REPLACE deleted a protected row without firing its DELETE trigger;
# PostgreSQL's TRUNCATE emptied a table without firing any row trigger.
NOTE_BYPASS_GUARDS = (
    *no_replace_guard(
        "guard_charting_note_no_replace",
        "charting_note",
        SIGNED_MESSAGE,
        _NOTE_SIGNED,
        keys=("id", "visit_id"),
    ),
    *no_replace_guard(
        "guard_charting_addendum_no_replace", "charting_addendum", ADDENDUM_MESSAGE, "1"
    ),
    *(
        guard
        for table in PART_TABLES
        for guard in no_replace_guard(
            f"guard_{table}_no_replace",
            table,
            SIGNED_MESSAGE,
            _PART_NOTE_SIGNED,
            keys=("id", "note_id"),
        )
    ),
    *no_replace_guard(
        "guard_charting_visit_no_replace",
        "charting_visit",
        VISIT_SIGNED_MESSAGE,
        _VISIT_NOTE_SIGNED,
        keys=("id", "appointment_id"),
    ),
    *(
        TruncateGuard(f"guard_{table}_no_truncate", table, message)
        for table, message in (
            ("charting_visit", VISIT_SIGNED_MESSAGE),
            ("charting_note", SIGNED_MESSAGE),
            ("charting_examrecord", SIGNED_MESSAGE),
            ("charting_procedures", SIGNED_MESSAGE),
            ("charting_addendum", ADDENDUM_MESSAGE),
        )
    ),
)

# What identifies a visit: once its note is signed, these never change.
VISIT_IDENTITY = ("id", "patient_id", "practitioner_id", "appointment_id", "started_at")

# Built from constants only; nothing here comes from a user.
_PG_VISIT_FUNCTION = """
CREATE OR REPLACE FUNCTION guard_charting_refuse_if_visit_signed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM charting_note n WHERE n.visit_id = OLD.id AND n.signed_at IS NOT NULL)
  THEN
    RAISE EXCEPTION '%', TG_ARGV[0];
  END IF;
  RETURN NEW;
END
$$;
"""

VISIT_GUARD = "guard_charting_visit_signed"


def install_visit_guard(schema_editor) -> None:
    """Refuse changing who, by whom, for which appointment or when of a signed note's visit."""
    vendor = schema_editor.connection.vendor
    message = VISIT_SIGNED_MESSAGE.replace("'", "''")
    if vendor == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in VISIT_IDENTITY)
        schema_editor.execute(_PG_VISIT_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {VISIT_GUARD} BEFORE UPDATE ON charting_visit FOR EACH ROW "
            f"WHEN ({changed}) "
            f"EXECUTE FUNCTION guard_charting_refuse_if_visit_signed('{message}');",
            params=None,
        )
    elif vendor == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in VISIT_IDENTITY)
        schema_editor.execute(
            f"CREATE TRIGGER {VISIT_GUARD}_update BEFORE UPDATE ON charting_visit FOR EACH ROW "  # noqa: S608
            f"WHEN ({changed}) AND EXISTS (SELECT 1 FROM charting_note "
            f"WHERE visit_id = OLD.id AND signed_at IS NOT NULL) "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;",
            params=None,
        )


def uninstall_visit_guard(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {VISIT_GUARD} ON charting_visit;", params=None
        )
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {VISIT_GUARD}_update;", params=None)
