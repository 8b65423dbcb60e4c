#!/usr/bin/env bash
# Entrypoint of local/allot-ha: one image, four roles, each an engine from Debian's packages.
#
#   etcd       a member of the etcd cluster Patroni keeps its leader key in; configured by
#              etcd's own ETCD_* variables (ETCD_NAME, ETCD_INITIAL_CLUSTER, ...)
#   patroni    a PostgreSQL 15 member managed by Patroni; PATRONI_NAME names it (and is its
#              host name); needs PATRONI_ETCD3_HOSTS, POSTGRES_PASSWORD, REPLICATION_PASSWORD
#              and ALLOT_DB_PASSWORD (the application role created when the cluster is new)
#   haproxy    routes port 5000 to the current primary (see haproxy.cfg)
#   pgbouncer  transaction pooling on 6432 in front of haproxy; needs ALLOT_DB_PASSWORD (the
#              password of role allot); PGBOUNCER_DATABASES replaces the [databases] section,
#              e.g. "* = host=10.0.0.5 port=5432" to pool every database of another server
#
# Every role runs as its package's unprivileged user.
set -euo pipefail

die() { printf 'allot-ha: %s\n' "$*" >&2; exit 2; }
as() { local user=$1; shift; exec setpriv --reuid="$user" --regid="$user" --init-groups "$@"; }

role="${1:-}"
[ $# -gt 0 ] && shift
case "$role" in
etcd)
	mkdir -p /var/lib/etcd/data && chown -R etcd:etcd /var/lib/etcd
	export ETCD_DATA_DIR="${ETCD_DATA_DIR:-/var/lib/etcd/data}"
	as etcd /usr/bin/etcd "$@"
	;;
patroni)
	: "${PATRONI_NAME:?PATRONI_NAME is required}"
	export PATRONI_SUPERUSER_PASSWORD="${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
	export PATRONI_REPLICATION_PASSWORD="${REPLICATION_PASSWORD:?REPLICATION_PASSWORD is required}"
	: "${ALLOT_DB_PASSWORD:?ALLOT_DB_PASSWORD is required}"
	export PATRONI_RESTAPI_CONNECT_ADDRESS="${PATRONI_RESTAPI_CONNECT_ADDRESS:-$PATRONI_NAME:8008}"
	export PATRONI_POSTGRESQL_CONNECT_ADDRESS="${PATRONI_POSTGRESQL_CONNECT_ADDRESS:-$PATRONI_NAME:5432}"
	mkdir -p /var/lib/postgresql/data /var/run/postgresql
	chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
	chmod 0700 /var/lib/postgresql/data
	as postgres /usr/bin/patroni /etc/patroni/allot.yml
	;;
haproxy)
	exec /usr/sbin/haproxy -W -db -f /etc/haproxy/allot.cfg "$@"
	;;
pgbouncer)
	: "${ALLOT_DB_PASSWORD:?ALLOT_DB_PASSWORD is required}"
	umask 077
	printf '"allot" "%s"\n' "${ALLOT_DB_PASSWORD//\"/\"\"}" >/tmp/pgbouncer-users.txt
	ini=/etc/pgbouncer/allot.ini
	if [ -n "${PGBOUNCER_DATABASES:-}" ]; then
		ini=/tmp/pgbouncer.ini
		{
			printf '[databases]\n%s\n\n' "$PGBOUNCER_DATABASES"
			sed -n '/^\[pgbouncer\]/,$p' /etc/pgbouncer/allot.ini
		} >"$ini"
	fi
	chown postgres:postgres /tmp/pgbouncer-users.txt "$ini"
	as postgres /usr/sbin/pgbouncer "$ini" "$@"
	;;
*)
	die "usage: ROLE [ARGS]; ROLE is etcd, patroni, haproxy or pgbouncer (got '${role}')"
	;;
esac
