package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The pgbench scripts: each is the statement the store issues for one
// operation, as bun renders it (arguments inlined as literals, sent with
// the simple protocol, in autocommit), with pgbench variables where the
// service's values vary per request. :client_id and a per-client counter
// :n (set to 0 with -D and kept across a client's transactions) make every
// transaction's values distinct, so that every insert succeeds and every
// token consumed exists.
//
// The placeholders {org}, {ts} and {base} are filled in by script.

// insertScript is InsertSeries: one INSERT into series, checked by the
// exclusion constraint, for 10 numbers of prefix B and width 12. base is a
// 12-digit number no service range reaches; each client has 10^9 numbers
// of its own above it.
const insertScript = `\set n :n + 1
\set first {base} + :client_id * 1000000000 + :n * 10
\set last :first + 9
INSERT INTO series (org_id, prefix, width, first_digits, last_digits, size, drawn,
			owner_kind, owner_code, type, item_code, creator_hub, created_at)
			VALUES ({org}, 'B', 12, ':first', ':last', 10, 0, 'customer', '` + benchCustomer + `', 'virtual', '` + benchItem + `', '', '{ts}') RETURNING id;
`

// script fills in a script's placeholders.
func script(s string, org int64, base int64) string {
	return strings.NewReplacer(
		"{org}", strconv.FormatInt(org, 10),
		"{base}", strconv.FormatInt(base, 10),
		"{ts}", time.Now().UTC().Format("2006-01-02 15:04:05.999999-07:00"),
	).Replace(s)
}

// pgbenchResult is what pgbench reported.
type pgbenchResult struct {
	tps       float64 // without initial connection time
	latencyMs float64 // average
	txns      int64
	failed    int64
	cpu       cpuUse
}

var (
	tpsRE     = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	latencyRE = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
	txnsRE    = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
	failedRE  = regexp.MustCompile(`number of failed transactions: (\d+)`)
)

// parsePgbench reads pgbench's summary.
func parsePgbench(out string) (pgbenchResult, error) {
	var r pgbenchResult
	m := tpsRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no tps in pgbench output:\n%s", out)
	}
	r.tps, _ = strconv.ParseFloat(m[1], 64)
	if m := latencyRE.FindStringSubmatch(out); m != nil {
		r.latencyMs, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := txnsRE.FindStringSubmatch(out); m != nil {
		r.txns, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := failedRE.FindStringSubmatch(out); m != nil {
		r.failed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return r, nil
}

// pgbench runs body as a custom script with clients connections for d
// (whole seconds) against the benchmark database, in the simple protocol
// the service uses.
func (b *bench) pgbench(ctx context.Context, name, body string, clients int, d time.Duration) (pgbenchResult, error) {
	path := filepath.Join(b.tmp, name+".sql")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		return pgbenchResult{}, err
	}
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	args := []string{"-n", "-M", "simple", "-f", path,
		"-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
		"-T", strconv.Itoa(secs), "-D", "n=0",
		"-h", "127.0.0.1", "-p", strconv.Itoa(b.pg.port), "-U", "postgres", benchDB}
	cmd := exec.CommandContext(ctx, b.cfg.pgbench, args...)
	cmd.Env = cleanEnv()
	postmaster := b.pg.postmasterPID()
	procs := len(children(postmaster))
	before := sampleCPU(0, postmaster)
	out, err := cmd.CombinedOutput()
	settle(postmaster, procs)
	after := sampleCPU(0, postmaster)
	if err != nil {
		return pgbenchResult{}, fmt.Errorf("pgbench %s: %v\n%s", name, err, out)
	}
	if strings.Contains(string(out), "aborted") {
		return pgbenchResult{}, fmt.Errorf("pgbench %s: a client aborted:\n%s", name, out)
	}
	r, err := parsePgbench(string(out))
	if err != nil {
		return r, err
	}
	if r.failed > 0 {
		return r, fmt.Errorf("pgbench %s: %d transactions failed:\n%s", name, r.failed, out)
	}
	var client time.Duration
	if ps := cmd.ProcessState; ps != nil {
		client = ps.UserTime() + ps.SystemTime()
	}
	r.cpu = before.use(after, r.txns, client)
	return r, nil
}
