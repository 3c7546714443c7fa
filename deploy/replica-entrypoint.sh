#!/bin/sh
# A streaming replica of $PRIMARY_HOST. On first start its data directory is a copy of the
# primary's, made by pg_basebackup -R, which writes what Rocket's replica test writes by hand
# after a cold copy (test/replica-helper.ts): `standby.signal` and `primary_conninfo` in
# `postgresql.auto.conf`. Then the image's usual entrypoint starts postgres on it.
set -eu
PGDATA="${PGDATA:-/var/lib/postgresql/18/docker}"
export PGDATA
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  until pg_isready -h "$PRIMARY_HOST" -U "$REPLICATION_USER" -q; do sleep 1; done
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup -h "$PRIMARY_HOST" -U "$REPLICATION_USER" \
    -D "$PGDATA" -X stream -R -c fast
fi
exec docker-entrypoint.sh "$@"
