#!/usr/bin/env bash
# Start PostgreSQL and Redis if they are installed here but not running (used by `make test`).
# PGHOST/PGPORT and REDIS_HOST/REDIS_PORT choose which servers to check; a Redis started here
# keeps nothing on disk (tests need none) and writes its log and pid file per port.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"

redis_up() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; }

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL 시작 / starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
  pg_isready -h "$PGHOST" -p "$PGPORT" || {
    echo "PostgreSQL을 사용할 수 없습니다 / PostgreSQL is not available at $PGHOST:$PGPORT" >&2
    exit 1
  }
fi

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis 시작 / starting Redis on port $REDIS_PORT"
    dir=/var/lib/redis
    mkdir -p "$dir" 2>/dev/null || true
    [ -w "$dir" ] || dir="${TMPDIR:-/tmp}/portal-redis-$REDIS_PORT"
    mkdir -p "$dir"
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" \
      --appendonly no --dir "$dir" --logfile "$dir/ci-$REDIS_PORT.log" \
      --pidfile "$dir/redis-$REDIS_PORT.pid"
  fi
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || {
    echo "Redis를 사용할 수 없습니다 / Redis is not available at $REDIS_HOST:$REDIS_PORT" >&2
    exit 1
  }
fi

# RabbitMQ, for the worker fault tests on the second broker (tests/fault_support.py).
if command -v rabbitmqctl >/dev/null 2>&1 && ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "RabbitMQ 시작 / starting RabbitMQ"
  (rabbitmq-server -detached >/dev/null 2>&1 || service rabbitmq-server start >/dev/null 2>&1) || true
  for _ in $(seq 1 60); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
fi
