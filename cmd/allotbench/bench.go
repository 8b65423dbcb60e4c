package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// bench is one run.
type bench struct {
	cfg config
	tmp string
	pg  *cluster
	db  *sql.DB // the benchmark database, for seeding and statistics
	org int64
	res *results
	// logf reports progress on stderr.
	logf func(format string, args ...any)
}

// run performs every phase cfg selects and writes the report.
func run(ctx context.Context, cfg config) (err error) {
	if _, err := os.Stat(cfg.allot); err != nil {
		return fmt.Errorf("-allot %s: %w (build it first: make build)", cfg.allot, err)
	}
	bin, err := filepath.Abs(cfg.allot)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "allotbench-")
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	defer func() {
		if cfg.keep {
			fmt.Fprintf(os.Stderr, "allotbench: kept %s\n", tmp)
			return
		}
		_ = os.RemoveAll(tmp)
	}()
	b := &bench{cfg: cfg, tmp: tmp, res: newResults(cfg), logf: func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "allotbench: "+format+"\n", args...)
	}}
	if cfg.domain != "" {
		if b.res.Domain, err = readDomainBench(cfg.domain); err != nil {
			return err
		}
	}
	a := allotCmd{bin: bin, key: newSecretKey()}

	if cfg.ops[opCreate] || cfg.ops[opDraw] || cfg.ops[opEnroll] || cfg.ops[opGrowth] {
		if err := b.postgresPhases(ctx, a); err != nil {
			return err
		}
	}
	if cfg.ops[opSQLite] {
		if err := b.sqlitePhase(ctx, a); err != nil {
			return err
		}
	}
	if cfg.ops[opInventory] {
		if err := b.inventoryPhase(ctx); err != nil {
			return err
		}
	}
	b.res.evaluate()
	b.res.printTable(os.Stdout)
	return b.res.write(cfg.out)
}

// postgresPhases runs every PostgreSQL phase against one cluster and one
// server process.
func (b *bench) postgresPhases(ctx context.Context, a allotCmd) error {
	b.logf("starting PostgreSQL")
	pg, err := startCluster(ctx, b.cfg, b.tmp)
	if err != nil {
		return err
	}
	b.pg = pg
	defer pg.stop()
	db, err := pg.createDB(ctx, benchDB)
	if err != nil {
		return err
	}
	defer db.Close()
	b.db = db
	b.res.Machine.Postgres = pg.version(ctx, db)
	dsn := pg.dsn(benchDB)

	b.logf("migrating and setting up the tenant with the CLI")
	if _, err := a.run(ctx, "migrate", "--db", dsn); err != nil {
		return err
	}
	key, err := setupTenant(ctx, a, dsn, b.cfg.ops[opEnroll])
	if err != nil {
		return err
	}
	if b.org, err = orgID(ctx, db); err != nil {
		return err
	}
	srv, err := startServer(ctx, a, dsn, filepath.Join(b.tmp, "allot-pg.log"), false, b.cfg.profileDir != "")
	if err != nil {
		return err
	}
	defer srv.stop()

	// The create phases share one number space (prefix B, width 12):
	// seeded slots first, then the service's.
	slots := &atomic.Int64{}
	slots.Store(serviceSlot)
	if b.cfg.ops[opCreate] || b.cfg.ops[opGrowth] {
		if err := seedSeries(ctx, db, b.org, 1, seedSlots); err != nil {
			return err
		}
	}
	if b.cfg.ops[opCreate] {
		if err := b.createPhase(ctx, srv, key, slots, opSeriesCreate, floorBase); err != nil {
			return err
		}
	}
	if b.cfg.ops[opDraw] {
		if err := b.drawPhase(ctx, srv, key); err != nil {
			return err
		}
	}
	if b.cfg.ops[opEnroll] {
		// The peak so far, before argon2id hashes enter the picture.
		if rss, err := srv.peakRSS(); err == nil {
			b.res.PeakRSSBeforeEnrollMiB = float64(rss) / (1 << 20)
		}
		if err := b.enrollPhase(ctx, srv); err != nil {
			return err
		}
	}
	if b.cfg.ops[opGrowth] {
		b.logf("seeding series up to %d", b.cfg.growthSeed)
		t0 := time.Now()
		if err := seedSeries(ctx, db, b.org, seedSlots+1, int64(b.cfg.growthSeed)); err != nil {
			return err
		}
		// Seeding leaves shared_buffers full of dirty pages; writing them
		// out now keeps that backlog out of the measured phase, which is
		// to show inserting at 1M, not cleaning up after the seed.
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			return fmt.Errorf("checkpoint after seeding: %w", err)
		}
		b.logf("seeded in %s", time.Since(t0).Round(time.Millisecond))
		if err := b.createPhase(ctx, srv, key, slots, opSeriesCreate1M, growthFloorBase); err != nil {
			return err
		}
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM series WHERE org_id = $1 AND prefix = 'B'", b.org).Scan(&n); err == nil {
			b.res.GrowthSeries = n
		}
	}
	rss, err := srv.peakRSS()
	if err != nil {
		return err
	}
	b.res.PeakRSSMiB = float64(rss) / (1 << 20)
	b.res.ServerErrorLines = srv.errorLines()
	return nil
}

