#!/bin/sh
# Runs once, when the primary's data directory is created (docker-entrypoint-initdb.d):
# lets the replica connect for streaming replication with a password (SCRAM).
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
