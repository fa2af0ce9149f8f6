#!/usr/bin/env bash
# Make a PostgreSQL server answer and print a URL for the test suite on the last line of stdout.
#
#   export BOLE_TEST_PG_URL="$(scripts/ensure-postgres.sh | tail -n 1)"
#
# Tries, in order, stopping at the first that answers:
#   1. $BOLE_TEST_PG_URL, if set;
#   2. a server on 127.0.0.1:5432 that lets user `postgres` in without a password (this machine kind);
#   3. the throwaway cluster a previous run of this script left on 127.0.0.1:$BOLE_PG_SCRATCH_PORT;
#   4. existing Debian clusters (pg_lsclusters), started with pg_ctlcluster if they are down;
#   5. as root: apt-get install postgresql, then 4 again;
#   6. a throwaway cluster (initdb as the postgres user, trust auth, ssl off) on $BOLE_PG_SCRATCH_PORT.
# A Debian cluster that wants a password over TCP (the packaged default, scram-sha-256) gets a `bole`
# superuser with password `bole`, created over the unix socket as the postgres OS user.
#
# URLs carry sslmode=disable: Debian's cluster has ssl=on with a snakeoil certificate, and over TLS on
# loopback every large statement stalls for ~45 ms (docs: shared/design/STACK.md §2).
#
# Idempotent and quiet when a server already answers: only the URL goes to stdout, diagnostics go to
# stderr. Exits 1 with a message when no server can be had.
set -euo pipefail

SCRATCH_PORT="${BOLE_PG_SCRATCH_PORT:-5433}"
SCRATCH_DIR="${BOLE_PG_SCRATCH_DIR:-/var/tmp/bole-test-pg}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-3}"

log() { printf 'ensure-postgres: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }

# Redact the password of a URL before it reaches a log line.
redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }

# Run a command as the postgres OS user from a directory it can read (avoids "could not change directory").
as_postgres() {
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
  fi
}

apt_install() {
  log "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  # apt's chatter goes to stderr: stdout is reserved for the URL.
  apt-get update -qq >&2 || log "apt-get update failed; trying the install anyway"
  apt-get install -y -qq "$@" >&2
}

# The client tools are needed to tell "accepting connections" from "lets us in".
ensure_client() {
  command -v psql >/dev/null 2>&1 && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    apt_install postgresql-client >/dev/null || true
  fi
  command -v psql >/dev/null 2>&1
}

# True when the URL lets us in and runs a query.
answers() {
  psql "$1" -w -X -A -t -q -c 'select 1' >/dev/null 2>&1
}

# True when something accepts connections at host/port (authentication not tried).
accepting() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$1" -p "$2" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1
  fi
}

wait_accepting() { # host port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do
    accepting "$1" "$2" && return 0
    sleep 0.25
  done
  return 1
}

emit() {
  printf '%s\n' "$1"
  exit 0
}

# Try the trust URL for a local port, then (root only) the `bole` role, creating it if the cluster is a
# local Debian cluster that we can reach over its unix socket as the postgres OS user.
try_local_port() { # port [version cluster]
  local port=$1 trust="postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"
  local pw="postgres://bole:bole@127.0.0.1:$1/postgres?sslmode=disable"
  answers "$trust" && emit "$trust"
  answers "$pw" && emit "$pw"
  if accepting 127.0.0.1 "$port" && is_root && id postgres >/dev/null 2>&1; then
    log "127.0.0.1:$port accepts connections but not user postgres without a password; creating role bole"
    if as_postgres psql -w -X -q -p "$port" -d postgres -v ON_ERROR_STOP=1 -c \
      "DO \$\$BEGIN
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bole') THEN
           CREATE ROLE bole LOGIN SUPERUSER PASSWORD 'bole';
         ELSE
           ALTER ROLE bole LOGIN SUPERUSER PASSWORD 'bole';
         END IF;
       END\$\$;" >&2; then
      answers "$pw" && emit "$pw"
    fi
    log "role bole could not be used on port $port (check pg_hba.conf)"
  fi
  return 1
}

