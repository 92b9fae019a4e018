#!/usr/bin/env bash
# Start the local PostgreSQL server and create the test role and database, then print the
# SQLAlchemy URL of that database on stdout (everything else goes to stderr).
# Idempotent: a running server, an existing role or database are left as they are.
# Needs the Debian `postgresql` package (scripts/system-deps.sh) and root (or sudo), as on CI.
#   url=$(bash scripts/start-postgres.sh)  ->  postgresql+psycopg://redactor:redactor@127.0.0.1:5432/redactor_test
set -euo pipefail
DB="${REDACTOR_PG_DB:-redactor_test}"
ROLE="${REDACTOR_PG_ROLE:-redactor}"
PASSWORD="${REDACTOR_PG_PASSWORD:-redactor}"
log() { echo "start-postgres: $*" >&2; }

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
command -v pg_lsclusters >/dev/null || { log "PostgreSQL is not installed (run scripts/system-deps.sh)"; exit 1; }

# the newest installed server version, its "main" cluster created if missing
version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
[ -n "$version" ] || { log "no PostgreSQL server under /usr/lib/postgresql"; exit 1; }
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  log "creating cluster $version/main"
  $SUDO pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting cluster $version/main"
  $SUDO pg_ctlcluster "$version" main start >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')"
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { log "server on port $port is not accepting connections"; exit 1; }

as_postgres() { $SUDO su postgres -c "psql -v ON_ERROR_STOP=1 -p $port -tAq $*"; }
if [ "$(as_postgres "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"")" != "1" ]; then
  log "creating role $ROLE"
  as_postgres "-c \"CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'\""
fi
if [ "$(as_postgres "-c \"SELECT 1 FROM pg_database WHERE datname = '$DB'\"")" != "1" ]; then
  log "creating database $DB"
  as_postgres "-c \"CREATE DATABASE $DB OWNER $ROLE\""
fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/$DB"
