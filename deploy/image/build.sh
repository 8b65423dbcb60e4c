#!/usr/bin/env bash
# Builds the container image of Allot (default tag local/allot:latest) with no registry:
# a static binary (CGO_ENABLED=0; the embedded SQLite is modernc's pure-Go build, so it works
# in the image too) in a FROM scratch image with the host's CA certificates, a passwd/group pair
# for a non-root user (uid 10001) and a writable /data for the SQLite default.
#
#   deploy/image/build.sh             build (ALLOT_IMAGE overrides the tag)
#
# The image runs `allot serve` by default; any other command is `docker run IMAGE allot ...`
# args, e.g. `docker run IMAGE migrate`. Every ALLOT_* setting is read from the environment as
# on the host; the image only changes two defaults: ALLOT_ADDR=0.0.0.0:8080 (a container's
# loopback is unreachable from outside) and ALLOT_DB=sqlite:/data/allot.db.
set -euo pipefail

say() { printf 'image: %s\n' "$*"; }
die() { printf 'image: error: %s\n' "$*" >&2; exit 1; }

image="${ALLOT_IMAGE:-local/allot:latest}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
go="${GO:-go}"
certs=/etc/ssl/certs/ca-certificates.crt

command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (docker info fails)"
[ -r "$certs" ] || die "$certs is missing: apt-get install -y ca-certificates"

work="$(mktemp -d "${TMPDIR:-/tmp}/allotimage.XXXXXX")"
trap 'rm -rf "$work"' EXIT
ctx="$work/context"
mkdir -p "$ctx/etc/ssl/certs" "$ctx/data" "$ctx/tmp"

version="$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
say "building the static binary ($version)"
(cd "$root" && CGO_ENABLED=0 "$go" build -trimpath -ldflags='-s -w' -o "$ctx/allot" ./cmd/allot)
cp "$certs" "$ctx/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/:/nonexistent\nallot:x:10001:10001:allot:/data:/nonexistent\n' >"$ctx/etc/passwd"
printf 'root:x:0:\nallot:x:10001:\n' >"$ctx/etc/group"

# No "# syntax=" line: BuildKit would try to pull a frontend image from a registry. COPY
# --chown sets the owner inside the image whatever the build user is; /tmp is world-writable
# with the sticky bit as on any system (Go's os.TempDir and SQLite's temp files use it).
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY etc/ /etc/
COPY --chown=10001:10001 data/ /data/
COPY tmp/ /tmp/
COPY allot /usr/local/bin/allot
ENV ALLOT_ADDR=0.0.0.0:8080 \
    ALLOT_DB=sqlite:/data/allot.db \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/allot"]
CMD ["serve"]
DOCKERFILE
chmod 1777 "$ctx/tmp"

build_env=()
docker buildx version >/dev/null 2>&1 || build_env=(DOCKER_BUILDKIT=0)
say "building $image"
env "${build_env[@]}" docker build --tag "$image" \
	--label "org.opencontainers.image.title=allot" \
	--label "org.opencontainers.image.version=$version" \
	"$ctx" >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	die "docker build failed"
}
say "built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.1f MB", $1/1000000}'))"