// measure runs a closed-loop phase of the server, with a CPU profile when
// asked and the statements counted from the window's start.
func (b *bench) measure(ctx context.Context, srv *server, name string, clients int, warmup time.Duration, newWorker func(int) worker) (loadResult, statementStats) {
	b.logf("%s: %d clients, %s", name, clients, b.cfg.duration)
	var wg sync.WaitGroup
	stats := statementStats{}
	postmaster := 0
	if b.pg != nil && srv.dsnIsPostgres {
		postmaster = b.pg.postmasterPID()
	}
	var before cpuSample
	onMeasure := func() {
		b.resetStatements(ctx)
		before = sampleCPU(srv.cmd.Process.Pid, postmaster)
		if b.cfg.profileDir != "" {
			wg.Add(1)
			go func() {
				defer wg.Done()
				secs := max(int(b.cfg.duration/time.Second)-1, 1)
				if err := srv.profile(ctx, b.cfg.profileDir, name, secs); err != nil {
					fmt.Fprintf(os.Stderr, "allotbench: profile %s: %v\n", name, err)
				}
			}()
		}
	}
	r := runLoad(ctx, clients, warmup, b.cfg.duration, newWorker, onMeasure)
	r.cpu = before.use(sampleCPU(srv.cmd.Process.Pid, postmaster), r.ops+r.errors, -1)
	if srv.dsnIsPostgres {
		stats = b.readStatements(ctx)
		for _, st := range stats.top {
			if b.cfg.verbose {
				b.logf("  %8d calls %7.3f ms  %s", st.Calls, st.MeanMs, st.Query)
			}
		}
	}
	wg.Wait()
	if r.firstErr != nil {
		fmt.Fprintf(os.Stderr, "allotbench: %s: %d errors; first: %v\n", name, r.errors, r.firstErr)
	}
	return r, stats
}

// createPhase measures series create through the service, then pgbench's
// INSERT of the same shape at the same concurrency.
func (b *bench) createPhase(ctx context.Context, srv *server, key string, slots *atomic.Int64, name string, base int64) error {
	r, st := b.measure(ctx, srv, name, b.cfg.clients, b.cfg.warmup, createWorkers(srv.base, key, slots))
	b.logf("%s: floor (pgbench INSERT)", name)
	f, err := b.pgbench(ctx, name, script(insertScript, b.org, base), b.cfg.clients, b.cfg.duration)
	if err != nil {
		return err
	}
	b.res.add(name, r, &f, st)
	return nil
}

// drawPhase measures draw-next-1 through the service, then pgbench's
// UPDATE ... RETURNING of the same shape on stock of its own.
func (b *bench) drawPhase(ctx context.Context, srv *server, key string) error {
	if err := seedDrawStock(ctx, b.db, b.org, drawItem, 100_000_000_000, 3); err != nil {
		return err
	}
	if err := seedDrawStock(ctx, b.db, b.org, drawFloorItem, 200_000_000_000, 3); err != nil {
		return err
	}
	if err := analyze(ctx, b.db, "series"); err != nil {
		return err
	}
	r, st := b.measure(ctx, srv, opDrawNext, b.cfg.clients, b.cfg.warmup, drawWorkers(srv.base, key))
	b.logf("%s: floor (pgbench UPDATE)", opDrawNext)
	f, err := b.pgbench(ctx, opDrawNext, script(drawScript, b.org, 0), b.cfg.clients, b.cfg.duration)
	if err != nil {
		return err
	}
	b.res.add(opDrawNext, r, &f, st)
	return nil
}

