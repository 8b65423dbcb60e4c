# Allot — see README.md. `make run` and `make test` are the two set-up commands.
GO      ?= go
DB      ?= sqlite:allot.db
ADDR    ?= 127.0.0.1:8080
# The PostgreSQL image the integration suite starts. On a machine with no
# container registry it is built locally from Debian packages; on a laptop
# set ALLOT_TEST_POSTGRES_IMAGE=postgres:16-alpine to use the public image.
ALLOT_TEST_POSTGRES_IMAGE ?= local/postgres:15-bookworm
export ALLOT_TEST_POSTGRES_IMAGE
# Ryuk would need its own image pulled; the suite removes its containers itself.
export TESTCONTAINERS_RYUK_DISABLED ?= true

UNIT_PKGS = $(shell $(GO) list ./... | grep -v '/integration')

.PHONY: run build test test-unit test-integration pg-image ha-image image lint bench fmt fuzz clean

run:
	ALLOT_DB=$${ALLOT_DB:-$(DB)} ALLOT_ADDR=$${ALLOT_ADDR:-$(ADDR)} $(GO) run ./cmd/allot serve --work

build:
	$(GO) build -o bin/allot ./cmd/allot

test: test-unit test-integration

test-unit: pg-image
	$(GO) test -race -count=1 -timeout 20m $(UNIT_PKGS)

pg-image:
	@if docker info >/dev/null 2>&1; then bash integration/pgimage/build.sh; \
	else echo "pgimage: Docker not available: no image built (the PostgreSQL tests skip, or fail under CI=true)"; fi

# image: the FROM scratch container image of allot (deploy/image/build.sh), local/allot:latest.
image:
	bash deploy/image/build.sh

# ha-image: PostgreSQL 15 + Patroni + etcd + HAProxy + PgBouncer from Debian packages
# (deploy/ha/build.sh), for deploy/docker-compose.yml and the failover test.
ha-image:
	@if docker info >/dev/null 2>&1; then bash deploy/ha/build.sh; \
	else echo "ha-image: Docker not available: no image built"; fi

# The integration suite needs the three images; without Docker they are skipped (and the
# tests that need them skip, or fail under CI=true).
test-integration: pg-image ha-image
	@if docker info >/dev/null 2>&1; then bash deploy/image/build.sh; fi
	$(GO) test -race -count=1 -timeout 15m ./integration/...

# staticcheck is pinned here and run through go run, so nothing is installed by hand.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1)
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) mod verify

# bench: the domain's Go benchmarks, then cmd/allotbench, which starts a private
# PostgreSQL cluster from the host's binaries (initdb, pg_ctl, pgbench), drives
# the real server beside pgbench's floor, and prints one table with both; the
# figures also go to BENCH_OUT as JSON; the go-ipam peer is a module of its
# own (cmd/allotbench/peer/ipam), so go.mod never depends on it. See BENCHMARKS.md. BENCH_FLAGS passes
# flags to allotbench (e.g. -profile DIR, -duration 15s).
BENCH_OUT   ?= bench-results.json
BENCH_FLAGS ?=

bench: build
	@mkdir -p bin
	$(GO) build -o bin/allotbench ./cmd/allotbench
	cd cmd/allotbench/peer/ipam && $(GO) build -o $(CURDIR)/bin/allotbench-ipam .
	@echo "bench: domain benchmarks (go test -bench ./domain/...)" >&2
	@$(GO) test -run '^$$' -bench . -benchmem ./domain/... > bin/bench-domain.txt 2>&1 || { cat bin/bench-domain.txt; exit 1; }
	bin/allotbench -allot bin/allot -domain bin/bench-domain.txt -out $(BENCH_OUT) $(BENCH_FLAGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

# fuzz: every fuzz target for FUZZTIME each (60 s by default), one after
# the other; `make test` runs their committed seeds (testdata/fuzz) as
# ordinary tests. A crasher fails the target and is written under its
# package's testdata/fuzz, where it then stays as a seed.
FUZZTIME ?= 60s
FUZZ_TARGETS = \
	./domain/series:FuzzParseNumber \
	./domain/enrollment:FuzzValidateField \
	./adapters/httpapi:FuzzScalarFastPath \
	./adapters/httpapi:FuzzSeriesCreate \
	./adapters/httpapi:FuzzSeriesNext \
	./adapters/httpapi:FuzzSeriesDelete \
	./adapters/httpapi:FuzzSeriesListQuery \
	./adapters/httpapi:FuzzBSSEnvelope \
	./adapters/httpapi:FuzzBSSAuthenticate \
	./adapters/httpapi:FuzzBSSCheckAvailability \
	./adapters/httpapi:FuzzBSSPlanList \
	./adapters/httpapi:FuzzBSSCreateCustomer \
	./adapters/dashboard:FuzzDashboardSignIn \
	./adapters/dashboard:FuzzDashboardAddSeries \
	./adapters/dashboard:FuzzDashboardDeleteSeries

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME); \
	done

clean:
	rm -rf bin allot.db allot.db-shm allot.db-wal
