package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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
	a := allotCmd{bin: bin, key: newSecretKey(), authCacheTTL: cfg.authCacheTTL}

	if cfg.ops[opCreate] || cfg.ops[opDraw] || cfg.ops[opPeer] || cfg.ops[opEnroll] || cfg.ops[opGrowth] || cfg.ops[opAuth] {
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
	key, err := setupTenant(ctx, a, dsn, b.cfg.ops[opEnroll] || b.cfg.ops[opAuth])
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
		if err := b.drawPhases(ctx, srv, key); err != nil {
			return err
		}
	}
	if b.cfg.ops[opPeer] {
		if err := b.peerPhase(ctx); err != nil {
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
	if b.cfg.ops[opAuth] {
		if err := b.authPhase(ctx, srv); err != nil {
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

// drawPhases measures the draw phases, each beside pgbench's UPDATE of the
// same shape at the same concurrency: every client drawing for an owner of
// its own (pgbench: every client on a row of its own), then one hot owner
// and item with one series at 16 and at -hot-clients clients (pgbench: all
// clients on one row). After each hot phase every number handed out is
// checked against the series: none twice, none skipped.
func (b *bench) drawPhases(ctx context.Context, srv *server, key string) error {
	region := int64(100_000_000_000)
	seed := func(owner, item string) (int64, int64, error) {
		first := region
		region += drawStockSize
		id, err := seedDrawStock(ctx, b.db, b.org, owner, item, first)
		return id, first, err
	}
	type hot struct {
		name, item string
		clients    int
		id, first  int64
	}
	hots := []hot{{name: opDrawHot16, item: hotItem16, clients: b.cfg.clients}, {name: opDrawHot64, item: hotItem64, clients: b.cfg.hotClients}}
	for i := range hots {
		var err error
		if hots[i].id, hots[i].first, err = seed(benchCustomer, hots[i].item); err != nil {
			return err
		}
	}
	if _, _, err := seed(benchCustomer, hotFloorItem); err != nil {
		return err
	}
	for i := range b.cfg.clients {
		if _, _, err := seed(ownOwner(i), ownItem); err != nil {
			return err
		}
		if _, _, err := seed(fmt.Sprintf("P%d", i), ownFloorItem); err != nil {
			return err
		}
	}
	if err := analyze(ctx, b.db, "series"); err != nil {
		return err
	}

	ownFloor, hotFloor, err := b.drawFloors(ctx, srv, key)
	if err != nil {
		return err
	}
	r, st := b.measure(ctx, srv, opDrawOwn, b.cfg.clients, b.cfg.warmup, drawWorkers(srv.base, key, ownItem, ownOwner, nil))
	b.logf("%s: floor (pgbench, the store's draw statement, a row per client)", opDrawOwn)
	f, err := b.pgbench(ctx, opDrawOwn, ownFloor, b.cfg.clients, b.cfg.duration)
	if err != nil {
		return err
	}
	b.res.add(opDrawOwn, r, &f, st)

	for _, h := range hots {
		rec := newDrawRecorder()
		r, st := b.measure(ctx, srv, h.name, h.clients, b.cfg.warmup,
			drawWorkers(srv.base, key, h.item, func(int) string { return benchCustomer }, rec))
		check, err := b.checkDraws(ctx, h.id, h.first, rec.all())
		if err != nil {
			return err
		}
		b.logf("%s: %d numbers handed out, %d distinct, series counts %d drawn, %d skipped", h.name, check.HandedOut, check.Distinct, check.Drawn, check.Skipped)
		b.logf("%s: floor (pgbench, the store's draw statement on one row)", h.name)
		f, err := b.pgbench(ctx, h.name, hotFloor, h.clients, b.cfg.duration)
		if err != nil {
			return err
		}
		b.res.add(h.name, r, &f, st)
		b.res.Operations[h.name].DrawCheck = &check
	}
	return nil
}

// drawFloors captures the statement the store issues for one draw (of
// owner ownOwner(0)) and returns it as the pgbench scripts of the floors:
// with owner P<client> on stock of its own per pgbench client, and with the
// hot owner on one row. Capturing keeps the floor the store's statement
// (today an UPDATE that also writes the history entry) as the store
// changes.
func (b *bench) drawFloors(ctx context.Context, srv *server, key string) (own, hot string, err error) {
	caps, err := b.captureStatements(ctx, func() error {
		c := newCaller(srv.base)
		body := fmt.Appendf(nil, `{"client_code":%q,"item_code":%q,"count":1}`, ownOwner(0), ownItem)
		status, resp, err := c.post(ctx, nextPath, body, "Authorization", "Basic "+key)
		if err == nil && status != 200 {
			err = fmt.Errorf("capture draw: HTTP %d: %s", status, short(resp))
		}
		return err
	})
	if err != nil {
		return "", "", err
	}
	stmt, err := statementWith(caps, "UPDATE series")
	if err != nil {
		return "", "", err
	}
	owner, item := "'"+ownOwner(0)+"'", "'"+ownItem+"'"
	if !strings.Contains(stmt, owner) || !strings.Contains(stmt, item) {
		return "", "", fmt.Errorf("capture: the draw statement names neither %s nor %s: %s", owner, item, stmt)
	}
	b.logf("draw floors: the store's statement is %d characters", len(stmt))
	own = asScript([]string{strings.NewReplacer(owner, "'P:client_id'", item, "'"+ownFloorItem+"'").Replace(stmt)})
	hot = asScript([]string{strings.NewReplacer(owner, "'"+benchCustomer+"'", item, "'"+hotFloorItem+"'").Replace(stmt)})
	return own, hot, nil
}

// drawCheck is what the check after a hot-owner phase found.
type drawCheck struct {
	// HandedOut counts the numbers the phase's answers carried, warm-up
	// included; Distinct the different ones among them.
	HandedOut int64 `json:"handed_out"`
	Distinct  int64 `json:"distinct"`
	// Drawn is the series' counter after the phase.
	Drawn int64 `json:"series_drawn"`
	// Skipped counts the numbers below the counter that no answer carried;
	// Beyond the numbers handed out at or past it (both must be 0).
	Skipped int64 `json:"skipped"`
	Beyond  int64 `json:"beyond_counter"`
	OK      bool  `json:"ok"`
}

// checkDraws compares the numbers handed out from series id (whose first
// number's digits are first) with its counter.
func (b *bench) checkDraws(ctx context.Context, id, first int64, handed []string) (drawCheck, error) {
	c := drawCheck{HandedOut: int64(len(handed))}
	if err := b.db.QueryRowContext(ctx, "SELECT drawn FROM series WHERE id = $1", id).Scan(&c.Drawn); err != nil {
		return c, err
	}
	seen := make(map[int64]bool, len(handed))
	for _, n := range handed {
		v, err := strconv.ParseInt(strings.TrimPrefix(n, "D"), 10, 64)
		if err != nil || !strings.HasPrefix(n, "D") {
			return c, fmt.Errorf("draw check: %q is not a number of the stock", n)
		}
		off := v - first
		if seen[off] {
			continue
		}
		seen[off] = true
		if off < 0 || off >= c.Drawn {
			c.Beyond++
		}
	}
	c.Distinct = int64(len(seen))
	c.Skipped = c.Drawn - (c.Distinct - c.Beyond)
	c.OK = c.Distinct == c.HandedOut && c.Skipped == 0 && c.Beyond == 0
	return c, nil
}

// peerPhase runs the go-ipam peer (a module of its own, built by make
// bench) on a database of its own in the same cluster, with the clients of
// the hot-owner phase at 16.
func (b *bench) peerPhase(ctx context.Context) error {
	if _, err := os.Stat(b.cfg.peer); err != nil {
		return fmt.Errorf("-peer %s: %w (make bench builds it)", b.cfg.peer, err)
	}
	db, err := b.pg.createDB(ctx, peerDB)
	if err != nil {
		return err
	}
	_ = db.Close()
	b.logf("%s: %d goroutines, %s", opPeerIPAM, b.cfg.clients, b.cfg.duration)
	postmaster := b.pg.postmasterPID()
	before := sampleCPU(0, postmaster)
	cmd := exec.CommandContext(ctx, b.cfg.peer, "-host", "127.0.0.1", "-port", strconv.Itoa(b.pg.port), "-user", "postgres",
		"-db", peerDB, "-clients", strconv.Itoa(b.cfg.clients), "-warmup", b.cfg.warmup.String(), "-duration", b.cfg.duration.String())
	cmd.Env = cleanEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("peer %s: %v\n%s", b.cfg.peer, err, stderr.String())
	}
	var p peerResult
	if err := json.Unmarshal(out, &p); err != nil {
		return fmt.Errorf("peer printed %q: %w", out, err)
	}
	if !p.Distinct {
		return fmt.Errorf("peer: go-ipam handed out an address twice")
	}
	if p.FirstErr != "" {
		b.logf("%s: %d errors; first: %s", opPeerIPAM, p.Errors, p.FirstErr)
	}
	var client time.Duration
	if ps := cmd.ProcessState; ps != nil {
		client = ps.UserTime() + ps.SystemTime()
	}
	cpu := before.use(sampleCPU(0, postmaster), p.Ops+p.Errors, client)
	b.res.Operations[opPeerIPAM] = &opResult{Clients: p.Clients, Ops: p.Ops, Errors: p.Errors, Seconds: p.Seconds,
		OpsPerS: p.OpsPerS, P50Ms: p.P50Ms, P99Ms: p.P99Ms, CPU: &cpu}
	return nil
}

// peerDB is the peer's database.
const peerDB = "ipam"

// peerResult is what the peer prints.
type peerResult struct {
	Clients  int     `json:"clients"`
	Ops      int64   `json:"ops"`
	Errors   int64   `json:"errors"`
	FirstErr string  `json:"first_error"`
	Seconds  float64 `json:"seconds"`
	OpsPerS  float64 `json:"ops_per_s"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	Distinct bool    `json:"distinct"`
}

// enrollPhase measures 10-line enrollments on chained tokens, then the
// floor: pgbench replaying the very transaction the store ran for one such
// request (every statement from BEGIN to COMMIT, captured from the
// cluster's statement log), with fresh enrollment ids per transaction. A
// second, short phase sends the same requests without the customer
// password, whose argon2id hash dominates an enrollment: it shows what the
// rest costs.
func (b *bench) enrollPhase(ctx context.Context, srv *server) error {
	n := b.cfg.enrollClients
	per := b.cfg.enrollMax + noPasswordRequests
	b.logf("%s: issuing %d enrollment ids through check_service_availability", opEnrollment, n*per*linesPerRequest+linesPerRequest)
	t0 := time.Now()
	chains, ids, err := enrollmentChains(ctx, srv.base, n, per)
	if err != nil {
		return err
	}
	capIDs, err := chains[0].issueIDs(ctx, linesPerRequest)
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

	floor, err := b.enrollmentFloor(ctx, chains[0], capIDs)
	if err != nil {
		return err
	}
	// Enough ids that no client runs out within the window even at 1,500
	// transactions per second in all.
	perClient := max(1500*int(b.cfg.duration/time.Second)/n, 200)
	if err := seedFloorEnrollmentIDs(ctx, b.db, capIDs[0], n, perClient); err != nil {
		return err
	}
	b.logf("%s: floor (pgbench, the store's transaction for one 10-line request)", opEnrollment)
	f, err := b.pgbench(ctx, opEnrollment, strings.ReplaceAll(floor, "{base}", strconv.FormatInt(floorIDBase, 10)), n, b.cfg.duration)
	if err != nil {
		return err
	}
	var used int64
	if err := b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM enrollment_ids WHERE id LIKE 'F%' AND used_at IS NOT NULL").Scan(&used); err != nil {
		return err
	}
	if used < f.txns*linesPerRequest {
		return fmt.Errorf("enrollment floor: %d transactions but only %d ids claimed (seed more)", f.txns, used)
	}
	b.res.add(opEnrollment, r, &f, st)
	// The same transaction floors the requests without a password.
	b.res.add(opEnrollmentNoPassword, np, &f, npst)
	return nil
}

// floorIDBase is the number of the first enrollment id of the floor
// (F followed by 12 digits): per pgbench client 10^8 of its own, 10 per
// transaction.
const floorIDBase int64 = 100_000_000_000

// enrollmentFloor sends one 10-line request with ids (a customer password
// on its first line, as in the measured phase) on chain, captures the
// transaction the store ran for it and returns it as a pgbench script in
// which the ids are :e0 … :e9 of the transaction's own and the invoice
// number is the client's and transaction's; {base} is left for the caller.
func (b *bench) enrollmentFloor(ctx context.Context, chain *bssClient, ids []string) (string, error) {
	const invoice = 999_999
	caps, err := b.captureStatements(ctx, func() error {
		_, err := chain.call(ctx, customerPath, enrollmentBody(ids, invoice, true))
		return err
	})
	if err != nil {
		return "", err
	}
	tx, err := transactionOf(caps, "INSERT INTO lines")
	if err != nil {
		return "", err
	}
	pairs := []string{fmt.Sprintf("BENCH-%d", invoice), "BENCH-F:client_id-:n"}
	for k, id := range ids {
		pairs = append(pairs, strings.ToUpper(id), fmt.Sprintf("F:e%d", k))
	}
	// The lines belong to the account the transaction opens: its id,
	// returned by the account's INSERT, goes to :a_id (pgbench's \gset).
	var account int64
	if err := b.db.QueryRowContext(ctx, "SELECT account_id FROM lines WHERE enrollment_id = $1", strings.ToUpper(ids[0])).Scan(&account); err != nil {
		return "", fmt.Errorf("enrollment floor: the captured request's account: %w", err)
	}
	opened := false
	for i, s := range tx {
		switch {
		case strings.Contains(s, "INSERT INTO accounts") && strings.Contains(s, "RETURNING id"):
			tx[i] = strings.TrimRight(strings.TrimSpace(s), ";") + ` \gset a_`
			opened = true
		case strings.Contains(s, "INSERT INTO lines"):
			tx[i] = strings.ReplaceAll(s, fmt.Sprintf(", %d, '%s'", account, strings.ToUpper(ids[0])), fmt.Sprintf(", :a_id, '%s'", strings.ToUpper(ids[0])))
			for _, id := range ids[1:] {
				tx[i] = strings.ReplaceAll(tx[i], fmt.Sprintf(", %d, '%s'", account, strings.ToUpper(id)), fmt.Sprintf(", :a_id, '%s'", strings.ToUpper(id)))
			}
			if strings.Count(tx[i], ":a_id") != len(ids) {
				return "", fmt.Errorf("enrollment floor: %d of the %d lines name account %d", strings.Count(tx[i], ":a_id"), len(ids), account)
			}
		}
	}
	if !opened {
		return "", fmt.Errorf("enrollment floor: the captured transaction opens no account")
	}
	body := strings.NewReplacer(pairs...).Replace(asScript(tx))
	for _, id := range ids {
		if strings.Contains(body, strings.ToUpper(id)) {
			return "", fmt.Errorf("enrollment floor: id %s left in the captured transaction", id)
		}
	}
	b.logf("enrollment floor: the store's transaction is %d statements", len(tx))
	head := "\\set n :n + 1\n\\set b {base} + :client_id * 100000000 + :n * 10\n"
	for k := range ids {
		head += fmt.Sprintf("\\set e%d :b + %d\n", k, k)
	}
	return head + body, nil
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
