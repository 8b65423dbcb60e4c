#!/usr/bin/env bash
# Builds the Docker image local/postgres:15-bookworm from Debian packages only, for machines that
# have a Docker engine but no container registry (not even for "FROM debian").
#
#   integration/pgimage/build.sh            build unless the image is already present
#   integration/pgimage/build.sh --force    rebuild
#
# The tag comes from ALLOT_TEST_POSTGRES_IMAGE when that starts with "local/"; any other value
# names a public image that testcontainers pulls itself, so there is nothing to build.
#
# How: mmdebstrap (installed with apt-get when missing) writes a minbase Debian bookworm root
# file system with postgresql-15 as a tar; a FROM scratch Dockerfile adds it and sets what the
# official postgres image sets (PATH, PGDATA, ENTRYPOINT, CMD, STOPSIGNAL, EXPOSE). The entrypoint
# is docker-entrypoint.sh next to this script. Takes about two minutes; the image is ~210 MB.
#
# Packages come from http://deb.debian.org/debian (+ bookworm-updates and -security), the
# mmdebstrap default, whatever the host's apt sources say; ALLOT_PGIMAGE_MIRROR replaces it
# (a mirror URI or a "deb ..." line; updates and security are then not added).
set -euo pipefail

say() { printf 'pgimage: %s\n' "$*"; }
die() { printf 'pgimage: error: %s\n' "$*" >&2; exit 1; }

force=false
for arg in "$@"; do
	case "$arg" in
	--force) force=true ;;
	-h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
	*) die "unknown argument: $arg (usage: $0 [--force])" ;;
	esac
done

image="${ALLOT_TEST_POSTGRES_IMAGE:-local/postgres:15-bookworm}"
case "$image" in
local/*) ;;
*)
	say "ALLOT_TEST_POSTGRES_IMAGE=$image is not a local/ image: the public image is used, nothing to build"
	exit 0
	;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (docker info fails)"

if ! $force && docker image inspect "$image" >/dev/null 2>&1; then
	say "$image is already present (use --force to rebuild)"
	exit 0
fi

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
if ! command -v mmdebstrap >/dev/null; then
	command -v apt-get >/dev/null ||
		die "mmdebstrap is missing and this is not a Debian-like system; use the public image instead: ALLOT_TEST_POSTGRES_IMAGE=postgres:16-alpine"
	say "installing mmdebstrap with apt-get"
	export DEBIAN_FRONTEND="${DEBIAN_FRONTEND:-noninteractive}"
	"${sudo[@]}" env DEBIAN_FRONTEND="$DEBIAN_FRONTEND" apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND="$DEBIAN_FRONTEND" apt-get install -y -qq mmdebstrap >/dev/null
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/pgimage.XXXXXX")"
# The rootfs tar is written by root (mmdebstrap root mode), so removing it may need sudo too.
trap '"${sudo[@]}" rm -rf "$work"' EXIT
mkdir "$work/context"

start=$SECONDS
say "building the root file system with mmdebstrap (bookworm, minbase, postgresql-15)"
# - The essential hook runs before postgresql-common is configured, so its postinst creates no
#   15/main cluster: the entrypoint runs initdb into $PGDATA, as in the official image.
# - btree_gist and the other contrib extensions ship in postgresql-15 itself (it Provides
#   postgresql-contrib-15), so no extra package is needed.
# - The man pages under /usr/share/postgresql/15/man are removed afterwards, not path-excluded:
#   postgresql-client-15's postinst registers them with update-alternatives, which needs them.
# - JIT is left out to save ~130 MB (libLLVM, z3, bitcode): PostgreSQL checks for llvmjit.so and
#   silently runs without JIT when it is missing.
# The hooks are single-quoted on purpose: mmdebstrap runs them with $1 = the new root.
# shellcheck disable=SC2016
"${sudo[@]}" mmdebstrap \
	--variant=minbase \
	--include=postgresql-15 \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/lib/postgresql/15/lib/llvmjit*' \
	--dpkgopt='path-exclude=/usr/lib/postgresql/15/lib/bitcode/*' \
	--dpkgopt='path-exclude=/usr/lib/*/libLLVM-*' \
	--dpkgopt='path-exclude=/usr/lib/llvm-*' \
	--dpkgopt='path-exclude=/usr/lib/*/libz3.so*' \
	--essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d"' \
	--essential-hook='echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/00-docker.conf"' \
	--customize-hook="upload '$here/docker-entrypoint.sh' /usr/local/bin/docker-entrypoint.sh" \
	--customize-hook='chmod 0755 "$1/usr/local/bin/docker-entrypoint.sh"' \
	--customize-hook='mkdir -p "$1/docker-entrypoint-initdb.d" "$1/var/lib/postgresql/data"' \
	--customize-hook='chroot "$1" chown postgres:postgres /var/lib/postgresql/data' \
	--customize-hook='chmod 0700 "$1/var/lib/postgresql/data"' \
	--customize-hook='rm -rf "$1"/usr/share/postgresql/15/man "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/cache/debconf/*-old "$1"/var/log/*.log' \
	bookworm "$work/context/rootfs.tar" ${ALLOT_PGIMAGE_MIRROR:+"$ALLOT_PGIMAGE_MIRROR"} >"$work/mmdebstrap.log" 2>&1 || {
	tail -n 40 "$work/mmdebstrap.log" >&2
	die "mmdebstrap failed (last lines above)"
}
"${sudo[@]}" chown "$(id -u):$(id -g)" "$work/context/rootfs.tar"
say "root file system done in $((SECONDS - start)) s ($(du -m "$work/context/rootfs.tar" | cut -f1) MB)"

# No "# syntax=" line: BuildKit would try to pull a frontend image from a registry.
cat >"$work/context/Dockerfile" <<'EOF'
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin \
    PGDATA=/var/lib/postgresql/data \
    LANG=C.UTF-8
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
STOPSIGNAL SIGINT
EXPOSE 5432
EOF

# Without the buildx plugin, recent docker CLIs fall back to the legacy builder with a warning;
# say so explicitly. Both builders handle FROM scratch without any registry.
build_env=()
docker buildx version >/dev/null 2>&1 || build_env=(DOCKER_BUILDKIT=0)
say "building $image"
old_id="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
env "${build_env[@]}" docker build --tag "$image" \
	--label "org.opencontainers.image.description=PostgreSQL 15 from Debian bookworm packages (allot tests)" \
	"$work/context" >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	die "docker build failed"
}
if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
	docker image rm "$old_id" >/dev/null 2>&1 || true # still used by a container: keep it
fi
say "built $image in $((SECONDS - start)) s ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"
