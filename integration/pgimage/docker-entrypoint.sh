#!/usr/bin/env bash
# Entrypoint of local/postgres:15-bookworm: a compact copy of the official postgres image's
# docker-entrypoint.sh (docker-library/postgres), so that testcontainers' postgres module
# behaves the same with this image as with postgres:*-alpine.
#
# Supported: POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless
# POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default $POSTGRES_USER), POSTGRES_INITDB_ARGS,
# POSTGRES_HOST_AUTH_METHOD (default scram-sha-256) and /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}.
# Not supported: *_FILE secrets, arbitrary --user uids (nss_wrapper), POSTGRES_INITDB_WALDIR.
set -Eeo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# "docker run image -c fsync=off" means "postgres -c fsync=off".
if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 0700 "$PGDATA"
	chown -R postgres:postgres "$PGDATA"
	chown postgres:postgres /var/run/postgresql
	chmod 3777 /var/run/postgresql
	export HOME=/var/lib/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	: "${POSTGRES_USER:=postgres}"
	: "${POSTGRES_DB:=$POSTGRES_USER}"
	auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != 'trust' ]; then
		echo >&2 'error: database is uninitialized and POSTGRES_PASSWORD is not set;'
		echo >&2 '       set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow passwordless connections.'
		exit 1
	fi

	# eval, like the official script, so that POSTGRES_INITDB_ARGS may contain quoted words.
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"${POSTGRES_INITDB_ARGS:-}"
	else
		eval 'initdb --username="$POSTGRES_USER" '"${POSTGRES_INITDB_ARGS:-}"
	fi

	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

	# A temporary server reachable only through the Unix socket, where initdb's pg_hba.conf
	# trusts local connections: it logs "ready to accept connections" a first time.
	export PGPASSWORD="${POSTGRES_PASSWORD:-}"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start

	psql_run() {
		psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" "$@"
	}
	exists=$(psql_run --dbname postgres --tuples-only --no-align --set db="$POSTGRES_DB" <<-'EOSQL'
		SELECT 1 FROM pg_database WHERE datname = :'db';
	EOSQL
	)
	if [ -z "$exists" ]; then
		psql_run --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db";
		EOSQL
	fi

	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh)
			echo "$0: running $f"
			# shellcheck source=/dev/null
			if [ -x "$f" ]; then "$f"; else . "$f"; fi
			;;
		*.sql)
			echo "$0: running $f"
			psql_run --dbname "$POSTGRES_DB" -f "$f"
			;;
		*.sql.gz)
			echo "$0: running $f"
			gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB"
			;;
		*) echo "$0: ignoring $f" ;;
		esac
	done

	pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGPASSWORD
	echo 'PostgreSQL init process complete; ready for start up.'
fi

exec "$@"
