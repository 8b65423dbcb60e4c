#!/usr/bin/env bash
# Builds local/allot-ha:15-bookworm (ALLOT_HA_IMAGE overrides the tag) from Debian's packages
# only, for a Docker engine with no registry: postgresql-15, patroni, etcd-server, haproxy and
# pgbouncer in one minbase bookworm root file system written by mmdebstrap, added to a FROM
# scratch image. ha-entrypoint.sh picks the role (etcd, patroni, haproxy, pgbouncer).
#
#   deploy/ha/build.sh            build unless the image is present
#   deploy/ha/build.sh --force    rebuild
set -euo pipefail

say() { printf 'ha-image: %s\n' "$*"; }
die() { printf 'ha-image: error: %s\n' "$*" >&2; exit 1; }

force=false
[ "${1:-}" = --force ] && force=true
image="${ALLOT_HA_IMAGE:-local/allot-ha:15-bookworm}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (docker info fails)"
# The image is rebuilt whenever a file it is made from changes (its label holds their digest).
inputs="$(cd "$here" && cat build.sh ha-entrypoint.sh ha-post-bootstrap patroni.yml haproxy.cfg pgbouncer.ini | sha256sum | cut -c1-16)"
if ! $force && [ "$(docker image inspect --format '{{index .Config.Labels "io.allot.ha.inputs"}}' "$image" 2>/dev/null)" = "$inputs" ]; then
	say "$image is up to date (use --force to rebuild)"
	exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
	say "installing mmdebstrap with apt-get"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/haimage.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/context"
start=$SECONDS
say "building the root file system (postgresql-15, patroni, etcd-server, haproxy, pgbouncer)"
# The essential hook stops postgresql-common from creating a 15/main cluster (Patroni runs
# initdb itself); the packages' own service users (postgres, etcd, haproxy) are created by their
# postinst scripts. The hooks are single-quoted on purpose: mmdebstrap runs them with $1 = root.
# shellcheck disable=SC2016
mmdebstrap \
	--variant=minbase \
	--include=postgresql-15,patroni,etcd-server,etcd-client,haproxy,pgbouncer,iproute2,curl \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/lib/postgresql/15/lib/llvmjit*' \
	--dpkgopt='path-exclude=/usr/lib/postgresql/15/lib/bitcode/*' \
	--dpkgopt='path-exclude=/usr/lib/*/libLLVM-*' \
	--dpkgopt='path-exclude=/usr/lib/llvm-*' \
	--dpkgopt='path-exclude=/usr/lib/*/libz3.so*' \
	--essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d"' \
	--essential-hook='echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/00-docker.conf"' \
	--customize-hook="upload '$here/ha-entrypoint.sh' /usr/local/bin/ha-entrypoint" \
	--customize-hook="upload '$here/ha-post-bootstrap' /usr/local/bin/ha-post-bootstrap" \
	--customize-hook='chmod 0755 "$1/usr/local/bin/ha-entrypoint" "$1/usr/local/bin/ha-post-bootstrap"' \
	--customize-hook='mkdir -p "$1/etc/patroni"' \
	--customize-hook="upload '$here/patroni.yml' /etc/patroni/allot.yml" \
	--customize-hook="upload '$here/haproxy.cfg' /etc/haproxy/allot.cfg" \
	--customize-hook="upload '$here/pgbouncer.ini' /etc/pgbouncer/allot.ini" \
	--customize-hook='rm -rf "$1"/usr/share/postgresql/15/man "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log' \
	bookworm "$work/context/rootfs.tar" ${ALLOT_PGIMAGE_MIRROR:+"$ALLOT_PGIMAGE_MIRROR"} >"$work/mmdebstrap.log" 2>&1 || {
	tail -n 40 "$work/mmdebstrap.log" >&2
	die "mmdebstrap failed (last lines above)"
}
say "root file system done in $((SECONDS - start)) s"
cat >"$work/context/Dockerfile" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin \
    LANG=C.UTF-8 \
    ETCDCTL_API=3
ENTRYPOINT ["/usr/local/bin/ha-entrypoint"]
STOPSIGNAL SIGTERM
EXPOSE 2379 2380 5432 8008 5000 6432 7000
DOCKERFILE
build_env=()
docker buildx version >/dev/null 2>&1 || build_env=(DOCKER_BUILDKIT=0)
env "${build_env[@]}" docker build --tag "$image" --label "io.allot.ha.inputs=$inputs" "$work/context" >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	die "docker build failed"
}
say "built $image in $((SECONDS - start)) s ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"
