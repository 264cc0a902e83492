# Sourced by .ci/run: start Debian's PostgreSQL on 127.0.0.1 and export DATABASE_URL_TEST.
# Idempotent: a server already answering on the port is reused.
PG_PORT="${PG_PORT:-55432}"
PG_DATA="${PG_DATA:-/tmp/tthc-ci-pgdata}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$PG_BIN" ]; then
    echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    return 1 2>/dev/null || exit 1
fi
as_pg() {
    if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    rm -rf "$PG_DATA" && mkdir -p "$PG_DATA"
    [ "$(id -u)" = "0" ] && chown postgres:postgres "$PG_DATA"
    as_pg "'$PG_BIN/initdb' -D '$PG_DATA' -A trust -U postgres -E UTF8 >/dev/null"
    as_pg "'$PG_BIN/pg_ctl' -D '$PG_DATA' -o \"-h 127.0.0.1 -p $PG_PORT -k /tmp\" -l '$PG_DATA/server.log' -w start >/dev/null"
fi
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='tthc_test'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres tthc_test
export DATABASE_URL_TEST="postgresql+psycopg://postgres@127.0.0.1:${PG_PORT}/tthc_test"
echo "postgres.sh: PostgreSQL ready at 127.0.0.1:${PG_PORT}"
