"""The PostgreSQL role the README tells app servers to use can run the app but cannot get
round the guard triggers: no TRUNCATE, no disabling or dropping a trigger, no replica mode."""

import os

import psycopg
import pytest
from django.db import connection

from sotclinic.accounts.models import Role
from sotclinic.audit.models import Action
from sotclinic.audit.services import record_access
from tests.factories import make_patient, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles"),
]

# The app role's grants, as in the README's "Database roles in production".
APP_GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
]


@pytest.fixture
def app_role():
    role = f"sotclinic_app_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
        for grant in APP_GRANTS:
            cursor.execute(grant.format(role=role))
    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"], host=settings["HOST"], port=settings["PORT"] or 5432, user=role
    )
    with psycopg.connect(conninfo, autocommit=True) as app:
        yield app
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def _refused(app, sql: str) -> str:
    with pytest.raises(psycopg.Error) as refusal:
        app.execute(sql)
    return str(refusal.value)


def test_the_app_role_reads_and_writes_but_cannot_lift_the_guards(app_role):
    record_access(make_user(Role.PRACTITIONER), make_patient(), Action.VIEW_CHART, "chart")

    patients = app_role.execute("SELECT count(*) FROM patients_patient").fetchone()[0]
    app_role.execute(
        'INSERT INTO messaging_message (channel, kind, "to", subject, body, html, attachments,'
        " status, attempts, last_error, created_at, next_attempt_at, sender_name)"
        " VALUES ('email', 'test', '[]', 's', 'b', '', '[]', 'pending', 0, '', now(), now(), '')"
    )

    assert patients == 1
    assert "append-only" in _refused(app_role, "DELETE FROM audit_accesslog")
    assert "permission denied" in _refused(app_role, "TRUNCATE audit_accesslog")
    assert "must be owner" in _refused(app_role, "ALTER TABLE audit_accesslog DISABLE TRIGGER ALL")
    assert "must be owner" in _refused(
        app_role, "DROP TRIGGER guard_audit_accesslog_append_only ON audit_accesslog"
    )
    assert "permission denied" in _refused(app_role, "SET session_replication_role = replica")
