import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout = cursor.fetchone()[0]

    assert journal_mode == "wal"
    assert busy_timeout >= 5000
    assert connection.transaction_mode == "IMMEDIATE"


def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False


def test_passwords_hash_with_argon2_first():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
