package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0.001, time.Millisecond}} {
		if got := percentile(lat, c.q); got != c.want {
			t.Errorf("percentile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile of nothing = %v", got)
	}
}

func TestParsePgbench(t *testing.T) {
	out := `transaction type: insert.sql
scaling factor: 1
query mode: simple
number of clients: 16
number of threads: 2
maximum number of tries: 1
duration: 10 s
number of transactions actually processed: 31234
number of failed transactions: 0 (0.000%)
latency average = 5.118 ms
initial connection time = 21.402 ms
tps = 3126.102938 (without initial connection time)
`
	r, err := parsePgbench(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.tps != 3126.102938 || r.latencyMs != 5.118 || r.txns != 31234 || r.failed != 0 {
		t.Fatalf("parsed %+v", r)
	}
	if _, err := parsePgbench("pgbench: error: connection refused"); err == nil {
		t.Fatal("output without tps parsed")
	}
}

func TestParseDomainBench(t *testing.T) {
	in := `goos: linux
BenchmarkValidate10Lines-2   	   45145	     23367 ns/op	   17512 B/op	     221 allocs/op
BenchmarkParseNumber-2            	33515670	        30.22 ns/op	       0 B/op	       0 allocs/op
BenchmarkNoMem	1000	12.5 ns/op
PASS
`
	got, err := parseDomainBench(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "Validate10Lines" || got[0].NsPerOp != 23367 || *got[0].BytesPerOp != 17512 ||
		*got[0].AllocsPerOp != 221 || got[1].Name != "ParseNumber" || got[2].BytesPerOp != nil || got[2].NsPerOp != 12.5 {
		t.Fatalf("parsed %+v", got)
	}
}

// TestHTTPConn checks the load generator's client on a real server: keep-
// alive, Content-Length and chunked bodies, and a server that closes.
func TestHTTPConn(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") != "yes" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/small":
			fmt.Fprint(w, `{"status":"OK"}`)
		case "/big": // over net/http's buffer: sent chunked
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, strings.Repeat("x", 10000))
		case "/close":
			w.Header().Set("Connection", "close")
			fmt.Fprint(w, "bye")
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newHTTPConn(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for range 3 {
		status, body, err := c.post("/small", []byte(`{}`), "X-Test", "yes")
		if err != nil || status != 200 || string(body) != `{"status":"OK"}` {
			t.Fatalf("small: %d %q %v", status, body, err)
		}
	}
	status, body, err := c.post("/big", []byte(`{}`), "X-Test", "yes")
	if err != nil || status != 201 || len(body) != 10000 {
		t.Fatalf("big: %d %d bytes %v", status, len(body), err)
	}
	status, body, err = c.post("/close", nil, "X-Test", "yes")
	if err != nil || status != 200 || string(body) != "bye" {
		t.Fatalf("close: %d %q %v", status, body, err)
	}
	if status, _, err = c.post("/small", nil, "X-Test", "yes"); err != nil || status != 200 {
		t.Fatalf("after close: %d %v", status, err)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (one kept alive, one after the close)", n)
	}
}

// TestReport checks the targets, the table and the JSON keys the issue
// names.
func TestReport(t *testing.T) {
	r := newResults(config{duration: 10 * time.Second})
	lat := []time.Duration{time.Millisecond, 2 * time.Millisecond}
	r.add(opSeriesCreate, loadResult{clients: 16, ops: 1000, elapsed: time.Second, lat: lat}, &pgbenchResult{tps: 1500}, statementStats{})
	r.add(opSeriesCreate1M, loadResult{clients: 16, ops: 900, elapsed: time.Second, lat: lat}, &pgbenchResult{tps: 1500}, statementStats{})
	r.add(opDrawHot16, loadResult{clients: 16, ops: 400, elapsed: time.Second, lat: lat}, &pgbenchResult{tps: 1000}, statementStats{})
	r.add(opDrawOwn, loadResult{clients: 16, ops: 900, elapsed: time.Second, lat: lat}, &pgbenchResult{tps: 1000}, statementStats{})
	r.add(opDrawHot64, loadResult{clients: 64, ops: 6000, elapsed: time.Second, lat: lat}, &pgbenchResult{tps: 1000}, statementStats{})
	r.Operations[opDrawHot64].DrawCheck = &drawCheck{HandedOut: 7000, Distinct: 7000, Drawn: 7001, Skipped: 1}
	r.Operations[opPeerIPAM] = &opResult{Clients: 16, Ops: 100, Seconds: 1, OpsPerS: 100}
	r.add(opEnrollment, loadResult{clients: 8, ops: 40, elapsed: time.Second, lat: lat}, &pgbenchResult{tps: 5000}, statementStats{})
	r.add(opSeriesCreateSQLite, loadResult{clients: 16, ops: 2500, elapsed: time.Second, lat: lat}, nil, statementStats{})
	r.add(opChainedCall, loadResult{clients: 8, ops: 1000, elapsed: time.Second, lat: lat}, nil, statementStats{})
	r.add(opAuthThenCall, loadResult{clients: 8, ops: 600, elapsed: time.Second, lat: lat}, nil, statementStats{})
	r.againstPhase(opAuthThenCall, opChainedCall)
	r.PeakRSSMiB = 120
	r.evaluate()
	met := map[string]bool{}
	for _, tg := range r.Targets {
		met[tg.Name] = tg.Met
	}
	want := map[string]bool{
		"series create / pgbench INSERT": true, "draw, hot owner 16 / pgbench UPDATE one row": false,
		"draw, own owner / pgbench UPDATE own row": true, "draw, hot owner 64 / pgbench one row": true,
		"hot owner 64: numbers twice+skipped": false, "Allot draw / go-ipam AcquireIP (16)": false, "growth: create 1M / 1k existing": true,
		"enrollment p99 at 8 clients (ms)": true, "server peak RSS under load (MiB)": false, "SQLite series create (ops/s)": true,
		"authenticate-then-call / chained call at 8 clients": true,
	}
	for name, w := range want {
		if got, ok := met[name]; !ok || got != w {
			t.Errorf("target %q: met %v (present %v), want %v", name, got, ok, w)
		}
	}
	var b strings.Builder
	r.printTable(&b)
	for _, s := range []string{"series create (1k existing)", "0.67", "growth ratio", "TARGET", "authenticate then call", "0.60"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, b.String())
		}
	}
	path := t.TempDir() + "/out.json"
	if err := r.write(path); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile(path)
	for _, k := range []string{`"ops_per_s"`, `"p50_ms"`, `"p99_ms"`, `"floor_ops_per_s"`, `"ratio"`, `"growth_ratio"`, `"peak_rss_mib"`, `"draw_over_go_ipam"`, `"draw_check"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("JSON lacks %s", k)
		}
	}
}

// TestParseStatementLog reads statements, their further lines and their
// backends from a log in captureStatements' prefix, and finds one
// backend's transaction among another's statements.
func TestParseStatementLog(t *testing.T) {
	log := `2026-12-01 15:46:50.057 UTC [101] allotbench LOG:  statement: BEGIN
2026-12-01 15:46:50.058 UTC [202] allotbench LOG:  statement: SELECT 1
2026-12-01 15:46:50.059 UTC [101] allotbench LOG:  statement: INSERT INTO lines (a, b)
			VALUES (1, 'x') RETURNING id
2026-12-01 15:46:50.060 UTC [303] postgres LOG:  statement: SELECT 2
2026-12-01 15:46:50.060 UTC [101] allotbench LOG:  statement: ALTER SYSTEM SET log_statement = 'all'
2026-12-01 15:46:50.061 UTC [202] allotbench ERROR:  boom
2026-12-01 15:46:50.061 UTC [101] allotbench LOG:  statement: COMMIT
`
	stmts, err := parseStatementLog(strings.NewReader(log), "allotbench")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 4 || stmts[2].sql != "INSERT INTO lines (a, b)\n\t\t\tVALUES (1, 'x') RETURNING id" || stmts[1].pid != "202" {
		t.Fatalf("parsed %q", stmts)
	}
	tx, err := transactionOf(stmts, "INSERT INTO lines")
	if err != nil {
		t.Fatal(err)
	}
	if got := asScript(tx); got != "BEGIN;\nINSERT INTO lines (a, b)\n\t\t\tVALUES (1, 'x') RETURNING id;\nCOMMIT;\n" {
		t.Fatalf("script %q", got)
	}
	if _, err := transactionOf(stmts, "UPDATE"); err == nil {
		t.Fatal("found a transaction with no such statement")
	}
	if _, err := parseStatementLog(strings.NewReader("2026-12-01 15:46:50.057 UTC [101] allotbench LOG:  execute <unnamed>: SELECT $1\n"), "allotbench"); err == nil {
		t.Fatal("a statement of the extended protocol was taken")
	}
	if got := asScript([]string{"INSERT INTO a VALUES (1) RETURNING id \\gset a_"}); got != "INSERT INTO a VALUES (1) RETURNING id \\gset a_\n" {
		t.Fatalf("gset script %q", got)
	}
}
