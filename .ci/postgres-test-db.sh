#!/usr/bin/env bash
# The PostgreSQL role and database the test suite uses (the local server trusts 127.0.0.1).
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
psql_admin() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 1; done
fi
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'innkeeper'") ]]; then
  psql_admin -c "CREATE ROLE innkeeper LOGIN CREATEDB"
fi
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'innkeeper_test'") ]]; then
  psql_admin -c "CREATE DATABASE innkeeper_test OWNER innkeeper"
fi
