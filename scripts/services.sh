#!/usr/bin/env bash
# Starts the local PostgreSQL, MariaDB and Redis that the tests use, when they are installed but stopped.
# Idempotent: a service whose port already answers is left alone. A service that cannot be started is
# reported and skipped; the tests on that database then fail and say so (HUBBUB_TEST_DATABASES=sqlite
# runs without any service).
set -uo pipefail

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_for_port() {
    local port=$1
    for _ in $(seq 1 60); do
        port_open "$port" && return 0
        sleep 0.5
    done
    return 1
}

ensure() {
    local name=$1 port=$2 binary=$3
    shift 3
    if port_open "$port"; then
        return 0
    fi
    if [ ! -x "$binary" ] && ! command -v "$binary" >/dev/null 2>&1; then
        echo "services: $name is not installed (no $binary); skipping" >&2
        return 0
    fi
    echo "services: starting $name on port $port" >&2
    if ! "$@" >&2; then
        echo "services: could not start $name" >&2
        return 0
    fi
    wait_for_port "$port" || echo "services: $name did not open port $port in time" >&2
}

start_postgres() {
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] || return 1
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

ensure PostgreSQL 5432 pg_ctlcluster start_postgres
ensure MariaDB 3306 /usr/sbin/mariadbd \
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
ensure Redis 6379 redis-server \
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
exit 0
