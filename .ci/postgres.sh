# Sourced by .ci/run (under `set -euo pipefail`): start Debian's PostgreSQL on 127.0.0.1 and
# export DATABASE_URL_TEST for the test suite (tests/conftest_db.py).
#
#   source .ci/postgres.sh          # then: make test
#
# Idempotent: a server already answering on the port is reused; an existing cluster directory
# is started again rather than recreated. Works as root (the server runs as the `postgres` user
# that Debian's package creates) and as an ordinary user (the server runs as that user).
# Settings: PG_PORT (55432), PG_DATA (/tmp/tthc-ci-pgdata), PG_DB (tthc_test).
# The cluster is a throw-away test server: trust authentication on 127.0.0.1 only, fsync off.

tthc_pg_start() {
    local port="${PG_PORT:-55432}" data="${PG_DATA:-/tmp/tthc-ci-pgdata}" db="${PG_DB:-tthc_test}"
    local bin owner run_as
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
        echo "postgres.sh: PostgreSQL server not found under /usr/lib/postgresql (apt-get install postgresql)" >&2
        return 1
    fi

    # Who runs the server: never root (PostgreSQL refuses), so root hands over to `postgres`.
    if [ "$(id -u)" = "0" ]; then
        owner="postgres"
        if ! id -u "$owner" >/dev/null 2>&1; then
            echo "postgres.sh: running as root but there is no 'postgres' user" >&2
            return 1
        fi
        if command -v runuser >/dev/null 2>&1; then run_as="runuser -u $owner --"; else run_as="su_postgres"; fi
    else
        owner="$(id -un)"
        run_as=""
    fi
    su_postgres() { su "$owner" -s /bin/sh -c "$(printf '%q ' "$@")"; }

    if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        if [ ! -s "$data/PG_VERSION" ]; then
            rm -rf "$data"
            mkdir -p "$data"
            chmod 700 "$data"
            [ "$(id -u)" = "0" ] && chown "$owner" "$data"
            (cd / && $run_as "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$data.initdb.log" 2>&1) || {
                echo "postgres.sh: initdb failed, see $data.initdb.log" >&2
                return 1
            }
        fi
        (cd / && $run_as "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
            -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            >/dev/null) || {
            echo "postgres.sh: the server did not start, see $data/server.log" >&2
            tail -n 20 "$data/server.log" >&2 2>/dev/null || true
            return 1
        }
    fi

    local psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
    if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
        "${psql[@]}" -c "CREATE DATABASE \"$db\"" >/dev/null 2>&1 \
            || [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" = "1" ] \
            || { echo "postgres.sh: could not create database $db" >&2; return 1; }
    fi
    export DATABASE_URL_TEST="postgresql+psycopg://postgres@127.0.0.1:${port}/${db}"
    echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') ready, DATABASE_URL_TEST=$DATABASE_URL_TEST"
}

tthc_pg_start || return 1 2>/dev/null || exit 1
unset -f tthc_pg_start
