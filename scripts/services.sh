#!/usr/bin/env bash
# Local PostgreSQL and Redis for the test run (no Docker on these machines).
#   source scripts/services.sh; start_postgres; start_redis; ...; stop_services
# Each server runs from a throwaway directory on a private port and listens on 127.0.0.1 only.

PG_PORT="${PG_PORT:-55433}"
REDIS_PORT="${REDIS_PORT:-56380}"
SERVICES_DIR="${SERVICES_DIR:-/tmp/portal-services-$PG_PORT}"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin; bin="$(pg_bin)"
  [ -n "$bin" ] || { echo "PostgreSQL is not installed (run scripts/setup.sh --test)"; return 1; }
  local data="$SERVICES_DIR/pg"
  mkdir -p "$SERVICES_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$SERVICES_DIR"; fi
  if [ ! -s "$data/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    PORTAL_STARTED_PG=1
    as_postgres "$bin/pg_ctl" -D "$data" -l "$SERVICES_DIR/pg.log" -w -t 60 \
      -o "-p $PG_PORT -k $SERVICES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
  fi
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/portal"
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='portal'" | grep -q 1 \
    || as_postgres "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres portal
}

start_redis() {
  command -v redis-server >/dev/null || { echo "Redis is not installed (run scripts/setup.sh --test)"; return 1; }
  mkdir -p "$SERVICES_DIR"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    PORTAL_STARTED_REDIS=1
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --dir "$SERVICES_DIR" --logfile "$SERVICES_DIR/redis.log" --pidfile "$SERVICES_DIR/redis.pid"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# Stops only the servers this shell started: a server someone else was already using stays up.
stop_services() {
  local bin; bin="$(pg_bin)"
  if [ "${PORTAL_STARTED_PG:-0}" = 1 ] && [ -n "$bin" ] && [ -d "$SERVICES_DIR/pg" ]; then
    as_postgres "$bin/pg_ctl" -D "$SERVICES_DIR/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  if [ "${PORTAL_STARTED_REDIS:-0}" = 1 ]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
}