// enrollPhase measures 10-line enrollments on chained tokens, then
// pgbench's token-consuming UPDATE ... RETURNING on seeded tokens. A second,
// short phase sends the same requests without the customer password, whose
// argon2id hash dominates an enrollment: it shows what the rest costs.
func (b *bench) enrollPhase(ctx context.Context, srv *server) error {
	n := b.cfg.enrollClients
	per := b.cfg.enrollMax + noPasswordRequests
	b.logf("%s: issuing %d enrollment ids through check_service_availability", opEnrollment, n*per*linesPerRequest)
	t0 := time.Now()
	chains, ids, err := enrollmentChains(ctx, srv.base, n, per)
	if err != nil {
		return err
	}
	b.logf("issued in %s", time.Since(t0).Round(time.Millisecond))
	main, rest := make([][]string, n), make([][]string, n)
	for i, mine := range ids {
		k := b.cfg.enrollMax * linesPerRequest
		main[i], rest[i] = mine[:k], mine[k:]
	}
	r, st := b.measure(ctx, srv, opEnrollment, n, b.cfg.warmup, enrollmentWorkers(chains, main, true))
	if r.stopped {
		fmt.Fprintf(os.Stderr, "allotbench: %s: a client used all its %d requests before the window ended (raise -enroll-max)\n", opEnrollment, b.cfg.enrollMax)
	}
	// Warm already; the phase ends when its ids run out.
	np, npst := b.measure(ctx, srv, opEnrollmentNoPassword, n, 0, enrollmentWorkers(chains, rest, false))
	b.res.add(opEnrollmentNoPassword, np, nil, npst)

	// Enough tokens that no client runs out within the window even at
	// 20,000 consumptions per second in all.
	perClient := max(20_000*int(b.cfg.duration/time.Second)/n, 1000)
	if err := seedTokens(ctx, b.db, b.org, n, perClient); err != nil {
		return err
	}
	b.logf("%s: floor (pgbench token UPDATE)", opEnrollment)
	f, err := b.pgbench(ctx, opEnrollment, script(consumeScript, b.org, tokenBase), n, b.cfg.duration)
	if err != nil {
		return err
	}
	var consumed int64
	if err := b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM tokens WHERE vendor_id = 'bench-floor' AND consumed_at IS NOT NULL").Scan(&consumed); err != nil {
		return err
	}
	if consumed < f.txns {
		return fmt.Errorf("token floor: %d transactions but only %d tokens consumed (seed more)", f.txns, consumed)
	}
	b.res.add(opEnrollment, r, &f, st)
	return nil
}

// noPasswordRequests is the requests per client of the enrollment phase
// without a customer password.
const noPasswordRequests = 200

// sqlitePhase measures series create on the embedded SQLite default, with
// a server of its own.
func (b *bench) sqlitePhase(ctx context.Context, a allotCmd) error {
	dsn := "sqlite:" + filepath.Join(b.tmp, "sqlite", "bench.db")
	b.logf("%s: setting up", opSeriesCreateSQLite)
	if _, err := a.run(ctx, "migrate", "--db", dsn); err != nil {
		return err
	}
	key, err := setupTenant(ctx, a, dsn, false)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, a, dsn, filepath.Join(b.tmp, "allot-sqlite.log"), true, b.cfg.profileDir != "")
	if err != nil {
		return err
	}
	defer srv.stop()
	slots := &atomic.Int64{}
	slots.Store(serviceSlot)
	r, _ := b.measure(ctx, srv, opSeriesCreateSQLite, b.cfg.clients, b.cfg.warmup, createWorkers(srv.base, key, slots))
	b.res.add(opSeriesCreateSQLite, r, nil, statementStats{})
	if rss, err := srv.peakRSS(); err == nil {
		b.res.SQLitePeakRSSMiB = float64(rss) / (1 << 20)
	}
	return nil
}

// statementStats is what pg_stat_statements counted in a window.
type statementStats struct {
	calls int64
	top   []statementCount
}

type statementCount struct {
	Calls int64 `json:"calls"`
	// MeanMs is the statement's mean execution time inside PostgreSQL.
	MeanMs float64 `json:"mean_exec_ms"`
	Query  string  `json:"query"`
}

func (b *bench) resetStatements(ctx context.Context) {
	if b.pg == nil || !b.pg.statements {
		return
	}
	_, _ = b.db.ExecContext(ctx, "SELECT pg_stat_statements_reset()")
}

// readStatements returns the statements of the benchmark database since
// the last reset, most called first, without the benchmark's own.
func (b *bench) readStatements(ctx context.Context) statementStats {
	var st statementStats
	if b.pg == nil || !b.pg.statements {
		return st
	}
	rows, err := b.db.QueryContext(ctx, `SELECT s.calls, s.mean_exec_time, s.query FROM pg_stat_statements AS s
		JOIN pg_database AS d ON d.oid = s.dbid
		WHERE d.datname = $1 AND s.query NOT LIKE '%pg_stat_statements%'
		ORDER BY s.calls DESC`, benchDB)
	if err != nil {
		return st
	}
	defer rows.Close()
	for rows.Next() {
		var c statementCount
		if err := rows.Scan(&c.Calls, &c.MeanMs, &c.Query); err != nil {
			return st
		}
		st.calls += c.Calls
		if len(st.top) < 12 {
			c.Query = strings.Join(strings.Fields(c.Query), " ")
			if len(c.Query) > 160 {
				c.Query = c.Query[:160] + "…"
			}
			st.top = append(st.top, c)
		}
	}
	sort.SliceStable(st.top, func(i, j int) bool { return st.top[i].Calls > st.top[j].Calls })
	return st
}
