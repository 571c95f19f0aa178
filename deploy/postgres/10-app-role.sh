#!/bin/sh
# Run once by the postgres image when the database is first created: the role the app servers
# use owns nothing and may only read and write rows, so it cannot lift the triggers that keep
# signed notes and the access log unchanged (see README, "Database roles in production").
# The tables belong to POSTGRES_USER (sotclinic_owner), which runs the migrations.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$SOTCLINIC_DB_APP_PASSWORD" -v owner="$POSTGRES_USER" <<'SQL'
CREATE ROLE sotclinic_app LOGIN PASSWORD :'app_password';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO sotclinic_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sotclinic_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO sotclinic_app;
SQL