# Start every Debian cluster that is down, then try each cluster's port.
try_debian_clusters() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  local ver name port status
  local -a ports=()
  while read -r ver name port status _; do
    [ -n "$port" ] || continue
    ports+=("$port")
    if [ "${status%%,*}" != online ]; then
      log "starting cluster $ver/$name (port $port)"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 ||
        log "could not start cluster $ver/$name (see /var/log/postgresql/postgresql-$ver-$name.log)"
      wait_accepting 127.0.0.1 "$port" 15 || true
    fi
  done < <(pg_lsclusters -h 2>/dev/null)
  [ "${#ports[@]}" -gt 0 ] || return 1
  for port in "${ports[@]}"; do
    try_local_port "$port" || true
  done
  return 1
}

# A cluster of our own, kept under $SCRATCH_DIR so later runs reuse it. initdb refuses to run as root, so
# as root it runs as the postgres OS user; otherwise as whoever we are.
try_scratch_cluster() {
  local bindir initdb
  initdb=$(printf "%s\n" /usr/lib/postgresql/*/bin/initdb | grep -v "\*" | sort -V | tail -n 1 || true)
  [ -n "$initdb" ] || initdb=$(command -v initdb || true)
  [ -n "$initdb" ] || {
    log "no initdb found"
    return 1
  }
  bindir=$(dirname "$initdb")
  local run=()
  if is_root; then
    id postgres >/dev/null 2>&1 || {
      log "no postgres OS user to run initdb as"
      return 1
    }
    run=(as_postgres)
  fi
  mkdir -p "$SCRATCH_DIR"
  is_root && chown postgres:postgres "$SCRATCH_DIR"
  if [ ! -f "$SCRATCH_DIR/data/PG_VERSION" ]; then
    log "creating a throwaway cluster in $SCRATCH_DIR/data (port $SCRATCH_PORT)"
    "${run[@]}" "$initdb" -D "$SCRATCH_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null ||
      "${run[@]}" "$initdb" -D "$SCRATCH_DIR/data" -A trust -U postgres -E UTF8 --locale=C >/dev/null ||
      return 1
  fi
  log "starting the throwaway cluster on 127.0.0.1:$SCRATCH_PORT"
  "${run[@]}" "$bindir/pg_ctl" -D "$SCRATCH_DIR/data" -l "$SCRATCH_DIR/log" -w -t 30 \
    -o "-p $SCRATCH_PORT -k $SCRATCH_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || {
    log "pg_ctl start failed; last lines of $SCRATCH_DIR/log:"
    tail -n 20 "$SCRATCH_DIR/log" >&2 2>/dev/null || true
    return 1
  }
  local url="postgres://postgres@127.0.0.1:$SCRATCH_PORT/postgres?sslmode=disable"
  answers "$url" && emit "$url"
  return 1
}

main() {
  if ! ensure_client; then
    # Without psql we cannot check; an explicit URL is still better than nothing.
    if [ -n "${BOLE_TEST_PG_URL:-}" ]; then
      log "psql not found; using BOLE_TEST_PG_URL unchecked"
      emit "$BOLE_TEST_PG_URL"
    fi
    die "psql (postgresql-client) is not installed and cannot be installed (not root or no apt-get)"
  fi

  # 1. An explicit URL wins when it answers.
  if [ -n "${BOLE_TEST_PG_URL:-}" ]; then
    answers "$BOLE_TEST_PG_URL" && emit "$BOLE_TEST_PG_URL"
    log "BOLE_TEST_PG_URL=$(redact "$BOLE_TEST_PG_URL") does not answer; looking for a local server"
  fi

  # 2./3. Something already listening: the machine's server, or our scratch cluster from an earlier run.
  try_local_port 5432 || true
  if [ -f "$SCRATCH_DIR/data/PG_VERSION" ] && answers "postgres://postgres@127.0.0.1:$SCRATCH_PORT/postgres?sslmode=disable"; then
    emit "postgres://postgres@127.0.0.1:$SCRATCH_PORT/postgres?sslmode=disable"
  fi

  # 4. Debian clusters that exist but are down.
  try_debian_clusters || true

  # 5. Install PostgreSQL (creates and starts cluster <ver>/main on Debian).
  if is_root && command -v apt-get >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql postgresql-client || log "apt-get install postgresql failed"
    try_debian_clusters || true
  fi

  # 6. Last resort: a throwaway cluster of our own.
  try_scratch_cluster || true

  die "no PostgreSQL server could be reached, started, installed or created; set BOLE_TEST_PG_URL to one"
}

# Sourcing the script (for testing its functions) does not run it.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
