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


def test_sqlite_connections_persist_between_requests(tmp_path):
    databases = _settings_from_env(tmp_path, ["DATABASES"], DATABASE_URL="")["DATABASES"]

    assert databases["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert databases["default"]["CONN_MAX_AGE"] == 60


def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False


def test_passwords_hash_with_argon2_first():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _settings_from_env(tmp_path, names=None, **env) -> dict:
    """The named settings as a fresh process reads them from this environment."""
    import json
    import os
    import subprocess
    import sys

    names = names or [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "TRUSTED_PROXY_COUNT",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in names and k != "BEHIND_TLS_PROXY"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "sotclinic.settings",
            "SOTCLINIC_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_https_settings_are_off_unless_the_environment_turns_them_on(tmp_path):
    assert _settings_from_env(tmp_path) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "TRUSTED_PROXY_COUNT": 0,
    }


def test_https_settings_come_from_the_environment(tmp_path):
    read = _settings_from_env(
        tmp_path,
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        BEHIND_TLS_PROXY="1",
    )

    assert read == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "TRUSTED_PROXY_COUNT": 1,  # the TLS proxy itself
    }


def test_trusted_proxy_count_from_the_environment_wins_over_the_tls_proxy_default(tmp_path):
    read = _settings_from_env(tmp_path, BEHIND_TLS_PROXY="1", TRUSTED_PROXY_COUNT="2")

    assert read["TRUSTED_PROXY_COUNT"] == 2


@pytest.mark.django_db
def test_with_ssl_redirect_plain_http_goes_to_https_but_the_health_check_answers(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000

    plain = client.get("/accounts/login/")
    health = client.get("/healthz")
    secure = client.get("/accounts/login/", secure=True)

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    assert health.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_code(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def _start(tmp_path, **env):
    """`sotclinic manage check` in a fresh process with the app's own settings and `env`,
    without the test suite's SECRET_KEY."""
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-m", "sotclinic.cli", "manage", "check"],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "sotclinic.settings",
            "SOTCLINIC_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_secret_key_a_postgresql_server_refuses_to_start(tmp_path):
    result = _start(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_without_a_secret_key_the_one_box_sqlite_install_generates_and_keeps_one(tmp_path):
    result = _start(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")

    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "secret_key").read_text()) >= 50


def test_a_given_secret_key_is_used_with_postgresql(tmp_path):
    result = _start(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/anything",
        SECRET_KEY="a-long-key-given-to-every-server-of-this-clinic-0123456789",
    )

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_cache_keys_carry_an_installation_prefix_from_the_environment(tmp_path):
    default = _settings_from_env(tmp_path, names=["CACHES"])
    chosen = _settings_from_env(
        tmp_path, names=["CACHES"], CACHE_KEY_PREFIX="clinic-b", REDIS_URL="redis://127.0.0.1:1/0"
    )

    assert default["CACHES"]["default"]["KEY_PREFIX"] == "sotclinic"
    assert chosen["CACHES"]["default"]["KEY_PREFIX"] == "clinic-b"
