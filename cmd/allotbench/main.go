// Command allotbench measures how close Allot comes to what PostgreSQL
// itself can do on the machine it runs on. It starts a private PostgreSQL
// cluster from the host's binaries, the real `allot serve` on it, and drives
// the server with concurrent keep-alive HTTP clients (series create,
// draw-next, a 10-line enrollment); beside each of those phases it runs
// pgbench with the SQL the store issues for the operation, at the same
// concurrency against the same database, and reports the ratio. The auth
// phase compares a BSS client that authenticates before every call with
// one that keeps its token chain, on the same server. It also
// measures create throughput with 1k and with 1M existing series, the
// server's peak RSS, and series create on the embedded SQLite default.
//
// Figures on small shared machines vary from run to run, so every target is
// a ratio or a bound measured in one run. The result is one table on stdout
// and the same figures as JSON (-out, default $BENCH_OUT or
// bench-results.json). `make bench` runs it after the domain benchmarks,
// whose `go test -bench` output it folds into the table (-domain).
//
// All traffic goes to 127.0.0.1. Run as root, the PostgreSQL cluster runs
// as -pg-user (default postgres), since PostgreSQL refuses to run as root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// config is what the flags set.
type config struct {
	allot         string
	duration      time.Duration
	warmup        time.Duration
	clients       int
	hotClients    int
	peer          string
	enrollClients int
	authClients   int
	authCacheTTL  string
	enrollMax     int
	ops           map[string]bool
	out           string
	domain        string
	pgBin         string
	pgUser        string
	pgbench       string
	growthSeed    int
	profileDir    string
	keep          bool
	verbose       bool
}

// The phases -ops can select.
const (
	opCreate = "create"
	opDraw   = "draw"
	opPeer   = "peer"
	opEnroll = "enroll"
	opGrowth = "growth"
	opSQLite = "sqlite"
	opAuth   = "auth"
	// opInventory is number-level state at scale (inventory.go).
	opInventory = "inventory"
)

var allOps = []string{opCreate, opDraw, opPeer, opEnroll, opGrowth, opSQLite, opAuth, opInventory}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "allotbench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "allotbench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("allotbench", flag.ContinueOnError)
	var cfg config
	out := os.Getenv("BENCH_OUT")
	if out == "" {
		out = "bench-results.json"
	}
	ops := strings.Join(allOps, ",")
	fs.StringVar(&cfg.allot, "allot", "bin/allot", "the allot `binary` to benchmark")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured `time` of each load phase (and of each pgbench run, in whole seconds)")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "unmeasured `time` before each HTTP load phase")
	fs.IntVar(&cfg.clients, "clients", 16, "concurrent clients of the series phases and their floors")
	fs.IntVar(&cfg.hotClients, "hot-clients", 64, "clients of the second hot-owner draw phase and its floor")
	fs.StringVar(&cfg.peer, "peer", "bin/allotbench-ipam", "the go-ipam peer `binary` (cmd/allotbench/peer/ipam)")
	fs.IntVar(&cfg.enrollClients, "enroll-clients", 8, "concurrent clients of the enrollment phase and its floor")
	fs.IntVar(&cfg.authClients, "auth-clients", 8, "concurrent clients of the authenticate-then-call phase and its floor, the chained call")
	fs.StringVar(&cfg.authCacheTTL, "auth-cache-ttl", "", "the servers' --auth-cache-ttl `DURATION` (0: no verified-credential cache; default: the server's)")
	fs.IntVar(&cfg.enrollMax, "enroll-max", 160, "most enrollment requests per client (their ids are issued beforehand)")
	fs.StringVar(&ops, "ops", ops, "comma-separated `phases` to run: "+strings.Join(allOps, ", "))
	fs.StringVar(&cfg.out, "out", out, "write the results as JSON to `FILE` (env BENCH_OUT)")
	fs.StringVar(&cfg.domain, "domain", "", "fold this `FILE` of `go test -bench` output into the table")
	fs.StringVar(&cfg.pgBin, "pg-bin", "", "`DIR` of initdb, pg_ctl and postgres (default: found on PATH)")
	fs.StringVar(&cfg.pgUser, "pg-user", "postgres", "system `USER` that runs PostgreSQL when allotbench runs as root")
	fs.StringVar(&cfg.pgbench, "pgbench", "pgbench", "the pgbench `binary`")
	fs.IntVar(&cfg.growthSeed, "growth-seed", 1_000_000, "existing series of the second create phase (growth)")
	fs.StringVar(&cfg.profileDir, "profile", "", "save a CPU profile of the server for each phase in `DIR` (through ALLOT_PPROF_ADDR)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (database, logs, scripts)")
	fs.BoolVar(&cfg.verbose, "v", false, "also print the statements each phase issued, most called first")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg.ops = map[string]bool{}
	for _, op := range strings.Split(ops, ",") {
		op = strings.TrimSpace(op)
		if op == "" {
			continue
		}
		known := false
		for _, k := range allOps {
			known = known || k == op
		}
		if !known {
			return config{}, fmt.Errorf("-ops: unknown phase %q (known: %s)", op, strings.Join(allOps, ", "))
		}
		cfg.ops[op] = true
	}
	switch {
	case cfg.duration < time.Second:
		return config{}, errors.New("-duration must be at least 1s")
	case cfg.clients < 1 || cfg.enrollClients < 1 || cfg.hotClients < 1 || cfg.authClients < 1:
		return config{}, errors.New("-clients, -hot-clients, -enroll-clients and -auth-clients must be positive")
	case cfg.enrollMax < 1:
		return config{}, errors.New("-enroll-max must be positive")
	case cfg.growthSeed < 2000:
		return config{}, errors.New("-growth-seed must be at least 2000")
	}
	return cfg, nil
}
